"""The release being written: the dataset, its graph, an index of the graph the writers read, the editions (one
per member-year), and the build date.

The build date never comes from the clock: ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) when set,
otherwise the ``build_date`` setting of ``data/civicgraph.yaml``, which is required either way. The same data and
the same date give byte-identical files.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from civicgraph.graph.build import BuiltGraph
from civicgraph.graph.terms import Lit, PlainTriple, Term
from civicgraph.publish.reuse import Reuse
from civicgraph.source.records import Dataset, Report, Settings
from civicgraph.util.digests import HashedAhead
from civicgraph.util.errors import ExitCode, Failure, Message
from civicgraph.util.iris import DCT, RDF_TYPE, RDFS, SKOS
from civicgraph.util.kept import KeptFor

EDITIONS_DIR = "editions"
EDITION_FILES = (".ttl", ".nt", ".jsonld")  # each edition's, under EDITIONS_DIR; a report's page links them
CHECKSUMS_FILE = "SHA256SUMS"
RELEASE_FILE = "release.json"

# Predicates whose value names a resource, in the order a label is looked for.
LABEL_PREDICATES = (f"{SKOS}prefLabel", f"{DCT}title", f"{RDFS}label")


@dataclass
class GraphChange:
    """How the graph differs from the graph of the release being replaced: the predicates of the triples added or
    removed (``rdf:type`` among them when a type was), found by the graph files' writer as it writes its files from
    that release's (:func:`civicgraph.publish.graph_files.write_graph_files`); None while not known (a first build,
    ``--full``, too many subjects changed). A file made from the triples of some predicates alone is the earlier
    release's file when none of them changed: the tables take theirs so (:func:`unchanged_predicates`)."""

    predicates: frozenset[str] | None = None
    # The subjects whose triples were added, changed or removed, and those of them the earlier graph did not have
    # (``added``); the IRIs the triples of those subjects refer to, before or now (``referred``): found with the
    # predicates. A page that shows, links to and is linked from none of them is shown as before
    # (:func:`civicgraph.publish.site.generic.view_keys`).
    subjects: frozenset[str] | None = None
    added: frozenset[str] | None = None
    referred: frozenset[str] | None = None
    # The key of this graph's subjects' digests (the graph files are declared with it); None when the build made
    # no digests (into a new folder).
    digests_key: str | None = None

    def unchanged(self) -> None:
        """Note that no subject's triples changed (the same digests)."""
        self.predicates = self.subjects = self.added = self.referred = frozenset()


@dataclass(frozen=True)
class Release:
    """What a writer needs: the dataset, its graph, the triples in canonical order (plain terms,
    :mod:`civicgraph.graph.terms`), and what the release being replaced offers to reuse (nothing unless the build
    asks for it)."""

    dataset: Dataset
    built: BuiltGraph
    triples: list[PlainTriple]
    reuse: Reuse = field(default_factory=Reuse)
    size: int = field(init=False)  # the number of triples, kept when they are let go (:meth:`BuiltGraph.let_go`)
    # Writers' work left for the next writer that deals its own between processes to deal with it (the ``besides``
    # of :func:`civicgraph.util.parallel.in_parallel`); see :func:`civicgraph.publish.orchestrator.publish`.
    besides: list[Callable[[], None]] = field(default_factory=list, init=False)
    # What the writers so far have left that no later writer reads, to be let go of (see
    # :func:`civicgraph.publish.orchestrator.publish` and :meth:`let_go_of_unread`).
    unread: list[Callable[[], None]] = field(default_factory=list, init=False)
    # Files written so far that another process hashes meanwhile, for the catalogue's facts
    # (:func:`civicgraph.publish.checksums.hashed_ahead`).
    hashed_ahead: list[HashedAhead] = field(default_factory=list, init=False)
    change: GraphChange = field(default_factory=GraphChange, init=False)
    # What a writer made that no later writer reads, held as long as the release rather than freed as the writer
    # returns: a build whose process ends without freeing its objects (``publish(ends=True)``) then never frees it.
    # A three-year national catalogue took 1.0 s to free, while the other core had nothing to do.
    held: list[object] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.triples))  # frozen: set once, here

    def take_besides(self) -> list[Callable[[], None]]:
        """The work left to be dealt, each job given once."""
        return _emptied(self.besides)

    def let_go_of_unread(self) -> None:
        """Let go of what no later writer reads. Done before a writer starts, or by a writer that first starts work
        in another process, once it has: letting go is work for this process alone, which then costs no time."""
        while self.unread:
            self.unread.pop(0)()


