"""Query stores cached on disk: a graph file is loaded into an Oxigraph store once, then opened in milliseconds.

``civicgraph query`` on the national graph (1 M triples) spent 5.0 of its 5.2 s loading ``graph.nt`` into an
in-memory store. An on-disk store (RocksDB) built once from the same file opens in about 20 ms; queries run 1 to 9
times slower on it than in memory, still far below the load they save (``benchmarks/bench_query_store.py``). So a
graph of :data:`CACHE_FROM_BYTES` or more gets a cached store; a smaller one loads in memory faster than its store
would be built, and ``civicgraph serve`` keeps its in-memory store, loaded once for every query it answers.

**Keyed by content.** A store is named by the SHA-256 of the graph file, its format and the Oxigraph version, and
is built from the very bytes that were hashed, so a store can only ever answer for the graph it was built from. A
file's digest is found without reading it (0.2 to 0.5 s at national size) when either

1. this cache hashed the file before and it has not changed since: same device, inode, size, modification time and
   status-change time (*ctime*, which a program cannot set back, unlike the modification time that ``touch -d`` or
   ``cp -p`` set). A file changed less than :data:`RACY_SECONDS` before it was hashed is not remembered, as git
   does with its index: a second change within the file system's clock tick would not show;
2. or the file is a release's: its ``SHA256SUMS`` lists it, and the file was not written after the checksums were
   (its modification and status-change times both earlier than those of ``SHA256SUMS``);

else it is hashed.

**Ours only.** The cache is a folder (:func:`default_cache_dir`, or ``--store-cache``), taken as the cache only when
it is new, empty, or already one: its ``CACHEDIR.TAG`` holds what this cache writes there (:data:`CACHEDIR_TAG`).
Any other folder is refused (:class:`NotAStoreCache`) with nothing written in it: the tag would make backup tools
(``tar --exclude-caches-all``) skip the files a person keeps there. Each store is a subfolder
holding the Oxigraph store, the files known to hold its content (``seen/``) and a marker file the cache wrote
(:data:`MARKER`), which names the subfolder. Nothing is opened or removed without its marker; a folder that carries
none, or another name, is left alone and the graph is loaded in memory instead. At most :data:`MAX_STORES` stores
are kept: building one removes the least recently used beyond that.

**Concurrency.** Building or removing a store happens under an exclusive lock of the whole cache (``.lock``): a
second command that needs the same store waits for it rather than building it twice. A command using a store holds
a shared lock on its marker until it exits, and a store is removed only when no one holds that lock. A store is
built in a staging folder and renamed into place when complete; a build killed half-way leaves a staging folder
that the next build removes.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from civicgraph.sparql.library import OxigraphEngine, QueryDataError, check_data_file, rdf_format
from civicgraph.util.errors import ExitCode, Failure, Message

MARKER = "civicgraph-store.json"
STORE = "oxigraph"  # the Oxigraph (RocksDB) folder inside a store's folder
SEEN = "seen"  # one empty file per file known to hold the store's content, named by its fingerprint
STAGED_MARKER = MARKER + ".new"  # written, then renamed over the marker
OURS = {MARKER, STAGED_MARKER, STORE, SEEN}  # all a store's folder holds
LOCK = ".lock"
TAG = "CACHEDIR.TAG"
STAGED_TAG = re.compile(r"\.CACHEDIR\.TAG-[0-9]+")  # the tag being written by the process of that id
LAYOUT = 1  # the layout of a store's folder; another layout is another cache's
MAX_STORES = 4  # about 150 MB each at national size
CACHE_FROM_BYTES = 8 * 2**20  # below, loading in memory takes about as long as opening a store (benchmark, 5.)
RACY_SECONDS = 2
CHECKSUMS = "SHA256SUMS"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by civicgraph (query stores).\n"
    "# For information about cache directory tags, see: https://bford.info/cachedir/\n"
)
FORMAT_KEYS = {ox.RdfFormat.N_TRIPLES: "nt", ox.RdfFormat.TURTLE: "ttl", ox.RdfFormat.JSON_LD: "jsonld"}

Notify = Callable[[str], None]
STORE_MODES = ("auto", "cached", "memory")


class CacheUnusable(Exception):
    """The cache cannot serve this graph (not writable, or a folder it did not write is in the way); the caller
    loads the graph in memory instead."""


class NotAStoreCache(Failure):
    """The folder given as the cache holds files and is not a store cache: used, the cache's tag would hide them from
    backups. Nothing is written in it (exit 2)."""

    def __init__(self, root: Path, clearing: bool = False) -> None:
        why_pl = "są w nim inne pliki, a nie ma w nim pliku CACHEDIR.TAG civicgraph"
        why_en = "it holds other files and no CACHEDIR.TAG of civicgraph's"
        if clearing:
            message = Message(
                f"{root}: to nie jest folder magazynów zapytań civicgraph ({why_pl}); niczego w nim nie usunięto",
                f"{root}: not a civicgraph store cache ({why_en}); nothing in it was removed",
            )
        else:
            message = Message(
                f"{root}: to nie jest folder magazynów zapytań civicgraph ({why_pl}); niczego w nim nie zapisano "
                "(podaj w --store-cache nowy lub pusty folder albo użyj --store memory)",
                f"{root}: not a civicgraph store cache ({why_en}); nothing was written in it "
                "(give --store-cache a new or empty folder, or use --store memory)",
            )
        super().__init__(message, ExitCode.USAGE)


class _Corrupt(Exception):
    """A store of ours that Oxigraph cannot open."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/civicgraph/stores``, or ``~/.cache/civicgraph/stores`` (the XDG default)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"  # the spec ignores a relative path
    return root / "civicgraph" / "stores"


