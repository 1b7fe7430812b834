"""``editions/{teryt}-{year}.ttl|.nt|.jsonld``: each member-year's report published as a dataset of its own, the
datasets of the catalogue's series.

An edition is what its report states, built by the same builder as the whole graph (:func:`edition_graph`): the
report and its text, the memberships it reports with the evidence and ends it gives, its activities, participants
and figures, the description of the members and organisations it names (members.yaml, organisations.yaml), the
periods it uses, and of the SKOS vocabularies the concepts it uses with the names of their schemes. So an edition

- validates alone against the shapes: nothing a check looks for is outside it;
- does not change when another report (another year, another member) is added: nothing in it comes from another
  report. A membership reported in two years is described in each year's edition as that year's report gives it —
  its start, when only the other year states it, is "not recorded" there — and the whole graph (``graph.nt``)
  joins the years. A shared record edited in members.yaml or organisations.yaml (a name, a Wikidata link)
  changes every edition that names it, as it should.

The files are written from :func:`edition_triples`, the same triples cut from the whole graph, several times
faster; ``tests/publish/test_editions.py`` checks that the two agree. Those that ``civicgraph build`` writes while
the graph is still being built have no graph to cut from, and are written from :func:`edition_graph`
(:func:`keyed_meanwhile`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.jsonld import write_compact_jsonld
from civicgraph.graph.rdfio import used_prefixes_of_plain, write_few_ntriples, write_rdfxml, write_turtle
from civicgraph.graph.terms import OxigraphTerms, PlainTriple, Term
from civicgraph.publish.negotiation import SITE_DIR
from civicgraph.publish.release import EDITION_FILES, EDITIONS_DIR, Edition, GraphIndex, Release, graph_index
from civicgraph.publish.reuse import NOT_PUBLISHED, key_of
from civicgraph.source.records import Dataset, NameVariant, Organisation, Report
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import CG, CGV, SKOS
from civicgraph.util.kept import KeptFor
from civicgraph.util.parallel import SHARED_FROM, forked, in_parallel, workers

_REPORTED_IN = f"{CG}reportedIn"
_ALT_LABEL = f"{SKOS}altLabel"
_CONCEPT, _IN_SCHEME, _HAS_TOP_CONCEPT = f"{SKOS}Concept", f"{SKOS}inScheme", f"{SKOS}hasTopConcept"
_DESCRIBED = ("member", "organisation", "period")  # what an edition describes of the resources it links to


def edition_dataset(dataset: Dataset, report: Report) -> Dataset:
    """The records one report rests on: the report, and the members and organisations it names."""
    members = {report.member}
    organisations = {membership.organisation for membership in report.memberships}
    for activity in report.activities:
        for participation in activity.participants:
            if participation.member is not None:
                members.add(participation.member)
            if participation.organisation is not None:
                organisations.add(participation.organisation)
    return Dataset(
        settings=dataset.settings,
        members={teryt: dataset.members[teryt] for teryt in sorted(members)},
        # Of the names an organisation was printed under, those this report printed: another year's are not part
        # of this one.
        organisations={key: _printed_in(dataset.organisations[key], report) for key in sorted(organisations)},
        reports=[report],
    )


def _printed_in(organisation: Organisation, report: Report) -> Organisation:
    """The organisation with only the variants of its name that ``report`` printed."""
    return replace(organisation, variants=_variants_printed_in(organisation, report))


def _variants_printed_in(organisation: Organisation, report: Report) -> tuple[NameVariant, ...]:
    return tuple(v for v in organisation.variants if (v.member, v.year) == (report.member, report.year))


def edition_graph(dataset: Dataset, report: Report) -> BuiltGraph:
    """The graph of one report's edition, by definition: the report's records built alone."""
    return build_graph(edition_dataset(dataset, report), vocabularies="used")


def edition_triples(index: GraphIndex, dataset: Dataset, report: Report) -> list[PlainTriple]:
    """:func:`edition_graph`'s triples in canonical order, cut from the whole graph (``index``) where they are the
    same there — everything but the memberships another report states too. Such a membership is shared by the
    member's reports, so its triples as this report states them are built anew (a few per membership); the rest
    are the whole graph's triples."""
    base = index.base
    report_iri = f"{base}report/{report.member}/{report.year}"
    memberships = f"{base}membership/"
    triples_of: dict[str, Sequence[PlainTriple]] = {}
    stated_here = index.referrers(report_iri, _REPORTED_IN)
    if any(index.iris(m, _REPORTED_IN) != [report_iri] for m in stated_here if m.startswith(memberships)):
        stated: dict[str, list[PlainTriple]] = {}
        for triple in build_graph(_memberships_only(dataset, report), vocabularies="none").plain:
            if triple[0].startswith(memberships):
                stated.setdefault(triple[0], []).append(triple)
        triples_of.update(stated)
        roots = [report_iri, *(r for r in stated_here if not r.startswith(memberships))]
    else:  # no other report states its memberships: the whole graph's triples of them are this report's
        roots = [report_iri, *stated_here]
    for subject in (s for root in roots for s in index.under(root)):
        triples_of[subject] = index.triples_of(subject)
    for iri in _linked(triples_of.values()):
        if iri.startswith(base) and index.path(iri).split("/")[0] in _DESCRIBED:
            printed = _names_printed_in(dataset, _last(iri), report)
            for subject in index.under(iri):
                triples_of[subject] = [
                    t for t in index.triples_of(subject) if t[1] != _ALT_LABEL or _value(t[2]) in printed
                ]
    for subject, triples in _used_vocabulary(index, _linked(triples_of.values())):
        triples_of[subject] = triples
    return [triple for subject in sorted(triples_of) for triple in triples_of[subject]]