Writer = Callable[[Release, Path], None]


def unchanged_predicates(release: Release, predicates: frozenset[str]) -> bool:
    """Whether no triple of ``predicates`` was added to or removed from the graph since the release being replaced
    (False when that is not known)."""
    changed = release.change.predicates
    return changed is not None and changed.isdisjoint(predicates)


def _emptied(jobs: list[Callable[[], None]]) -> list[Callable[[], None]]:
    """What ``jobs`` held, ``jobs`` left empty."""
    taken = list(jobs)
    jobs.clear()
    return taken


# -- the build date -------------------------------------------------------------------------------------------


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
# The value as reproducible-builds.org specifies it: an integer in ASCII digits, as `date +%s` prints it (a sign,
# a "_", spaces or other scripts' digits, which int() takes, are not).
_SECONDS = re.compile("[0-9]+")
_EPOCH = date(1970, 1, 1)
# The last second of 9999-12-31, the last day a date can be: seconds beyond it give no date.
_LAST_SECOND = (date.max - _EPOCH).days * 86400 + 86399


def build_date(settings: Settings) -> date:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) if set, else the ``build_date`` setting; never the clock.

    The setting is required (:data:`civicgraph.source.reader.PUBLICATION_FIELDS`): a build reads it even where the
    variable overrides it, so settings read from a data folder always give a date."""
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "")
    if epoch:  # set but empty counts as not set, as Python's own py_compile takes it
        return date_of_source_epoch(epoch)
    if settings.build_date is None:  # only settings made in code, never read: the reader requires the date
        raise ValueError("settings without build_date: civicgraph.yaml must give it")
    return settings.build_date


def date_of_source_epoch(value: str) -> date:
    """The UTC day of ``value``, a ``SOURCE_DATE_EPOCH``; a :class:`Failure` (exit 3, as a setting that does not
    read) naming the variable and the value when it is no integer in ASCII digits, or gives no date."""
    if not _SECONDS.fullmatch(value):
        raise Failure(
            Message(
                f"{SOURCE_DATE_EPOCH}={value!r} nie jest liczbą sekund od 1970-01-01 00:00 UTC: podaj same cyfry "
                "0-9, jak wypisuje je `date +%s`",
                f"{SOURCE_DATE_EPOCH}={value!r} is not a number of seconds since 1970-01-01 00:00 UTC: give digits "
                "0-9 alone, as `date +%s` prints them",
            ),
            ExitCode.BAD_INPUT,
        )
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(_LAST_SECOND)) or int(digits) > _LAST_SECOND:  # int() of thousands of digits fails
        raise Failure(
            Message(
                f"{SOURCE_DATE_EPOCH}={value!r} to data po 9999-12-31, ostatnim dniu, jaki może mieć wydanie: podaj "
                f"najwyżej {_LAST_SECOND} sekund",
                f"{SOURCE_DATE_EPOCH}={value!r} is a date after 9999-12-31, the last day a release can have: give "
                f"at most {_LAST_SECOND} seconds",
            ),
            ExitCode.BAD_INPUT,
        )
    return _EPOCH + timedelta(days=int(digits) // 86400)


# -- an index of the graph --------------------------------------------------------------------------------------


@dataclass
class GraphIndex:
    """The triples of a release grouped by subject, with the incoming links of every IRI and the types of every
    subject: the values are the plain triples' own terms (:mod:`civicgraph.graph.terms`: an IRI a ``str``, a
    literal a :class:`Lit`), each subject's triples the run of the plain triples they are.

    Values keep the canonical order of :func:`civicgraph.graph.rdfio.sorted_triples`, so everything derived from the
    index (pages, tables) comes out in a stable order.

    A subject's properties (its values by predicate) are grouped when first asked for, from its run, and kept, unless
    the index is made with every subject's grouped (``grouped_now``). A build into an earlier release with one
    report changed asks for a few thousand of a national year's 200,146 subjects: indexing took 0.65 s instead of
    0.93, and the build with one figure corrected 9.34 s against 9.60 (``bench_tricks.py``: 6 alternating pairs,
    faster in 5). A build that writes every page asks for them all, in several processes: it groups them as it
    indexes.
    """

    base: str
    triples: Sequence[PlainTriple] = ()
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # subject -> where its triples start and end
    incoming: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # object -> [(subject, predicate)]
    subjects_in_order: list[str] = field(default_factory=list)  # sorted (:meth:`under`)
    # Each typed subject's types, and each type's subjects: the site asks for the first hundreds of thousands of
    # times, the tables and the site's indexes for the second (a national year: 0.15 s per look through the types).
    # Made with the rest, before the writers' processes fork, rather than by each of them when first asked.
    types_of: dict[str, list[str]] = field(default_factory=dict)
    subjects_of: dict[str, list[str]] = field(default_factory=dict)
    grouped: dict[str, dict[str, list[Term]]] = field(default_factory=dict)  # the properties grouped so far

    @classmethod
    def of(cls, triples: Sequence[PlainTriple], base: str, grouped_now: bool = True) -> GraphIndex:
        """The index of plain triples grouped by subject, in canonical order; ``grouped_now``: with every
        subject's properties grouped, else each when first asked for."""
        # Plain dicts filled with get/append rather than nested defaultdicts converted afterwards: a national
        # graph has a million triples, and this loop is most of what indexing it costs. The terms are the triples'
        # own: an IRI is one interned str wherever it occurs, so looking one up hashes nothing.
        spans: dict[str, tuple[int, int]] = {}
        incoming: dict[str, list[tuple[str, str]]] = {}
        types_of: dict[str, list[str]] = {}
        subjects_of: dict[str, list[str]] = {}
        grouped: dict[str, dict[str, list[Term]]] = {}
        properties: dict[str, list[Term]] = {}
        last: str | None = None
        start = 0
        for position, (s, p, o) in enumerate(triples):
            if s != last:
                if type(s) is not str:
                    raise ValueError(f"a blank node as a subject in a published graph: {s}")
                if last is not None:  # the previous subject's run ends here
                    spans[last] = (start, position)
                if s in spans:
                    raise ValueError(f"the triples of {s} do not follow each other")
                last, start = s, position
                if grouped_now:
                    properties = grouped[s] = {}
            if grouped_now:  # as properties() groups, here in the one pass: a second pass took 0.26 s more
                values = properties.get(p)
                if values is None:
                    properties[p] = [o]
                else:
                    values.append(o)
            if type(o) is str:
                if p == RDF_TYPE:
                    types = types_of.get(s)
                    if types is None:
                        types_of[s] = [o]
                    else:
                        types.append(o)
                    typed = subjects_of.get(o)
                    if typed is None:
                        subjects_of[o] = [s]
                    else:
                        typed.append(s)
                else:
                    links = incoming.get(o)
                    if links is None:
                        incoming[o] = [(s, p)]
                    else:
                        links.append((s, p))
            elif type(o) is not Lit:
                raise ValueError(f"a blank node as an object in a published graph: {s} {p} {o}")
        if last is not None:
            spans[last] = (start, len(triples))
        # the canonical order gives the subjects sorted already: sorting them is one linear pass
        return cls(base, triples, spans, incoming, sorted(spans), types_of, subjects_of, grouped)

    def properties(self, subject: str) -> dict[str, list[Term]] | None:
        """The subject's values by predicate, in canonical order; None for an IRI that is no subject."""
        properties = self.grouped.get(subject)
        if properties is None:
            span = self.spans.get(subject)
            if span is None:
                return None
            properties = self.grouped[subject] = {}
            for _s, p, o in self.triples[span[0] : span[1]]:
                values = properties.get(p)
                if values is None:
                    properties[p] = [o]
                else:
                    values.append(o)
        return properties

    @property
    def subjects(self) -> Iterable[str]:
        """Every subject, in canonical order."""
        return self.spans.keys()

    def triples_of(self, subject: str) -> Sequence[PlainTriple]:
        """The subject's triples in canonical order (none for an IRI that is no subject)."""
        span = self.spans.get(subject)
        return self.triples[span[0] : span[1]] if span is not None else ()

    def objects(self, subject: str, predicate: str) -> Sequence[Term]:
        # Asked millions of times by the site: no empty dict or list made for each miss, and the properties
        # grouped already found without a call.
        properties = self.grouped.get(subject)
        if properties is None:
            properties = self.properties(subject)
        return properties.get(predicate, ()) if properties is not None else ()

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [o for o in self.objects(subject, predicate) if type(o) is str]

    def iri(self, subject: str, predicate: str) -> str | None:
        found = self.iris(subject, predicate)
        return found[0] if found else None

    def literal(self, subject: str, predicate: str, lang: str | None = None) -> str | None:
        """The first literal value; with ``lang``, the one in that language (falling back to Polish, then any)."""
        return _literal_of(self.objects(subject, predicate), lang)

    def types(self, subject: str) -> list[str]:
        return self.types_of.get(subject, [])

    def has_type(self, subject: str, cls: str) -> bool:
        return cls in self.types_of.get(subject, ())

    def of_type(self, cls: str) -> list[str]:
        return sorted(self.subjects_of.get(cls, ()))  # in canonical order already: one linear pass

    def referrers(self, obj: str, predicate: str) -> list[str]:
        return sorted(s for s, p in self.incoming.get(obj, []) if p == predicate)

    def under(self, iri: str) -> list[str]:
        """The subject ``iri`` under the base IRI and the subjects nested under it by IRI path (``…/figure/x``
        under its activity), in order; none when ``iri`` is no such subject (:func:`extending`: cutting a national
        year's graph per report needs no map of every subject's descendants, 0.6–0.9 s to make before the
        editions' workers fork, 38 MB)."""
        if len(iri) <= len(self.base) or not iri.startswith(self.base) or iri not in self.spans:
            return []
        return [iri, *extending(self.subjects_in_order, iri)]

    def label(self, subject: str, lang: str) -> str | None:
        properties = self.properties(subject)
        if properties is None:
            return None
        for predicate in LABEL_PREDICATES:
            values = properties.get(predicate)
            if values:
                value = _literal_of(values, lang)
                if value is not None:
                    return value
        return None

    def path(self, iri: str) -> str:
        """The IRI relative to the base (``member/3064011``)."""
        return iri[len(self.base) :] if iri.startswith(self.base) else iri


