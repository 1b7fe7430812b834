"""What makes a release verifiable and navigable: its build date, edition label, per-edition graph files,
file digests, ``SHA256SUMS`` — and an index of the graph that the other publishing writers read.

The build date never comes from the clock: ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) when set,
otherwise the ``build_date`` setting of ``data/civicgraph.yaml``. The same data and the same date give
byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from . import __version__
from .gcpause import paused_cycle_collector
from .iris import CG, DCT, RDF_TYPE, RDFS, SKOS
from .jsonld import compact_document, published_context
from .parallel import MAX_WORKERS, in_parallel
from .rdfio import write_ntriples, write_turtle
from .records import Settings
from .terms import plain_triples

if TYPE_CHECKING:
    from .publish import Release

EDITIONS_DIR = "editions"
CHECKSUMS_FILE = "SHA256SUMS"
RELEASE_FILE = "release.json"

Term = ox.NamedNode | ox.Literal

# Predicates whose value names a resource, in the order a label is looked for.
_LABEL_PREDICATES = (f"{SKOS}prefLabel", f"{DCT}title", f"{RDFS}label")


# -- the build date -------------------------------------------------------------------------------------------


def build_date(settings: Settings) -> date:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) if set, else the ``build_date`` setting; never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError):
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01") from None
    if settings.build_date is None:
        raise ValueError(
            f"{settings.location.file}: set `build_date: YYYY-MM-DD` (or the SOURCE_DATE_EPOCH environment "
            "variable): the release date is never taken from the clock"
        )
    return settings.build_date


# -- an index of the graph --------------------------------------------------------------------------------------


@dataclass
class GraphIndex:
    """The triples of a release grouped by subject, with the incoming links of every IRI.

    Values keep the canonical order of :func:`civicgraph.rdfio.sorted_triples`, so everything derived from the
    index (pages, tables) comes out in a stable order.
    """

    base: str
    by_subject: dict[str, dict[str, list[Term]]] = field(default_factory=dict)
    triples_of: dict[str, list[ox.Triple]] = field(default_factory=dict)
    incoming: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # object -> [(subject, predicate)]

    @classmethod
    def of(cls, triples: Iterable[ox.Triple], base: str) -> GraphIndex:
        # Plain dicts filled with get/append rather than nested defaultdicts converted afterwards: a national
        # graph has a million triples, and this loop is most of what indexing it costs.
        by_subject: dict[str, dict[str, list[Term]]] = {}
        triples_of: dict[str, list[ox.Triple]] = {}
        incoming: dict[str, list[tuple[str, str]]] = {}
        for triple in triples:
            subject, obj = triple.subject, triple.object
            if not isinstance(subject, ox.NamedNode):
                raise ValueError(f"a blank node or triple subject in a published graph: {triple}")
            s, p = subject.value, triple.predicate.value
            properties = by_subject.get(s)
            if properties is None:
                properties = by_subject[s] = {}
                triples_of[s] = [triple]
            else:
                triples_of[s].append(triple)
            if isinstance(obj, ox.NamedNode):
                if p != RDF_TYPE:
                    o = obj.value
                    links = incoming.get(o)
                    if links is None:
                        incoming[o] = [(s, p)]
                    else:
                        links.append((s, p))
            elif not isinstance(obj, ox.Literal):
                raise ValueError(f"a blank node or triple object in a published graph: {triple}")
            values = properties.get(p)
            if values is None:
                properties[p] = [obj]
            else:
                values.append(obj)
        return cls(base, by_subject, triples_of, incoming)

    def objects(self, subject: str, predicate: str) -> list[Term]:
        return self.by_subject.get(subject, {}).get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode)]

    def iri(self, subject: str, predicate: str) -> str | None:
        found = self.iris(subject, predicate)
        return found[0] if found else None

    def literal(self, subject: str, predicate: str, lang: str | None = None) -> str | None:
        """The first literal value; with ``lang``, the one in that language (falling back to Polish, then any)."""
        return _literal_of(self.objects(subject, predicate), lang)

    @cached_property
    def _types(self) -> dict[str, list[str]]:
        """Each subject's types, looked up once: the site asks for them hundreds of thousands of times."""
        return {
            s: [t.value for t in p.get(RDF_TYPE, ()) if isinstance(t, ox.NamedNode)] for s, p in self.by_subject.items()
        }

    def types(self, subject: str) -> list[str]:
        return self._types.get(subject, [])

    def has_type(self, subject: str, cls: str) -> bool:
        return cls in self._types.get(subject, ())

    def of_type(self, cls: str) -> list[str]:
        return sorted(s for s, types in self._types.items() if cls in types)

    def referrers(self, obj: str, predicate: str) -> list[str]:
        return sorted(s for s, p in self.incoming.get(obj, []) if p == predicate)

    @cached_property
    def nested(self) -> dict[str, list[str]]:
        """Each subject under the base IRI with the subjects nested under it by IRI path (``…/figure/x`` under its
        activity), itself included; computed once, so that cutting the graph per report stays linear."""
        found: dict[str, list[str]] = defaultdict(list)
        by_subject, shortest = self.by_subject, len(self.base)
        for subject in by_subject:
            if not subject.startswith(self.base):
                continue
            candidate = subject
            while len(candidate) > shortest:
                if candidate in by_subject:
                    found[candidate].append(subject)
                candidate = candidate[: candidate.rfind("/")]
        return dict(found)

    def label(self, subject: str, lang: str) -> str | None:
        properties = self.by_subject.get(subject)
        if properties is None:
            return None
        for predicate in _LABEL_PREDICATES:
            values = properties.get(predicate)
            if values:
                value = _literal_of(values, lang)
                if value is not None:
                    return value
        return None

    def path(self, iri: str) -> str:
        """The IRI relative to the base (``member/3064011``)."""
        return iri[len(self.base) :] if iri.startswith(self.base) else iri