@dataclass
class CachedStore:
    """An opened store; the shared lock on its marker (a file descriptor) keeps it from removal while in use."""

    store: ox.Store
    name: str
    built: bool  # built by this call
    digest_from: str  # how the graph's digest was found: "seen", "release" or "hashed"
    lock: int = field(repr=False)

    def close(self) -> None:
        if self.lock >= 0:
            with suppress(OSError):
                os.close(self.lock)
            self.lock = -1

    def __del__(self) -> None:
        self.close()


def open_engine(graph: Path, mode: str, cache: Path, notify: Notify = lambda _message: None) -> OxigraphEngine:
    """The Oxigraph engine over ``graph``: on its cached store (mode ``cached``, or ``auto`` for a graph file of
    :data:`CACHE_FROM_BYTES` or more), else on an in-memory store — also when the cache cannot be used, which
    ``notify`` is told."""
    check_data_file(graph)
    if mode == "memory" or (mode == "auto" and graph.stat().st_size < CACHE_FROM_BYTES):
        return OxigraphEngine.from_file(graph)
    try:
        cached = StoreCache(cache).open(graph, notify)
    except CacheUnusable as why:
        notify(f"{why}; the graph is loaded in memory instead")
        return OxigraphEngine.from_file(graph)
    return OxigraphEngine(cached.store, holder=cached)


def fingerprint(stat: os.stat_result) -> str:
    """What changes whenever a file's content may have: its identity, size, and modification and status times."""
    return f"{stat.st_dev}-{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}-{stat.st_ctime_ns}"


def release_digest(graph: Path, stat: os.stat_result) -> str | None:
    """The digest the release's SHA256SUMS lists for ``graph``, if the file was not written after it."""
    checksums = graph.parent / CHECKSUMS
    try:
        listed = checksums.stat()
        if not (stat.st_mtime_ns < listed.st_mtime_ns and stat.st_ctime_ns < listed.st_ctime_ns):
            return None
        text = checksums.read_bytes()
    except OSError:
        return None
    line = re.search(rb"^([0-9a-f]{64})  " + re.escape(os.fsencode(graph.name)) + rb"$", text, re.MULTILINE)
    return line[1].decode("ascii") if line else None