def _names_printed_in(dataset: Dataset, key: str, report: Report) -> set[str]:
    """The names of organisation ``key`` that ``report`` printed (none for a key that names no organisation)."""
    organisation = dataset.organisations.get(key)
    return {v.name for v in _variants_printed_in(organisation, report)} if organisation is not None else set()


def _memberships_only(dataset: Dataset, report: Report) -> Dataset:
    """The report with its memberships and nothing else, to build what it states of them."""
    return Dataset(settings=dataset.settings, reports=[replace(report, figures=(), activities=())])


def _linked(groups: Iterable[Sequence[PlainTriple]]) -> set[str]:
    """The IRIs the triples link to."""
    return {obj for triples in groups for _s, _p, obj in triples if type(obj) is str}


def _used_vocabulary(index: GraphIndex, linked: set[str]) -> list[tuple[str, Sequence[PlainTriple]]]:
    """The concepts among ``linked`` and their schemes, as ``build_graph(..., vocabularies="used")`` gives them."""
    used = [iri for iri in linked if iri.startswith(CGV) and index.has_type(iri, _CONCEPT)]
    schemes = {scheme for concept in used for scheme in index.iris(concept, _IN_SCHEME)}
    described = [(concept, index.triples_of(concept)) for concept in used]
    for scheme in schemes:
        kept = [t for t in index.triples_of(scheme) if t[1] != _HAS_TOP_CONCEPT or t[2] in linked]
        described.append((scheme, kept))
    return described


def _value(obj: Term) -> str:
    return obj if isinstance(obj, str) else obj.lexical


