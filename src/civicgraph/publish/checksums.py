"""What makes a release verifiable: the size and digests of every file (read once, shared by the catalogue and
``SHA256SUMS``), ``release.json`` and ``SHA256SUMS`` — and, from them, what an earlier release holds, so that only
such a folder is ever replaced."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from civicgraph import __version__
from civicgraph.publish.release import CHECKSUMS_FILE, RELEASE_FILE, Release, build_date, editions
from civicgraph.publish.reuse import Listed, Reuse
from civicgraph.util.digests import CHUNK, FileFacts, HashedAhead, Stat, in_threads, read_facts
from civicgraph.util.errors import Message
from civicgraph.util.folders import FolderKind, NotOfKind
from civicgraph.util.kept import KeptFor
from civicgraph.util.parallel import MAX_WORKERS, spawned, workers

# -- digests ------------------------------------------------------------------------------------------------------

# The facts of the files hashed for the catalogue of a release, which SHA256SUMS reuses rather than reading
# every file again: (identity of the release's triples, out folder) -> relative path -> (stat, facts).
_FACTS_CACHE: dict[tuple[int, str], dict[str, tuple[Stat, FileFacts]]] = {}


def _stat_key(path: str) -> Stat:
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _recorded(
    out: Path, paths: Sequence[str], reuse: Reuse
) -> tuple[dict[str, tuple[Stat, FileFacts]], list[tuple[str, Stat]]]:
    """The facts the build of the release being replaced recorded for the files taken from it, and the files it
    recorded none for, each with what identified it."""
    recorded: dict[str, tuple[Stat, FileFacts]] = {}
    unrecorded: list[tuple[str, Stat]] = []
    root = str(out)
    for path in paths:
        stat = _stat_key(os.path.join(root, path))  # not pathlib: 11,000 paths at a national year
        found = reuse.facts_of(path, *stat[1:])
        if found is not None and found.sha1 is not None:
            recorded[path] = stat, FileFacts(path, found.size, found.sha256, found.sha1)
        else:
            unrecorded.append((path, stat))
    return recorded, unrecorded


def _in_order(
    paths: Sequence[str], recorded: dict[str, tuple[Stat, FileFacts]], read: dict[str, tuple[Stat, FileFacts]]
) -> dict[str, tuple[Stat, FileFacts]]:
    return {path: recorded[path] if path in recorded else read[path] for path in paths}


def _sha256_of(path: str, size: int) -> str:
    """The SHA-256 of a file of about ``size`` bytes, read with bare system calls, a small one in one read: most
    files SHA256SUMS reads are the site's pages, 35,000 at a national year, and for them a buffered file object and
    ``hashlib.file_digest``'s reads of 256 KiB cost more than hashing (two threads: 0.78 s instead of 1.25)."""
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(descriptor, min(size + 1, CHUNK)):  # till the end, should the size be outdated
            digest.update(chunk)
    finally:
        os.close(descriptor)
    return digest.hexdigest()


def _remembered(release: Release, out: Path, hashed: dict[str, tuple[Stat, FileFacts]]) -> dict[str, FileFacts]:
    _FACTS_CACHE.clear()  # one release at a time
    _FACTS_CACHE[(id(release.triples), str(out))] = hashed
    return {path: facts for path, (_stat, facts) in hashed.items()}


def files_facts(release: Release, out: Path, paths: Sequence[str]) -> dict[str, FileFacts]:
    """The facts of the files, hashed in threads (those hashed ahead waited for, :func:`hashed_ahead`), and
    remembered for :func:`write_checksums` of the same release."""
    recorded, unrecorded = _recorded(out, paths, release.reuse)
    ahead, unrecorded = _taken_ahead(release, unrecorded)
    read = read_facts(out, unrecorded, MAX_WORKERS)
    return _remembered(release, out, _in_order(paths, recorded, {**ahead(), **read}))


@contextmanager
def files_facts_meanwhile(
    release: Release, out: Path, paths: Sequence[str], minimum: int = 64
) -> Iterator[Callable[[], dict[str, FileFacts]]]:
    """:func:`files_facts` computed in another process while the caller goes on; gives the function that waits
    for them. A process, not a thread: a thread hashing next to a busy interpreter waits for its lock after
    every chunk it hashes, and hashes several times slower. Fewer than ``minimum`` files are hashed here, when
    they are asked for: starting a process costs more.

    A spawned process, not a forked one: the caller builds the catalogue meanwhile, and a forked child would keep
    a copy of each page of memory the caller changes (1 GiB of a three-year national build). The child hashes in
    one thread, the caller having the other core: with two, three threads share two cores while the caller's
    work (the catalogue's, longer than the hashing) is what the writer waits for (national catalogue, runs
    alternated: 9.2 s with one, 9.6 s with two).

    The spawned process imports only :mod:`civicgraph.util.digests` and the helpers it needs: importing this
    module there took 0.28–0.35 s. A national year, one report changed: the catalogue's stage 1.30 s against 1.41
    (medians of 5 alternating runs, faster in 5 of 5), waiting less for the 310 MB of new files.

    The facts recorded for the files taken from the release being replaced are looked up here (0.08 s for a
    national year's 11,000 files), and the child is sent only the files to read. It was sent the whole record of
    the release before: 10.9 MB pickled, 0.09–0.10 s for this process to pickle and the child to read."""
    if len(paths) < minimum:
        yield lambda: files_facts(release, out, paths)
        return
    recorded, unrecorded = _recorded(out, paths, release.reuse)
    ahead, unrecorded = _taken_ahead(release, unrecorded)
    if not unrecorded:
        yield lambda: _remembered(release, out, _in_order(paths, recorded, ahead()))
        return
    with spawned(read_facts, out, unrecorded, 1) as read:
        yield lambda: _remembered(release, out, _in_order(paths, recorded, {**ahead(), **read()}))