class StoreCache:
    """The cached stores in ``root`` (see the module docstring)."""

    def __init__(self, root: Path, max_stores: int = MAX_STORES, racy_seconds: float = RACY_SECONDS) -> None:
        self.root = root
        self.max_stores = max_stores
        self.racy_ns = int(racy_seconds * 1e9)

    # -- opening ------------------------------------------------------------------------------------------------

    def open(self, graph: Path, notify: Notify = lambda _message: None) -> CachedStore:
        """The store of ``graph``, built first if there is none. Raises :class:`CacheUnusable` when the cache cannot
        hold it, :class:`QueryDataError` when the graph cannot be read."""
        key = FORMAT_KEYS.get(rdf_format(graph))
        if key is None:
            raise CacheUnusable(f"{graph}: no cached store for this format")
        try:
            self._claim_root()
        except OSError as error:
            raise CacheUnusable(f"{self.root}: the cache cannot be used ({error})") from None
        read_from = time.time_ns()
        try:
            before = os.stat(graph)
        except OSError as error:
            raise QueryDataError(f"{graph}: cannot read the graph: {error}") from None
        digest, digest_from = self._known_digest(key, graph, before)
        if digest is None:
            digest, digest_from = self._hash(graph), "hashed"
        name = self._name(key, digest)
        opened = self._open_existing(name)
        built = False
        if opened is None:
            with self._exclusive(notify):
                opened = self._open_existing(name, remove_corrupt=True)  # another command may have built it
                if opened is None:
                    name = self._build(key, graph, name, notify)  # the name of the bytes read, if they changed
                    self._evict(keep=name)
                    opened = self._open_existing(name)
                    built = True
        if opened is None:  # removed between the build and the opening: only another cache's clean-up does that
            raise CacheUnusable(f"{self.root / name}: the store was removed while being opened")
        if digest_from == "hashed" and not built:
            self._remember(name, graph, before, read_from)
        opened.built, opened.digest_from = built, digest_from
        return opened

    def _name(self, key: str, digest: str) -> str:
        return f"{key}-{digest}-oxigraph-{ox.__version__}"

    def _claim_root(self) -> None:
        """Make the root a store cache, tagged for backup tools to skip, when it is new or holds nothing; raise
        :class:`NotAStoreCache` when it is another folder. A cache others built, which we may only read, is left
        as it is and still serves its stores."""
        self.root.mkdir(parents=True, exist_ok=True)
        # Listed before the tag is read: a cache another command is making has its tag before anything else, so
        # entries listed beyond a tag in the making come with a tag that the read below finds.
        entries = os.listdir(self.root)
        if self._tagged():
            return
        if not self._holds_nothing(entries):
            raise NotAStoreCache(self.root)
        staged = self.root / f".{TAG}-{os.getpid()}"  # renamed into place whole: a tag is never seen half-written
        try:
            staged.write_text(CACHEDIR_TAG, encoding="ascii")
            os.replace(staged, self.root / TAG)
        except BaseException:
            with suppress(OSError):
                staged.unlink()
            raise

    def _tagged(self) -> bool:
        """Whether the root's CACHEDIR.TAG is the one this cache writes (the proof that the folder is a cache)."""
        try:
            return (self.root / TAG).read_bytes() == CACHEDIR_TAG.encode("ascii")
        except OSError:
            return False

    def _holds_nothing(self, entries: list[str]) -> bool:
        """Whether ``entries`` of the root are nothing but what a cache writes before its tag is in place: a tag
        being written, an empty lock file."""
        for name in entries:
            if STAGED_TAG.fullmatch(name):
                continue
            if name == LOCK and (self.root / LOCK).is_file() and (self.root / LOCK).stat().st_size == 0:
                continue
            return False
        return True

    def _known_digest(self, key: str, graph: Path, stat: os.stat_result) -> tuple[str | None, str]:
        """The digest of ``graph`` without reading it: remembered by a store, or listed by its release."""
        seen = fingerprint(stat)
        for name in self._names():
            if name.startswith(f"{key}-") and (self.root / name / SEEN / seen).exists():
                return name.split("-")[1], "seen"
        return release_digest(graph, stat), "release"

    def _hash(self, graph: Path) -> str:
        try:
            with open(graph, "rb") as file:
                return hashlib.file_digest(file, "sha256").hexdigest()
        except OSError as error:
            raise QueryDataError(f"{graph}: cannot read the graph: {error}") from None

    def _remember(self, name: str, graph: Path, before: os.stat_result, read_from: int) -> None:
        """Note that ``graph``, as ``before`` describes it (a stat from before it was read, at ``read_from``), holds
        the content of store ``name`` — unless it changed since, or so shortly before it was read that a second
        change could leave the same times."""
        with suppress(OSError):
            after = os.stat(graph)
            changed = max(before.st_mtime_ns, before.st_ctime_ns)
            if fingerprint(after) != fingerprint(before) or changed > read_from - self.racy_ns:
                return
            seen = self.root / name / SEEN
            seen.mkdir(exist_ok=True)
            (seen / fingerprint(after)).touch()

    def _open_existing(self, name: str, remove_corrupt: bool = False) -> CachedStore | None:
        """The store ``name`` opened read-only under a shared lock, or None when there is none."""
        entry = self.root / name
        try:
            return self._open_entry(entry, name)
        except _Corrupt as error:
            if not remove_corrupt:
                return None  # the caller takes the cache's lock, then removes and rebuilds it
            if not self._remove(entry, name):
                raise CacheUnusable(f"{entry}: Oxigraph cannot open it ({error}), and it is in use") from None
            return None

    def _open_entry(self, entry: Path, name: str) -> CachedStore | None:
        marker = entry / MARKER
        try:
            lock = os.open(marker, os.O_RDONLY)
        except FileNotFoundError:
            if entry.exists() or entry.is_symlink():
                raise CacheUnusable(f"{entry}: not a store this cache wrote (no {MARKER}); left as it is") from None
            return None
        except OSError as error:
            raise CacheUnusable(f"{entry}: cannot be opened ({error})") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_SH)
            if os.fstat(lock).st_ino != os.stat(marker).st_ino:
                raise FileNotFoundError(marker)  # removed while we waited for the lock
            try:
                facts = _read_marker(lock)
            except ValueError:
                facts = None
            if not _marks(facts, name):
                raise CacheUnusable(f"{entry}: its {MARKER} is not one this cache wrote for it; left as it is")
            try:
                store = ox.Store.read_only(str(entry / STORE))
            except (OSError, RuntimeError) as error:  # RocksDB's "Corruption: ..." comes as a RuntimeError
                raise _Corrupt(str(error)) from None
            with suppress(OSError):
                os.utime(marker)  # its last use, for choosing which stores to remove
        except FileNotFoundError:
            os.close(lock)
            return None
        except BaseException:
            os.close(lock)
            raise
        return CachedStore(store, name, False, "", lock)

    # -- building -------------------------------------------------------------------------------------------------

    def _build(self, key: str, graph: Path, name: str, notify: Notify) -> str:
        """Build the store of ``graph`` from the bytes read now; its name, from the digest of those bytes."""
        read_from = time.time_ns()
        try:
            before = os.stat(graph)
            data = graph.read_bytes()
        except OSError as error:
            raise QueryDataError(f"{graph}: cannot read the graph: {error}") from None
        read_as = self._name(key, hashlib.sha256(data).hexdigest())
        if read_as != name and (self.root / read_as).exists():  # changed since its digest was found, to one cached
            return read_as
        name = read_as
        for leftover in self.root.glob(f".building-{name}-*"):  # builds killed half-way; none runs, we hold the lock
            self._remove(leftover, name)
        notify(f"{graph}: building its query store in {self.root} (once for this graph)")
        staging = self.root / f".building-{name}-{os.getpid()}"
        staging.mkdir()
        facts: dict[str, Any] = {"civicgraph-store": LAYOUT, "name": name, "complete": False}
        facts["graph"] = str(graph.resolve())  # for a person looking into the cache
        _write_marker(staging, facts)  # first: a build killed from here on leaves a folder provably ours
        try:
            store = ox.Store(str(staging / STORE))
            store.bulk_load(data, format=rdf_format(graph))
            store.optimize()  # one compacted level: queries 1.3 to 1.7 times faster than on the bulk-loaded files
            facts["complete"] = True
            del store  # closes the database before it moves
            _write_marker(staging, facts)
            os.rename(staging, self.root / name)
        except (SyntaxError, ValueError) as error:
            self._remove(staging, name)
            raise QueryDataError(f"{graph}: cannot read the graph: {error}") from None
        except BaseException:
            self._remove(staging, name)
            raise
        self._remember(name, graph, before, read_from)
        return name

    # -- removing -------------------------------------------------------------------------------------------------

    def _names(self) -> list[str]:
        """The names of the folders in the cache that may be stores (staging and removal folders start with ".")."""
        with suppress(OSError):
            return sorted(entry.name for entry in os.scandir(self.root) if not entry.name.startswith("."))
        return []

    def stores(self) -> list[tuple[str, int]]:
        """The stores provably this cache's, most recently used first, with their last use (ns)."""
        found: list[tuple[str, int]] = []
        for name in self._names():
            marker = self.root / name / MARKER
            with suppress(OSError, ValueError):
                with open(marker, "rb") as file:
                    facts = json.loads(file.read())
                if _marks(facts, name):
                    found.append((name, marker.stat().st_mtime_ns))
        return sorted(found, key=lambda item: -item[1])

    def _evict(self, keep: str) -> None:
        """Remove the least recently used stores beyond :attr:`max_stores`: never ``keep``; one in use is skipped
        for the next least recently used."""
        stores = self.stores()
        excess = len(stores) - self.max_stores
        for name, _used in reversed(stores):
            if excess <= 0:
                break
            if name != keep and self._remove(self.root / name, name):
                excess -= 1

    def clear(self, notify: Notify = lambda _message: None) -> tuple[int, list[str]]:
        """Remove every store of this cache not in use; the count removed, and what was left and why."""
        if not self.root.is_dir():
            return 0, []
        if not self._tagged():
            if self._holds_nothing(os.listdir(self.root)):
                return 0, []  # no store to remove, and the folder is left as it is (no lock file written)
            raise NotAStoreCache(self.root, clearing=True)
        removed = 0
        with self._exclusive(notify):
            for name, _used in self.stores():
                removed += self._remove(self.root / name, name)
            for leftover in sorted(self.root.glob(".building-*")) + sorted(self.root.glob(".removing-*")):
                was_for = _marker_name(leftover)
                if was_for is not None:
                    removed += self._remove(leftover, was_for)
        left = [f"{name}: in use" for name, _used in self.stores()]
        left += [f"{entry.name}: not a store this cache wrote" for entry in self._foreign()]
        return removed, left

    def _foreign(self) -> list[Path]:
        mine = {name for name, _used in self.stores()}
        return [self.root / name for name in self._names() if name not in mine and name != TAG]

    def _remove(self, folder: Path, name: str) -> bool:
        """Remove a store's folder (or a staging one) named ``name`` by its marker, unless it is in use.

        The marker is read first and goes last: a removal cut short leaves a folder still provably ours.
        """
        marker = folder / MARKER
        try:
            lock = os.open(marker, os.O_RDONLY)
        except OSError:
            return False
        try:
            if not _marks(_read_marker(lock), name, complete=None) or not set(os.listdir(folder)) <= OURS:
                return False
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a command uses the store
            doomed = folder
            if not folder.name.startswith("."):
                doomed = folder.with_name(f".removing-{name}-{os.getpid()}")
                os.rename(folder, doomed)  # gone at once for anyone about to open it
        except (OSError, ValueError):
            return False
        finally:
            os.close(lock)
        for part in (STORE, SEEN):
            shutil.rmtree(doomed / part, ignore_errors=True)
        with suppress(OSError):
            (doomed / STAGED_MARKER).unlink(missing_ok=True)
            (doomed / MARKER).unlink()
            doomed.rmdir()
        return True

    @contextmanager
    def _exclusive(self, notify: Notify) -> Iterator[None]:
        """The cache's lock, for building and removing stores; says so when another command holds it."""
        descriptor = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                notify(f"waiting for another civicgraph command building a query store in {self.root}")
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock


def _read_marker(descriptor: int) -> Any:
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return json.loads(b"".join(chunks))


def _write_marker(folder: Path, facts: dict[str, Any]) -> None:
    staged = folder / STAGED_MARKER
    staged.write_text(json.dumps(facts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(staged, folder / MARKER)


def _marks(facts: Any, name: str, complete: bool | None = True) -> bool:
    """Whether marker ``facts`` are this cache's for the store ``name`` (a complete one, or with ``complete=None``
    also one whose build did not finish)."""
    if not (isinstance(facts, dict) and facts.get("civicgraph-store") == LAYOUT and facts.get("name") == name):
        return False
    return complete is None or facts.get("complete") is complete


def _marker_name(folder: Path) -> str | None:
    """The store a staging or removal folder was for, if its marker says so and its name agrees."""
    with suppress(OSError, ValueError):
        facts = json.loads((folder / MARKER).read_bytes())
        name = facts.get("name") if isinstance(facts, dict) else None
        if isinstance(name, str) and re.fullmatch(rf"\.(building|removing)-{re.escape(name)}-[0-9]+", folder.name):
            return name
    return None