def _literal_of(values: Sequence[Term], lang: str | None) -> str | None:
    """The first literal of ``values``; with ``lang``, the one in that language (falling back to Polish, then
    any)."""
    literals = [o for o in values if type(o) is Lit]
    if lang is not None and len(literals) > 1:
        languages = [literal.language for literal in literals]
        for wanted in (lang, "pl"):
            if wanted in languages:
                return literals[languages.index(wanted)].lexical
    return literals[0].lexical if literals else None


def extending(subjects: Sequence[str], iri: str) -> Sequence[str]:
    """The sorted ``subjects`` that extend ``iri`` with "/": they sort in one run after ``iri/`` and before
    ``iri0`` ("0" follows "/"), found by two bisections."""
    return subjects[bisect_left(subjects, f"{iri}/") : bisect_left(subjects, f"{iri}0")]


_INDEXES: KeptFor[GraphIndex] = KeptFor()  # by the release's triples: one graph at a time
# Into an earlier release, each subject's properties are grouped when first asked for (:class:`GraphIndex`).
_GROUPED_WHEN_ASKED = True


def graph_index(release: Release) -> GraphIndex:
    """The index of a release's graph, built once and shared by the writers of one build."""
    # Into an earlier release, most pages and rows are taken: their subjects are never asked for.
    grouped_now = release.reuse.folder is None or not _GROUPED_WHEN_ASKED
    return _INDEXES.get_or_keep(
        release.triples, lambda: GraphIndex.of(release.triples, release.dataset.settings.base_iri, grouped_now)
    )


def forget_index(release: Release) -> None:
    """Let the index of the release's graph go once no writer will read it: what the writers after it make (the
    catalogue's triples) then takes its place (a national year's index: 0.13 GB)."""
    _INDEXES.forget(release.triples)


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

    @classmethod
    def of(cls, report: Report, base: str) -> Edition:
        return cls(report.member, report.year, f"{base}report/{report.member}/{report.year}")


def editions(release: Release) -> list[Edition]:
    """One edition per report, by member and year."""
    return editions_of(release.dataset)


def editions_of(dataset: Dataset) -> list[Edition]:
    """:func:`editions` of a release of ``dataset``."""
    base = dataset.settings.base_iri
    return [Edition.of(report, base) for report in sorted(dataset.reports, key=lambda r: (r.member, r.year))]