# Below this many bytes to read, the files are left to the catalogue's own hashing: starting a process to hash them
# ahead costs more (a spawned interpreter takes 0.1 s to start; one thread hashes 1 MB in 2-3 ms).
HASHED_AHEAD_MINIMUM = 32 << 20


@contextmanager
def hashed_ahead(release: Release, out: Path, paths: Sequence[str]) -> Iterator[None]:
    """Hash ``paths`` (in ``out``, written already, and not written again), in a spawned process while the with-block
    runs, for the catalogue's :func:`files_facts_meanwhile` to wait for their facts rather than read the files then.
    Those whose facts the build of the release being replaced recorded are not read; neither is anything when the
    others are fewer than :data:`HASHED_AHEAD_MINIMUM` bytes, or with one core.

    Into an earlier release with one national report changed, the catalogue waited 0.26-0.32 s for the facts of
    its 12 new files (330 MB, 310 MB of it the graph files), hashed only once it began; the other core had been idle
    for some tenths of a second meanwhile, between the graph's validation and VoID."""
    _recorded_already, unrecorded = _recorded(out, paths, release.reuse)
    if workers() < 2 or sum(stat[2] for _path, stat in unrecorded) < HASHED_AHEAD_MINIMUM:
        yield
        return
    with spawned(read_facts, out, unrecorded, 1) as read:
        release.hashed_ahead.append(HashedAhead(unrecorded, read))
        yield


def _taken_ahead(
    release: Release, unrecorded: list[tuple[str, Stat]]
) -> tuple[Callable[[], dict[str, tuple[Stat, FileFacts]]], list[tuple[str, Stat]]]:
    """The function that waits for the facts of the files hashed ahead (:func:`hashed_ahead`) as they still are,
    and the other files to read."""
    ahead = {path: (stat, hashing) for hashing in release.hashed_ahead for path, stat in hashing.files}
    taken: dict[str, HashedAhead] = {}
    others: list[tuple[str, Stat]] = []
    for path, stat in unrecorded:
        found = ahead.get(path)
        if found is not None and found[0] == stat:  # not written again since its hashing began
            taken[path] = found[1]
        else:
            others.append((path, stat))
    return lambda: {path: hashing.facts()[path] for path, hashing in taken.items()}, others