def _last(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# Not an edition file, but written with them from the same triples: the RDF/XML of the report's page on the site
# (SITE_DIR/report/{teryt}/{year}.rdf), its triples in the order of the edition's N-Triples lines.
PAGE_RDFXML = ".rdf"


def made_keeping_vocabularies(triples: Sequence[PlainTriple], kept: dict[PlainTriple, ox.Triple]) -> list[ox.Triple]:
    """An edition's triples as Oxigraph triples, in order. Those of the vocabularies are taken from ``kept`` or
    made and put there: every edition describes the concepts it uses, the same triples in each (638,000 of the
    1.81 million triples of a national year's editions, 58% of them with a literal object, which costs Oxigraph
    1.5 µs to make)."""
    terms = OxigraphTerms()
    made: list[ox.Triple] = []
    others: list[PlainTriple] = []  # a run of the edition's own triples, made together
    for triple in triples:
        if not triple[0].startswith(CGV):
            others.append(triple)
            continue
        if others:
            made += terms.triples(others)
            others = []
        found = kept.get(triple)
        if found is None:
            found = kept[triple] = next(terms.triples((triple,)))
        made.append(found)
    made += terms.triples(others)
    return made


def report_page_file(edition: Edition, suffix: str) -> str:
    """A file of the report's page on the site: its path is its IRI's below the base."""
    return f"{SITE_DIR}/report/{edition.member}/{edition.year}{suffix}"


def edition_key(dataset: Dataset, report: Report) -> str:
    """What an edition's files are made from (:mod:`civicgraph.publish.reuse`): the records of
    :func:`edition_dataset` and the base IRI — the only setting the builder and the JSON-LD writer read. Where a
    record was read from (file and line) is left out: it changes when another record above it is edited, and no
    file of the edition shows it."""
    records = edition_dataset(dataset, report)
    return key_of(
        dataset.settings.base_iri, records.members, records.organisations, records.reports, skip=NOT_PUBLISHED
    )


# Each report's edition key, by (member, year), made by :func:`keyed_meanwhile` for one dataset.
EditionKeys = dict[tuple[str, int], str]
_KEYS_MADE: KeptFor[EditionKeys] = KeptFor()


def edition_keys(dataset: Dataset) -> EditionKeys:
    """The key of every report's edition (:func:`edition_key`), by (member, year)."""
    return {(report.member, report.year): edition_key(dataset, report) for report in dataset.reports}


@contextmanager
def keyed_meanwhile(dataset: Dataset, ahead: Path | None = None) -> Iterator[None]:
    """Key every edition of ``dataset`` in a forked child while the block runs, for :func:`write_editions` to take.

    ``civicgraph build`` builds the graph meanwhile, which is work for one core: the keys, made from the records
    alone, then cost no time where the editions' writer made them with the other core idle (0.44 s at a national
    year, 1.25 s at three). The child copies the pages of the records it reads and ends with the block, before the
    stages that use the most memory. Below :data:`SHARED_FROM` reports or with one core, nothing is forked and
    the writer keys the editions itself.

    With ``ahead``, the folder the release is written into when every edition will be written there (nothing to
    take from an earlier release), the child then writes editions into it, from the records and from the last
    one, until the block ends (:func:`_written_until_told`); the editions' writer writes only the others."""
    if len(dataset.reports) < SHARED_FROM or workers() < 2:
        yield
        return
    with forked(partial(_keyed_and_written_ahead, dataset, ahead)) as channel:
        yield
        channel.send(_BLOCK_ENDED)
        keys, written = channel.recv()
        _KEYS_MADE.keep(dataset, keys)
        if ahead is not None:
            _WRITTEN_AHEAD.keep(dataset, (ahead, written))


_BLOCK_ENDED = "ended"  # what the child of keyed_meanwhile waits for, and looks for between editions

# The editions written ahead by keyed_meanwhile's child for one dataset: the folder, and their (member, year).
_WRITTEN_AHEAD: KeptFor[tuple[Path, set[tuple[str, int]]]] = KeptFor()


def _keyed_and_written_ahead(dataset: Dataset, ahead: Path | None, channel: Connection) -> None:
    """The child's work: every edition's key, then (``ahead``) editions written until the block ends; both are sent
    once the block has ended. The keys are sent last: a national year's do not fit in the pipe, and the child would
    wait for the parent to read them instead of writing editions."""
    with paused_cycle_collector():
        keys = edition_keys(dataset)
        written = _written_until_told(dataset, ahead, channel) if ahead is not None else set()
        channel.recv()  # the block's end: at once when it stopped the writing, else waited for
        channel.send((keys, written))


def _written_until_told(dataset: Dataset, out: Path, channel: Connection) -> set[tuple[str, int]]:
    """Editions made from the records (:func:`edition_graph`: the same triples as :func:`edition_triples` cuts from
    the whole graph, 1.2 ms instead of 0.2 of the 4 ms an edition costs in all) and written into ``out``, from the
    last one, until ``channel`` has a message: the editions whose files are whole. The block's end is looked for
    before each edition (one system call), so the child ends within an edition of it."""
    base = dataset.settings.base_iri
    vocabularies: dict[PlainTriple, ox.Triple] = {}
    written: set[tuple[str, int]] = set()
    (out / EDITIONS_DIR).mkdir(exist_ok=True)
    for report in sorted(dataset.reports, key=lambda r: (r.member, r.year), reverse=True):
        if channel.poll():
            break
        edition = Edition.of(report, base)
        (out / report_page_file(edition, "")).parent.mkdir(parents=True, exist_ok=True)
        _write_edition(out, base, edition, edition_graph(dataset, report).plain, vocabularies)
        written.add((report.member, report.year))
    return written


def _write_edition(
    out: Path, base: str, edition: Edition, triples: list[PlainTriple], vocabularies: dict[PlainTriple, ox.Triple]
) -> None:
    """An edition's files and its report page's RDF/XML, from its triples in canonical order (``vocabularies``: the
    Oxigraph triples of the vocabularies' part made so far in this process, :func:`made_keeping_vocabularies`)."""
    made = made_keeping_vocabularies(triples, vocabularies)  # for Oxigraph's serializers
    prefixes = used_prefixes_of_plain(triples)  # for both formats that abbreviate
    write_turtle(made, out / edition.file(".ttl"), prefixes=prefixes)
    in_lines = write_few_ntriples(made, out / edition.file(".nt"))
    write_rdfxml(in_lines, out / report_page_file(edition, PAGE_RDFXML), prefixes=prefixes)
    write_compact_jsonld(triples, out / edition.file(".jsonld"), base)


def write_editions(release: Release, out: Path) -> None:
    """Every edition's Turtle, N-Triples and JSON-LD (the context embedded: each file stands alone), and the
    RDF/XML of its report's page (:data:`PAGE_RDFXML`); an edition whose files the release being replaced holds,
    made from the same records, is taken from it."""
    dataset, reuse = release.dataset, release.reuse
    base = dataset.settings.base_iri
    (out / EDITIONS_DIR).mkdir(exist_ok=True)
    for folder in sorted({(out / report_page_file(Edition.of(r, base), "")).parent for r in dataset.reports}):
        folder.mkdir(parents=True, exist_ok=True)  # before a page's file is taken from the earlier release
    keys = _KEYS_MADE.take_or_make(dataset, lambda: edition_keys(dataset))
    written_ahead = _written_ahead_into(out, dataset)
    to_write = []
    for report in sorted(dataset.reports, key=lambda r: (r.member, r.year)):
        key = keys[(report.member, report.year)]
        edition = Edition.of(report, base)
        files = [*(edition.file(suffix) for suffix in EDITION_FILES), report_page_file(edition, PAGE_RDFXML)]
        reuse.declare(*files, key=key)
        if (report.member, report.year) not in written_ahead and not reuse.take_all(files, out):
            to_write.append(report)

    def write(share: Sequence[Report]) -> None:
        for report in share:
            _write_edition(out, base, Edition.of(report, base), edition_triples(index, dataset, report), vocabularies)

    besides = release.take_besides()  # other writers' work, dealt with the editions (see publish())
    if not to_write and not besides:
        return
    # With few editions to write (a build into the earlier release), everything is done here, the other writers'
    # work too: dealt to a forked process, a national year's tables took it 2.4 s, its first touch of the index,
    # against 1.2–1.5 s here, and the editions' stage gained nothing (see in_parallel's ``minimum``).
    vocabularies: dict[PlainTriple, ox.Triple] = {}  # each process fills its own
    with paused_cycle_collector():
        index = graph_index(release)  # before the fork: the editions and the tables read it
        in_parallel(to_write, write, besides=besides)


def _written_ahead_into(out: Path, dataset: Dataset) -> set[tuple[str, int]]:
    """The editions of ``dataset`` that :func:`keyed_meanwhile`'s child wrote into ``out``, no longer kept."""
    kept = _WRITTEN_AHEAD.take(dataset)
    return kept[1] if kept is not None and kept[0] == out else set()