def _literal_of(values: list[Term], lang: str | None) -> str | None:
    """The first literal of ``values``; with ``lang``, the one in that language (falling back to Polish, then
    any)."""
    literals = [o for o in values if isinstance(o, ox.Literal)]
    if lang is not None and len(literals) > 1:
        languages = [literal.language for literal in literals]
        for wanted in (lang, "pl"):
            if wanted in languages:
                return literals[languages.index(wanted)].value
    return literals[0].value if literals else None


_INDEX_CACHE: dict[int, tuple[list[ox.Triple], GraphIndex]] = {}


def graph_index(release: Release) -> GraphIndex:
    """The index of a release's graph, built once and shared by the writers of one build."""
    cached = _INDEX_CACHE.get(id(release.triples))
    if cached is not None and cached[0] is release.triples:
        return cached[1]
    index = GraphIndex.of(release.triples, release.dataset.settings.base_iri)
    _INDEX_CACHE.clear()  # one release at a time: do not keep old graphs alive
    _INDEX_CACHE[id(release.triples)] = (release.triples, index)
    return index


# -- editions: one member-year ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """One member-year report, published as its own dataset (and as its own files under ``editions/``)."""

    member: str  # TERYT
    year: int
    report_iri: str

    @property
    def key(self) -> str:
        return f"{self.member}-{self.year}"

    def file(self, suffix: str) -> str:
        return f"{EDITIONS_DIR}/{self.key}{suffix}"


def editions(release: Release) -> list[Edition]:
    base = release.dataset.settings.base_iri
    return [
        Edition(report.member, report.year, f"{base}report/{report.member}/{report.year}")
        for report in sorted(release.dataset.reports, key=lambda r: (r.member, r.year))
    ]


def edition_triples(index: GraphIndex, report_iri: str) -> list[ox.Triple]:
    """The part of the graph one report states: the report and its text, its memberships and activities with
    everything nested under their IRIs, and the description of the members, organisations and periods they
    name (links beyond them, e.g. to another year's report, stay links)."""
    roots = [report_iri, *index.referrers(report_iri, f"{CG}reportedIn")]
    owned = {s for root in roots for s in index.nested.get(root, ())}
    referenced = {
        value.value
        for subject in owned
        for values in index.by_subject[subject].values()
        for value in values
        if isinstance(value, ox.NamedNode) and value.value.startswith(index.base)
    }
    described = [r for r in referenced if index.path(r).split("/")[0] in ("member", "organisation", "period")]
    subjects = owned | {s for root in described for s in index.nested.get(root, ())}
    return [t for s in sorted(subjects) for t in index.triples_of[s]]


def write_editions(release: Release, out: Path) -> None:
    """``editions/{teryt}-{year}.ttl|.nt|.jsonld``: each member-year's part of the graph, for the catalogue."""
    base = release.dataset.settings.base_iri
    (out / EDITIONS_DIR).mkdir(exist_ok=True)

    def write(share: Sequence[Edition]) -> None:
        for edition in share:
            triples = edition_triples(index, edition.report_iri)
            write_turtle(triples, out / edition.file(".ttl"))
            write_ntriples(triples, out / edition.file(".nt"))
            write_compact_jsonld(triples, out / edition.file(".jsonld"), base)

    with paused_cycle_collector():
        index = graph_index(release)
        index.nested  # noqa: B018 -- computed once here, not once per worker
        in_parallel(editions(release), write)