def released_stats(out: Path) -> dict[str, Stat]:
    """Every file of the release (hidden ones such as ``site/.htaccess`` included), by its ``/``-separated path,
    sorted, with what identifies it (:data:`Stat`). A link to a folder is not followed, as ``os.walk`` does not.

    Listed and statted in one pass of ``os.scandir``, each file by the path its directory entry carries: a national
    year's 43,811 files in 0.31 s, against 0.42 walked with ``os.walk`` and then joined and statted (medians of 9
    alternating runs)."""
    found: dict[str, Stat] = {}
    folders = [(str(out), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        folders.append((entry.path, f"{prefix}{entry.name}/"))
                    continue
                stat = os.stat(entry.path)  # DirEntry.stat() leaves the inode out on Windows
                found[prefix + entry.name] = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return dict(sorted(found.items()))


def write_release_info(release: Release, out: Path) -> None:
    """``release.json``: the edition label, the build date and what the release contains."""
    settings = release.dataset.settings
    info = {
        "edition": settings.edition,
        "issued": build_date(settings).isoformat(),
        "generator": f"civicgraph {__version__}",
        "base_iri": settings.base_iri,
        "publish_url": settings.publish_url,
        "triples": release.size,
        "editions": [{"member": e.member, "year": e.year, "report": e.report_iri} for e in editions(release)],
    }
    text = json.dumps(info, ensure_ascii=False, indent=1) + "\n"
    (out / RELEASE_FILE).write_text(text, encoding="utf-8")


def remembered_sha1(release: Release, out: Path) -> dict[str, str]:
    """The SHA-1 of the files the catalogue of ``release`` hashed in ``out``."""
    known = _FACTS_CACHE.get((id(release.triples), str(out)), {})
    return {path: facts.sha1 for path, (_stat, facts) in known.items()}


def write_checksums(release: Release, out: Path) -> None:
    """``SHA256SUMS`` in the format ``sha256sum --check`` reads; written last, over every other file.

    Each file is read once, whatever its number of paths (:data:`Stat`: a report page's edition files are its
    edition's, 0.5 GB at a national year), and not at all when the catalogue hashed it and it has not changed
    since, or when it was taken from the earlier release, whose build recorded its digest."""
    root = str(out)
    known = _FACTS_CACHE.get((id(release.triples), root), {})
    hashed = {stat: facts.sha256 for stat, facts in known.values()}

    def sha256(file: tuple[Stat, str]) -> str:
        stat, name = file
        digest = hashed.get(stat)
        if digest is not None:
            return digest
        recorded = release.reuse.facts_of(name, *stat[1:])
        if recorded is not None:
            return recorded.sha256
        return _sha256_of(os.path.join(root, name), stat[2])

    listed = released_stats(out)
    listed.pop(CHECKSUMS_FILE, None)
    first_path: dict[Stat, str] = {}  # each file by its first path
    for name, stat in listed.items():
        first_path.setdefault(stat, name)
    digests = dict(zip(first_path, in_threads(sha256, list(first_path.items())), strict=True))
    lines = [f"{digests[stat]}  {name}\n" for name, stat in listed.items()]
    (out / CHECKSUMS_FILE).write_text("".join(lines), encoding="utf-8")
    _LISTED.keep(release, {name: Listed(*stat[1:], digests[stat]) for name, stat in listed.items()})


# What SHA256SUMS listed of the last release written, for the record of its build (:func:`listed_files`).
_LISTED: KeptFor[dict[str, Listed]] = KeptFor()


def listed_files(release: Release) -> dict[str, Listed] | None:
    """The files :func:`write_checksums` listed for ``release``, each as it was when listed, no longer kept; None
    if it did not run. The record of the build needs the same facts of the same files: asking the system again
    took 0.16 s at a national year."""
    return _LISTED.take(release)


def _files_not_in_the_release(folder: Path, files: list[str]) -> list[str] | None:
    """The files of ``folder`` that its ``SHA256SUMS`` does not list (None: not a release at all; :class:`NotOfKind`:
    a ``release.json`` civicgraph did not write, so no release either, whatever ``SHA256SUMS`` lists)."""
    checksums, info = folder / CHECKSUMS_FILE, folder / RELEASE_FILE
    if not (checksums.is_file() and info.is_file()):
        return None
    check_written_by_civicgraph(info)
    listed = {CHECKSUMS_FILE, *listed_digests(checksums)}
    return [name for name in files if name not in listed]


# What write_release_info() puts in release.json's "generator", whichever version of civicgraph wrote it.
_GENERATOR = re.compile(r"civicgraph \S+")
# Larger than any release.json civicgraph writes (a line or so per edition: a national year's is 0.33 MB, parsed in
# 3 ms), so that a large file of someone else's is not read whole to find that out.
_LARGEST_RELEASE_INFO = 64 << 20


def check_written_by_civicgraph(info: Path) -> None:
    """Raise :class:`NotOfKind` unless ``info`` is a ``release.json`` as :func:`write_release_info` writes it: a
    JSON object naming civicgraph as its generator. It is what proves a folder an earlier release, which a build
    then replaces whole: a ``SHA256SUMS`` and a ``release.json`` of any other tool's (a folder of downloads) prove
    nothing. One small file read, no file hashed: the check runs on every build, into 43,811 files at a national
    year."""
    try:
        written = json.loads(_release_info_bytes(info))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested deeper than a parser goes
        raise NotOfKind(Message(f"{RELEASE_FILE} nie jest plikiem JSON", f"{RELEASE_FILE} is not JSON")) from None
    generator = written.get("generator") if isinstance(written, dict) else None
    if not isinstance(generator, str) or not _GENERATOR.fullmatch(generator):
        raise NotOfKind(
            Message(
                f"{RELEASE_FILE} nie podaje civicgraph jako programu, który go zapisał",
                f"{RELEASE_FILE} does not name civicgraph as the program that wrote it",
            )
        )


def _release_info_bytes(info: Path) -> bytes:
    """The bytes of ``info``, unless it cannot be read or is larger than civicgraph writes one (:class:`NotOfKind`)."""
    try:
        with info.open("rb") as file:
            text = file.read(_LARGEST_RELEASE_INFO + 1)
    except OSError:
        raise NotOfKind(Message(f"nie można odczytać {RELEASE_FILE}", f"{RELEASE_FILE} cannot be read")) from None
    if len(text) > _LARGEST_RELEASE_INFO:
        raise NotOfKind(
            Message(
                f"{RELEASE_FILE} jest większy niż każdy, który zapisuje civicgraph",
                f"{RELEASE_FILE} is larger than any civicgraph writes",
            )
        )
    return text


def listed_digests(checksums: Path) -> dict[str, str]:
    """The files a ``SHA256SUMS`` lists, with their SHA-256 (lines that are not ``digest  name`` skipped)."""
    listed = {}
    with checksums.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            digest, separator, name = line.rstrip("\n").partition("  ")
            if separator:
                listed[name] = digest
    return listed


RELEASE = FolderKind(
    Message("wydanie", "release"),
    Message(f"{RELEASE_FILE} i {CHECKSUMS_FILE}", f"{RELEASE_FILE} and {CHECKSUMS_FILE}"),
    _files_not_in_the_release,
)