def write_compact_jsonld(triples: list[ox.Triple], path: Path, base: str) -> None:
    """JSON-LD compacted against the published context (:func:`civicgraph.jsonld.compact_document`, the context
    embedded so that the file stands alone), without indentation: Python's JSON encoder is several times faster
    without it, and a national release writes thousands of these files."""
    document = compact_document(list(plain_triples(triples)), base)
    document["@context"] = [published_context(), {"@base": base}]
    path.write_bytes((json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode())


# -- digests ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFacts:
    """Size and digests of one published file, read from the file as written."""

    path: str  # relative to dist/, with "/" separators
    size: int
    sha256: str
    sha1: str  # DCAT-AP 2.1.1 accepts only SHA-1 checksums


_CHUNK = 1 << 20


def file_facts(out: Path, relative: str) -> FileFacts:
    """Size, SHA-256 and SHA-1 of a file, from one read of it (in chunks: a national graph file is 300 MB)."""
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    size = 0
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    with open(out / relative, "rb", buffering=0) as file:
        while read := file.readinto(buffer):
            sha256.update(view[:read])
            sha1.update(view[:read])
            size += read
    return FileFacts(relative, size, sha256.hexdigest(), sha1.hexdigest())


# The facts of the files hashed for the catalogue of a release, which SHA256SUMS reuses rather than reading
# every file again: (identity of the release's triples, out folder) -> relative path -> (stat, facts).
_FACTS_CACHE: dict[tuple[int, str], dict[str, tuple[tuple[int, int], FileFacts]]] = {}


R = TypeVar("R")


def _in_threads(work: Callable[[str], R], items: Sequence[str]) -> list[R]:
    """``work`` of every item, in order, done by :data:`MAX_WORKERS` threads taking every other item (the big
    files sort together); hashing runs in parallel because hashlib lets go of the interpreter lock."""
    shares = [items[start::MAX_WORKERS] for start in range(MAX_WORKERS)]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]  # every place is filled below
    with ThreadPoolExecutor(MAX_WORKERS) as pool:
        for start, done in enumerate(pool.map(lambda share: [work(item) for item in share], shares)):
            results[start::MAX_WORKERS] = done
    return results


def _stat_key(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def _hashed(out: Path, paths: Sequence[str]) -> dict[str, tuple[tuple[int, int], FileFacts]]:
    """The facts of the files, with each file's size and modification time from before it was read."""

    def hash_one(path: str) -> tuple[tuple[int, int], FileFacts]:
        stat = _stat_key(str(out / path))
        return stat, file_facts(out, path)

    return dict(zip(paths, _in_threads(hash_one, paths), strict=True))


def _remembered(
    release: Release, out: Path, hashed: dict[str, tuple[tuple[int, int], FileFacts]]
) -> dict[str, FileFacts]:
    _FACTS_CACHE.clear()  # one release at a time
    _FACTS_CACHE[(id(release.triples), str(out))] = hashed
    return {path: facts for path, (_stat, facts) in hashed.items()}


def files_facts(release: Release, out: Path, paths: Sequence[str]) -> dict[str, FileFacts]:
    """The facts of the files, hashed in threads, and remembered for :func:`write_checksums` of the same release."""
    return _remembered(release, out, _hashed(out, paths))


@contextmanager
def files_facts_meanwhile(
    release: Release, out: Path, paths: Sequence[str], minimum: int = 64
) -> Iterator[Callable[[], dict[str, FileFacts]]]:
    """:func:`files_facts` computed in a forked process while the caller goes on; gives the function that waits
    for them. A process, not a thread: a thread hashing next to a busy interpreter waits for its lock after
    every chunk it hashes, and hashes several times slower. Fewer than ``minimum`` files are hashed here, when
    they are asked for: a fork costs more."""
    if len(paths) < minimum:
        yield lambda: files_facts(release, out, paths)
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = pool.submit(_hashed, out, paths)
        yield lambda: _remembered(release, out, pending.result())


def released_files(out: Path) -> list[str]:
    """Every file of the release (hidden ones such as ``site/.htaccess`` included), sorted, ``/``-separated.

    ``os.walk`` rather than ``Path.rglob``: a national site has tens of thousands of files, and pathlib builds
    and parses a path object for each."""
    found = []
    for folder, _folders, files in os.walk(out):
        prefix = os.path.relpath(folder, out).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found += [prefix + name for name in files]
    return sorted(found)


def write_release_info(release: Release, out: Path) -> None:
    """``release.json``: the edition label, the build date and what the release contains."""
    settings = release.dataset.settings
    info = {
        "edition": settings.edition,
        "issued": build_date(settings).isoformat(),
        "generator": f"civicgraph {__version__}",
        "base_iri": settings.base_iri,
        "publish_url": settings.publish_url,
        "triples": len(release.triples),
        "editions": [{"member": e.member, "year": e.year, "report": e.report_iri} for e in editions(release)],
    }
    text = json.dumps(info, ensure_ascii=False, indent=1) + "\n"
    (out / RELEASE_FILE).write_text(text, encoding="utf-8")


def write_checksums(release: Release, out: Path) -> None:
    """``SHA256SUMS`` in the format ``sha256sum --check`` reads; written last, over every other file.

    The files the catalogue hashed are not read again, unless they changed since (size or modification time)."""
    root = str(out)
    known = _FACTS_CACHE.get((id(release.triples), root), {})

    def sha256(name: str) -> str:
        path = os.path.join(root, name)
        remembered = known.get(name)
        if remembered is not None and remembered[0] == _stat_key(path):
            return remembered[1].sha256
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()

    names = [name for name in released_files(out) if name != CHECKSUMS_FILE]
    lines = [f"{digest}  {name}\n" for name, digest in zip(names, _in_threads(sha256, names), strict=True)]
    (out / CHECKSUMS_FILE).write_text("".join(lines), encoding="utf-8")
