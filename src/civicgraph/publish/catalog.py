"""The DCAT-AP catalogue of a release (``catalog.ttl``, ``catalog.jsonld``), as portals harvest it.

What is catalogued (:func:`plan`): the whole graph as one dataset, and every member-year report as a dataset of
its own in a ``dcat:DatasetSeries`` per member — each with a distribution per published file. The catalogue is
built from strings and Oxigraph terms (the triples of both profiles once, grouped by subject) and serialized in
rdfio's canonical order; checksums and byte sizes are read from the files as written, so this writer runs after
every writer of a catalogued file.

Two profiles of the same catalogue are written, because the two DCAT-AP versions portals check cannot both be
met by one graph (docs/publishing.md):

* ``catalog.ttl`` / ``catalog.jsonld`` — DCAT-AP 3.0.1: SHA-256 checksums, ``dcat:byteSize`` as
  ``xsd:nonNegativeInteger``;
* ``catalog.dcat-ap-2.ttl`` — DCAT-AP 2.1.1 (what data.europa.eu converts harvests to, and what dane.gov.pl's
  importer checks): SHA-1 checksums (2.1.1 allows no other algorithm), ``dcat:byteSize`` as ``xsd:decimal``.

Every vocabulary term the catalogue links to carries its type, scheme and label in the catalogue itself: the
DCAT-AP range and vocabulary shapes check them on the data alone.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyoxigraph as ox

from civicgraph.graph.rdfio import (
    prefixes_for,
    rdfxml_of,
    sorted_ntriples_of,
    turtle_of,
    write_ntriples,
    write_rdfxml,
    write_turtle,
)
from civicgraph.graph.splice import (
    NTRIPLES,
    RDFXML,
    DoesNotFit,
    Syntax,
    flat_jsonld,
    splice_file,
    turtle,
    worth_splicing,
)
from civicgraph.graph.terms import OxigraphTerms
from civicgraph.publish.checksums import files_facts_meanwhile
from civicgraph.publish.release import build_date
from civicgraph.publish.reuse import Reuse, key_of
from civicgraph.source.records import Text
from civicgraph.util.digests import FileFacts
from civicgraph.util.folders import same_file
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import RDF_TYPE
from civicgraph.util.parallel import forked, in_parallel, workers

if TYPE_CHECKING:
    from civicgraph.publish.release import Release


from civicgraph.publish.negotiation import SITE_DIR
from civicgraph.publish.plan import (
    ANNUAL,
    CATALOG_AP2_FILE,
    CATALOG_FILES,
    CATALOG_PAGES_DIR,
    CATALOG_PREFIXES,
    CSVW_STANDARD,
    DCAT,
    DCATAP,
    DCTERMS,
    EU,
    FIRST_CATALOG_PAGE,
    FOAF,
    GSP,
    HYDRA,
    IANA,
    LANGUAGES,
    ONTOLOGY,
    OWL,
    PUBLIC,
    PUBLISHER_TYPE_LABELS,
    SCHEMES,
    SHAPES,
    SKOS,
    SPDX,
    STABLE,
    THEMES,
    VCARD,
    XSD,
    CatalogIris,
    PlannedDataset,
    PlannedFile,
    PlannedSeries,
    Term,
    licence_of,
    plan,
    plan_keys,
    publisher_iri,
)

# -- the graph --------------------------------------------------------------------------------------------------

Object = ox.NamedNode | ox.Literal
# A predicate of a subject, with its objects in canonical order and the triples stating them, in the same order.
Entry = tuple[str, list[Object], list[ox.Triple]]
# A subject of the catalogue with its entries, predicates in canonical order.
Node = tuple[str, list[Entry]]


class _Triples:
    """Triples grouped by subject and predicate, each one kept once: a national catalogue states many triples
    (the vocabulary terms' labels, the publisher, the licence) again for every dataset or distribution."""

    def __init__(self, named: Callable[[str], ox.NamedNode], made: _Triples | None = None) -> None:
        self.named = named
        self.subjects: dict[str, dict[str, set[Object]]] = {}
        self._entries: dict[str, list[Entry]] = {}
        self._made = made  # triples made already (the whole catalogue's, for a page): a subject's entries taken

    def add(self, s: str, p: str, o: Object) -> None:
        # get() rather than setdefault(): setdefault makes a dict and a set to throw away on each of the half
        # million calls of a national catalogue.
        predicates = self.subjects.get(s)
        if predicates is None:
            self.subjects[s] = {p: {o}}
            return
        objects = predicates.get(p)
        if objects is None:
            predicates[p] = {o}
        else:
            objects.add(o)

    def entries(self, subject: str) -> list[Entry]:
        """The subject's predicates in canonical order, with their triples — made once, and shared by both
        profiles: an ``ox.Triple`` with a literal object costs microseconds to make."""
        found = self._entries.get(subject)
        if found is None:
            predicates = self.subjects[subject]
            made = self._made
            if made is not None and made.subjects.get(subject) == predicates:  # the same objects of each predicate
                found = made.entries(subject)
            else:
                node = self.named(subject)
                found = [_entry(node, self.named(p), predicates[p]) for p in _in_order(predicates)]
            self._entries[subject] = found
        return found


def _in_order(predicates: Collection[str]) -> list[str]:
    """The predicates in canonical order: ``rdf:type`` first, then by IRI (sorted as plain strings: a key
    function would be called for each one)."""
    ordered = sorted(predicates)
    if RDF_TYPE in predicates:
        ordered.remove(RDF_TYPE)
        ordered.insert(0, RDF_TYPE)
    return ordered


def _predicate_order(predicate: str) -> tuple[bool, str]:
    return predicate != RDF_TYPE, predicate


def _entry(subject: ox.NamedNode, predicate: ox.NamedNode, objects: Collection[Object]) -> Entry:
    # By N-Triples text, as rdfio's canonical order compares objects; most predicates have one object.
    ordered = [*objects] if len(objects) == 1 else sorted(objects, key=str)
    return predicate.value, ordered, [ox.Triple(subject, predicate, obj) for obj in ordered]


def _merged(subject: ox.NamedNode, shared: list[Entry], own: list[Entry]) -> list[Entry]:
    """The entries of a subject that has triples of both kinds: the shared entries (and triples) kept as they
    are, the profile's put in their place, and a predicate of both kinds given the objects of both."""
    entries = [*shared]
    for entry in own:
        predicate, objects, _triples = entry
        place = bisect_left(entries, _predicate_order(predicate), key=lambda found: _predicate_order(found[0]))
        if place < len(entries) and entries[place][0] == predicate:
            entries[place] = _entry(subject, ox.NamedNode(predicate), {*entries[place][1], *objects})
        else:
            entries.insert(place, entry)
    return entries


@dataclass
class Catalog:
    """The catalogue in both profiles: what they share, and the few triples each states on its own (the
    checksum algorithm and value, the datatype of the byte size)."""

    shared: _Triples
    profiles: dict[int, _Triples]  # 3: DCAT-AP 3.0.1, 2: DCAT-AP 2.1.1
    # Subjects whose blocks are copied from the earlier release's files (:func:`_written_from`): none of their
    # triples is made (:class:`_CatalogBuilder`), and they are left out of the nodes.
    copied: frozenset[str] = frozenset()
    known_prefixes: dict[str, str] = field(default_factory=lambda: CATALOG_PREFIXES)  # those it may declare
    _prefixes: dict[int, dict[str, str]] = field(default_factory=dict)

    def prefixes(self, profile: int) -> dict[str, str]:
        """The prefixes (the catalogue's, and the project's) that the Turtle file of the profile uses."""
        if not self._prefixes:
            shared = written_iris(self.shared)
            for each in self.profiles:
                used = shared | written_iris(self.profiles[each])
                self._prefixes[each] = prefixes_for(used, self.known_prefixes)
        return self._prefixes[profile]

    def nodes(self, profile: int) -> list[Node]:
        """The nodes of the profile in rdfio's canonical order: by subject, then ``rdf:type`` first and by
        predicate, then by object."""
        shared, own = self.shared, self.profiles[profile]
        nodes: list[Node] = []
        for subject in sorted((shared.subjects.keys() | own.subjects.keys()) - self.copied):
            if subject not in own.subjects:
                entries = shared.entries(subject)
            elif subject not in shared.subjects:
                entries = own.entries(subject)
            else:
                entries = _merged(shared.named(subject), shared.entries(subject), own.entries(subject))
            nodes.append((subject, entries))
        return nodes


def node_triples(nodes: list[Node]) -> list[ox.Triple]:
    return [triple for _subject, entries in nodes for _predicate, _objects, triples in entries for triple in triples]


class _CatalogBuilder:
    """Describes the catalogue's resources; every triple about a subject of ``copied`` is left unmade (the earlier
    release's files hold them), while what its description names is still described in full, where it is first
    named (a vocabulary term, a period, a media type)."""

    def __init__(self, release: Release, copied: frozenset[str] = frozenset(), made: Catalog | None = None) -> None:
        self.settings = release.dataset.settings
        self.copied = copied
        # Each distribution, its checksum node and its file: the size and digests are stated last.
        self.files: list[tuple[str, str, PlannedFile]] = []
        self.iris = CatalogIris(self.settings)
        # The term of an IRI, made once: most IRIs (classes, vocabulary terms, the publisher) recur. Not a method of
        # the builder: the triples given it (_Triples) would hold the builder, and the builder them, in a cycle that
        # the cycle collector, paused as the writers run (util.gcpause), never frees. A national year's catalogue
        # (and each of its pages) then stayed in memory to the end.
        self.named = OxigraphTerms().node
        self.shared = _Triples(self.named, made.shared if made is not None else None)
        self.ap3 = _Triples(self.named, made.profiles[3] if made is not None else None)
        self.ap2 = _Triples(self.named, made.profiles[2] if made is not None else None)
        self._described: set[tuple[str, str]] = set()  # (kind, IRI) of the resources described already
        self.date = ox.Literal(build_date(self.settings).isoformat(), datatype=self.named(XSD.date))
        self.licence = licence_of(self.settings)
        self.publish_url = self.settings.publish_url

    def first_time(self, kind: str, iri: str) -> bool:
        """Whether a resource is not described yet (and from now on it is): what the catalogue says about a
        vocabulary term, the publisher or a period is stated once, not again for each dataset linking to it."""
        key = (kind, iri)
        if key in self._described:
            return False
        self._described.add(key)
        return True

    # The four ways a triple is stated: each tests ``copied`` before it makes a term. With one report of a national
    # year changed, making those of the copied parts took 0.25 s of the 0.66 s the catalogue's triples took.

    def add(self, s: str, p: str, o: Object) -> None:
        if s not in self.copied:
            self.shared.add(s, p, o)

    def link(self, s: str, p: str, o: str) -> None:
        if s not in self.copied:
            self.shared.add(s, p, self.named(o))

    def literal(self, s: str, p: str, value: str, datatype: str | None = None) -> None:
        if s not in self.copied:
            self.shared.add(
                s, p, ox.Literal(value) if datatype is None else ox.Literal(value, datatype=self.named(datatype))
            )

    def text(self, s: str, p: str, text: Text) -> None:
        if s not in self.copied:
            self.shared.add(s, p, ox.Literal(text.pl, language="pl"))
            if text.en:
                self.shared.add(s, p, ox.Literal(text.en, language="en"))

    def term(self, s: str, p: str, term: Term) -> None:
        """Link to a vocabulary term, with the typing triples the DCAT-AP shapes look for on the data."""
        self.link(s, p, term.iri)
        if not self.first_time("term", term.iri):
            return
        for cls in term.classes:
            self.link(term.iri, RDF_TYPE, cls)
        self.link(term.iri, SKOS.inScheme, term.scheme)
        self.text(term.iri, SKOS.prefLabel, term.label)
        scheme = next(s for s in SCHEMES.values() if s.iri == term.scheme)
        self.link(scheme.iri, RDF_TYPE, SKOS.ConceptScheme)
        self.text(scheme.iri, DCTERMS.title, scheme.title)

    def document(self, s: str, p: str, url: str) -> None:
        self.link(s, p, url)
        self.link(url, RDF_TYPE, FOAF.Document)

    def standard(self, s: str, iri: str) -> None:
        self.link(s, DCTERMS.conformsTo, iri)
        if not self.first_time("standard", iri):
            return
        self.link(iri, RDF_TYPE, DCTERMS.Standard)
        self.text(iri, DCTERMS.title, STANDARD_TITLES[iri])

    def common(self, s: str, years: tuple[int, int]) -> None:
        """What the catalogue, its series and its datasets all state: publisher, dates, place and time."""
        self.publisher(s)
        self.add(s, DCTERMS.issued, self.date)
        self.add(s, DCTERMS.modified, self.date)
        self.spatial(s)
        self.temporal(s, years)

    def publisher(self, s: str) -> None:
        publisher = self.settings.publisher
        assert publisher is not None
        agent = publisher_iri(self.settings)
        self.link(s, DCTERMS.publisher, agent)
        if not self.first_time("publisher", agent):
            return
        self.link(agent, RDF_TYPE, FOAF.Agent)
        self.link(agent, RDF_TYPE, FOAF.Organization)
        self.text(agent, FOAF.name, publisher.name)
        label = PUBLISHER_TYPE_LABELS.get(publisher.type, Text(publisher.type, publisher.type))
        self.term(
            agent,
            DCTERMS.type,
            Term(
                f"http://purl.org/adms/publishertype/{publisher.type}",
                SCHEMES["publishertype"].iri,
                (SKOS.Concept,),
                label,
            ),
        )

    def contact(self, s: str) -> None:
        contact = self.settings.contact
        assert contact is not None
        node = str(self.iris.local("contact"))
        self.link(s, DCAT.contactPoint, node)
        if not self.first_time("contact", node):
            return
        self.link(node, RDF_TYPE, VCARD.Organization)
        self.link(node, RDF_TYPE, VCARD.Kind)
        self.text(node, VCARD.fn, contact.name)
        if contact.url:
            self.link(node, VCARD.hasURL, contact.url)
        if contact.email:
            self.link(node, VCARD.hasEmail, f"mailto:{contact.email}")

    def spatial(self, s: str) -> None:
        spatial = self.settings.spatial
        if spatial is None:
            return
        self.link(s, DCTERMS.spatial, spatial.iri)
        if spatial.iri.startswith(f"{EU}country/"):
            self.term(s, DCTERMS.spatial, Term(spatial.iri, SCHEMES["country"].iri, (SKOS.Concept,), spatial.name))
        if not self.first_time("place", spatial.iri):
            return
        self.link(spatial.iri, RDF_TYPE, DCTERMS.Location)
        self.literal(spatial.iri, DCAT.bbox, spatial.bbox, GSP.wktLiteral)
        self.literal(spatial.iri, DCAT.centroid, spatial.centroid, GSP.wktLiteral)

    def temporal(self, s: str, years: tuple[int, int]) -> None:
        period = str(self.iris.period(years))
        self.link(s, DCTERMS.temporal, period)
        if not self.first_time("period", period):
            return
        self.link(period, RDF_TYPE, DCTERMS.PeriodOfTime)
        self.literal(period, DCAT.startDate, date(years[0], 1, 1).isoformat(), XSD.date)
        self.literal(period, DCAT.endDate, date(years[1], 12, 31).isoformat(), XSD.date)

    # -- resources --------------------------------------------------------------------------------------------

    def catalog(self, datasets: list[PlannedDataset], years: tuple[int, int]) -> None:
        """The catalogue, listing ``datasets``; ``years``: the years of all it catalogues."""
        catalog = str(self.iris.catalog)
        self.link(catalog, RDF_TYPE, DCAT.Catalog)
        publisher = self.settings.publisher
        assert publisher is not None
        self.text(catalog, DCTERMS.title, catalog_title(publisher.name))
        self.text(catalog, DCTERMS.description, catalog_description(publisher.name))
        self.common(catalog, years)
        for language in LANGUAGES:
            self.term(catalog, DCTERMS.language, language)
        self.licence_of(catalog)
        themes = SCHEMES["data-theme"]
        self.link(catalog, DCAT.themeTaxonomy, themes.iri)
        self.link(themes.iri, RDF_TYPE, SKOS.ConceptScheme)
        self.text(themes.iri, DCTERMS.title, themes.title)
        self.document(catalog, FOAF.homepage, f"{self.publish_url}{SITE_DIR}/index.html")
        for planned in datasets:
            self.link(catalog, DCAT.dataset, str(self.iris.dataset(planned)))

    def view(self, page: PageView) -> None:
        """The page of the catalogue this is, as Hydra describes a page of a collection (:func:`write_pages`)."""
        catalog, here = str(self.iris.catalog), self.publish_url + page.name
        self.link(catalog, RDF_TYPE, HYDRA.Collection)
        self.literal(catalog, HYDRA.totalItems, str(page.total), XSD.nonNegativeInteger)
        self.link(catalog, HYDRA.view, here)
        self.link(here, RDF_TYPE, HYDRA.PartialCollectionView)
        self.link(here, HYDRA.first, self.publish_url + FIRST_CATALOG_PAGE)
        if page.previous is not None:
            self.link(here, HYDRA.previous, self.publish_url + page.previous)
        if page.next is not None:
            self.link(here, HYDRA.next, self.publish_url + page.next)

    def licence_of(self, s: str) -> None:
        self.term(s, DCTERMS.license, self.licence.term)
        self.term(self.licence.term.iri, DCTERMS.type, self.licence.licence_type)

    def series(self, planned: PlannedSeries) -> None:
        series = str(self.iris.series(planned.member))
        self.link(series, RDF_TYPE, DCAT.DatasetSeries)
        self.literal(series, DCTERMS.identifier, planned.identifier)
        self.text(series, DCTERMS.title, planned.title)
        self.text(series, DCTERMS.description, planned.description)
        self.common(series, planned.years)
        self.contact(series)
        self.term(series, DCTERMS.accrualPeriodicity, ANNUAL)

    def dataset(self, planned: PlannedDataset) -> None:
        dataset = str(self.iris.dataset(planned))
        self.link(dataset, RDF_TYPE, DCAT.Dataset)
        self.literal(dataset, DCTERMS.identifier, planned.identifier)
        self.text(dataset, DCTERMS.title, planned.title)
        self.text(dataset, DCTERMS.description, planned.description)
        for keyword in planned.keywords:
            self.text(dataset, DCAT.keyword, keyword)
        self.common(dataset, planned.years)
        self.contact(dataset)
        for theme in THEMES:
            self.term(dataset, DCAT.theme, theme)
        for language in LANGUAGES:
            self.term(dataset, DCTERMS.language, language)
        self.term(dataset, DCTERMS.accrualPeriodicity, ANNUAL)
        self.term(dataset, DCTERMS.accessRights, PUBLIC)
        self.document(dataset, DCAT.landingPage, self.publish_url + planned.landing_page)
        self.literal(dataset, DCAT.version, self.settings.edition)
        self.literal(dataset, OWL.versionInfo, self.settings.edition)  # DCAT-AP-PL (dane.gov.pl) requires it
        for standard in (ONTOLOGY, SHAPES):
            self.standard(dataset, standard)
        if planned.edition is not None:
            self.link(dataset, DCAT.inSeries, str(self.iris.series(planned.edition.member)))
        for planned_file in planned.files:
            distribution = str(self.iris.distribution(planned_file))
            self.link(dataset, DCAT.distribution, distribution)
            self.distribution(distribution, planned_file)

    def distribution(self, node: str, planned: PlannedFile) -> None:
        url = self.publish_url + planned.path
        self.link(node, RDF_TYPE, DCAT.Distribution)
        self.literal(node, DCTERMS.identifier, planned.key)
        self.text(node, DCTERMS.title, planned.title)
        self.text(node, DCTERMS.description, planned.description)
        self.link(node, DCAT.accessURL, url)
        if planned.downloadable:
            self.link(node, DCAT.downloadURL, url)
        media_type = IANA + planned.kind.media_type
        self.link(node, DCAT.mediaType, media_type)
        if self.first_time("media type", media_type):
            self.link(media_type, RDF_TYPE, DCTERMS.MediaType)
            self.link(media_type, RDF_TYPE, DCTERMS.MediaTypeOrExtent)  # entailed by DCTERMS; dane.gov.pl checks it
        self.term(node, DCTERMS.format, planned.kind.file_type)
        self.licence_of(node)
        self.term(node, DCATAP.availability, STABLE)
        self.add(node, DCTERMS.issued, self.date)
        self.add(node, DCTERMS.modified, self.date)
        for standard in planned.conforms_to:
            self.standard(node, standard)
        if not planned.downloadable:  # no file of its own to size and hash
            return
        checksum = str(self.iris.local(f"checksum-{planned.key}"))
        self.link(node, SPDX.checksum, checksum)
        self.link(checksum, RDF_TYPE, SPDX.Checksum)
        self.files.append((node, checksum, planned))

    def size_and_checksum(self, distribution: str, node: str, facts: FileFacts) -> None:
        """What the profiles state about a distribution's file each in its own way."""
        size = str(facts.size)
        self.ap3.add(distribution, DCAT.byteSize, ox.Literal(size, datatype=self.named(XSD.nonNegativeInteger)))
        self.ap2.add(distribution, DCAT.byteSize, ox.Literal(size, datatype=self.named(XSD.decimal)))
        hex_binary = self.named(XSD.hexBinary)
        # DCAT-AP 3.0.1's vocabulary shape requires the algorithm IRI to start with "https://spdx.org/rdf/terms"
        # while SPDX's namespace is http://: the https IRI is given, and stated the same as SPDX's own.
        sha256 = self.named(SHA256_HTTPS)
        self.ap3.add(node, SPDX.algorithm, sha256)
        self.ap3.add(node, SPDX.checksumValue, ox.Literal(facts.sha256, datatype=hex_binary))
        self.ap3.add(SHA256_HTTPS, OWL.sameAs, self.named(SPDX.checksumAlgorithm_sha256))
        self.ap3.add(SHA256_HTTPS, RDF_TYPE, self.named(SPDX.ChecksumAlgorithm))
        sha1 = SPDX.checksumAlgorithm_sha1  # the only algorithm DCAT-AP 2.1.1 accepts
        self.ap2.add(node, SPDX.algorithm, self.named(sha1))
        self.ap2.add(node, SPDX.checksumValue, ox.Literal(facts.sha1, datatype=hex_binary))
        self.ap2.add(sha1, RDF_TYPE, self.named(SPDX.ChecksumAlgorithm))


def catalog_title(publisher: Text) -> Text:
    """The catalogue's title: what its data are about, and whose catalogue it is (its dct:publisher's name)."""
    return Text(
        f"Członkostwo samorządów w organizacjach krajowych — katalog danych ({publisher.pl})",
        f"Local governments' memberships of national organisations — data catalogue ({publisher.en or publisher.pl})",
    )


def catalog_description(publisher: Text) -> Text:
    """The catalogue's description, naming its publisher as a label ("Wydawca: …"): a Polish name after a
    preposition would need a case the settings do not give."""
    return Text(
        f"Zbiory danych o członkostwie jednostek samorządu terytorialnego w organizacjach krajowych. "
        f"Wydawca: {publisher.pl}.",
        f"Datasets on local governments' memberships of national organisations. "
        f"Publisher: {publisher.en or publisher.pl}.",
    )


SHA256_HTTPS = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
STANDARD_TITLES = {
    ONTOLOGY: Text("Ontologia civicgraph", "civicgraph ontology"),
    SHAPES: Text("Kształty SHACL civicgraph", "civicgraph SHACL shapes"),
    CSVW_STANDARD: Text(
        "Model danych tabelarycznych w sieci (W3C)", "Model for Tabular Data and Metadata on the Web (W3C)"
    ),
}


def build_catalog(
    release: Release,
    datasets: list[PlannedDataset],
    series: list[PlannedSeries],
    facts: Callable[[], dict[str, FileFacts]],
    copied: frozenset[str] = frozenset(),
    page: PageView | None = None,
    made: Catalog | None = None,
) -> Catalog:
    """The catalogue of the planned datasets and series; ``facts`` gives the size and digests of every file;
    ``page``: it is that page of the catalogue, listing those datasets and series alone (:func:`write_pages`);
    ``made``: a catalogue made already, whose triples of a subject are taken where this one states the same of it.

    It is asked for them only once every other triple is made (and its ``ox.Triple`` too): the files can be
    hashed meanwhile (:func:`civicgraph.publish.checksums.files_facts_meanwhile`). The ``copied`` subjects' triples
    are not made: their blocks are copied from the earlier release. Every dataset is still gone through, for the
    vocabulary terms, periods and the like it is the first to name.

    The prefixes are then found from the triples made alone: those of a copied block are among the earlier files',
    which :func:`_written_from` requires the prefixes to equal, so the two sets are the same whenever it splices."""
    builder = _CatalogBuilder(release, copied, made)
    builder.catalog(datasets, datasets[0].years if page is None else page.years)
    if page is not None:
        builder.view(page)
    for planned_series in series:
        builder.series(planned_series)
    for planned in datasets:
        builder.dataset(planned)
    for subject in builder.shared.subjects:
        builder.shared.entries(subject)
    known = facts()
    for distribution, checksum, planned_file in builder.files:
        if distribution not in copied:
            builder.size_and_checksum(distribution, checksum, known[planned_file.path])
    known_prefixes = CATALOG_PREFIXES if page is None else PAGE_PREFIXES
    return Catalog(builder.shared, {3: builder.ap3, 2: builder.ap2}, copied, known_prefixes)


def written_iris(part: _Triples) -> set[str]:
    """The IRIs a Turtle file of the triples writes, as :func:`civicgraph.graph.rdfio.written_iris` finds them (read
    here from the grouped triples: each subject and predicate once)."""
    iris: set[str] = set(part.subjects)
    for predicates in part.subjects.values():
        iris.update(predicates)
        for objects in predicates.values():
            for obj in objects:
                if isinstance(obj, ox.NamedNode):
                    iris.add(obj.value)
                elif obj.language is None:
                    iris.add(obj.datatype.value)
    iris -= {RDF_TYPE, XSD.string}  # rdf:type is written `a`, and a plain string shows no datatype
    return iris


def planned_paths(datasets: list[PlannedDataset]) -> list[str]:
    """The files the catalogue gives the size and checksum of."""
    return sorted({f.path for d in datasets for f in d.files if f.downloadable})


def write_catalog(release: Release, out: Path) -> None:
    """``catalog.ttl``, ``catalog.jsonld`` (DCAT-AP 3), ``catalog.dcat-ap-2.ttl``, and in ``site/`` (where the
    catalogue IRI dereferences to) the DCAT-AP 3 catalogue as Turtle, JSON-LD, N-Triples and RDF/XML.

    Into an earlier release whose catalogue was made by the same code, the files are written from the earlier
    ones: only the blocks of the subjects outside the parts that are unchanged are made (:class:`Parts`)."""
    datasets, series = plan(release)
    (out / SITE_DIR).mkdir(exist_ok=True)
    # The files are written before the hashing process's end is waited for. (When it was a fork of this process,
    # its end took the kernel 0.3 s at a national year; it is a new interpreter now, holding little.)
    with paused_cycle_collector(), files_facts_meanwhile(release, out, planned_paths(datasets)) as hashed:
        facts = cache(hashed)  # asked for by the catalogue, then by its pages
        release.let_go_of_unread()  # while the files are hashed (see publish())
        parts = Parts.of(release, datasets, series)
        catalog = _written_whole_or_spliced(release, datasets, series, parts, facts, out)
        note = parts.note(catalog)
        release.reuse.note(_NOTE, note)
        release.reuse.declare(*_SPLICED, key=_note_key(note))
        write_pages(release, datasets, series, parts, facts, out, catalog)
        release.held.append(catalog)  # not freed here (Release.held)
    for name in CATALOG_FILES:
        same_file(out / name, out / SITE_DIR / name)


def _written_whole_or_spliced(
    release: Release,
    datasets: list[PlannedDataset],
    series: list[PlannedSeries],
    parts: Parts,
    facts: Callable[[], dict[str, FileFacts]],
    out: Path,
) -> Catalog:
    """Write the catalogue's files, from the earlier release's when they fit (:func:`_written_from`), else whole;
    gives the catalogue they were written from."""
    earlier = _earlier_catalog(release.reuse)
    copied = parts.unchanged_since(earlier) if earlier is not None else frozenset()
    if earlier is not None and not worth_splicing(len(earlier.subjects) - len(copied), len(earlier.subjects)):
        earlier, copied = None, frozenset()  # too many parts changed (a setting, a name most reports print)
    catalog = build_catalog(release, datasets, series, facts, copied)
    if earlier is None or not _written_from(earlier, catalog, out):
        if catalog.copied:  # made without the triples of the parts to copy: made whole
            catalog = build_catalog(release, datasets, series, facts)
        _write_whole(catalog, out)
    return catalog


def _write_whole(catalog: Catalog, out: Path) -> None:
    nodes = catalog.nodes(3)
    triples = node_triples(nodes)
    prefixes = catalog.prefixes(3)

    def other_files() -> None:
        write_turtle(node_triples(catalog.nodes(2)), out / CATALOG_AP2_FILE, prefixes=catalog.prefixes(2))
        # The catalogue's IRI is answered in every format content negotiation offers, as the site's pages are.
        write_ntriples(triples, out / SITE_DIR / "catalog.nt")

    with _meanwhile(other_files, len(triples)):
        write_turtle(triples, out / "catalog.ttl", prefixes=prefixes)
        write_flat_jsonld(nodes, out / "catalog.jsonld", CATALOG_PREFIXES)
        write_rdfxml(triples, out / SITE_DIR / "catalog.rdf", prefixes=prefixes)


# Triples from which the files are written by two processes: below, a fork costs more than it saves.
_FORK_MINIMUM = 100_000


@contextmanager
def _meanwhile(work: Callable[[], None], triples: int) -> Iterator[None]:
    """``work`` done by a forked child while the with-block runs, for a large catalogue (else here, first).

    The other core, idle once the files are hashed, so writes the DCAT-AP 2 Turtle (from nodes it makes first) and
    the N-Triples while this process writes the Turtle, the JSON-LD and the RDF/XML. At a national year the two
    then ended 0.06 s apart, and :func:`_write_whole` took 1.77 s; with the RDF/XML written by the child, which
    ended 0.35 s after this process, 1.95 s (6.29 s against 6.64 at three years; one instrumented build each)."""
    if triples < _FORK_MINIMUM or workers() < 2:
        work()
        yield
        return
    with forked(lambda _channel: work()):
        yield


# -- written from the earlier release's catalogue -----------------------------------------------------------------

_NOTE = "catalog"  # the catalogue's note in the reuse record
# The files written from the earlier release's; the other two in site/ are links to the first two.
_SPLICED = ("catalog.ttl", "catalog.jsonld", CATALOG_AP2_FILE, f"{SITE_DIR}/catalog.nt", f"{SITE_DIR}/catalog.rdf")


@dataclass(frozen=True)
class Parts:
    """The parts of the catalogue, each keyed by what its triples are made from (with the settings, the release
    date and civicgraph's code):

    * an edition's dataset, with its landing page, its distributions and their checksums: from its planned dataset
      and the keys its files were made from (a file's size and checksums follow from its bytes, its bytes from its
      key: :mod:`civicgraph.publish.reuse`);
    * a member's series: from its planned series.

    What no part holds (the catalogue, the whole graph's dataset, the vocabulary terms, the periods: 58 of a
    national catalogue's 30,943 subjects) is made in every build, as is every part whose key changed."""

    keys: dict[str, str | None]  # a part, named by its first subject -> its key (None: a file has none)
    subjects: dict[str, list[str]]

    @classmethod
    def of(cls, release: Release, datasets: list[PlannedDataset], series: list[PlannedSeries]) -> Parts:
        settings = release.dataset.settings
        iris = CatalogIris(settings)
        planned_keys = plan_keys(release)  # each with the settings and the release date
        declared = release.reuse.keys
        keys: dict[str, str | None] = {}
        subjects: dict[str, list[str]] = {}
        for planned in datasets:
            if planned.edition is None:  # the whole graph's dataset: its files change with any report
                continue
            dataset = str(iris.dataset(planned))
            file_keys = [declared.get(planned_file.path) for planned_file in planned.files]
            keys[dataset] = None if None in file_keys else key_of(planned_keys.datasets[planned.key], file_keys)
            subjects[dataset] = [dataset, settings.publish_url + planned.landing_page]
            for planned_file in planned.files:
                subjects[dataset] += [str(iris.distribution(planned_file)), _checksum_node(iris, planned_file)]
        for planned_series in series:
            member_series = str(iris.series(planned_series.member))
            keys[member_series] = planned_keys.series[planned_series.member]
            subjects[member_series] = [member_series]
        return cls(keys, subjects)

    def unchanged_since(self, earlier: EarlierCatalog) -> frozenset[str]:
        """The subjects of the parts made from the same as the earlier release's."""
        copied: set[str] = set()
        for part, key in self.keys.items():
            if key is not None and earlier.parts.get(part) == [key, self.subjects[part]]:
                copied.update(self.subjects[part])
        return frozenset(copied)

    def note(self, catalog: Catalog) -> dict[str, Any]:
        """What the next build into the same folder needs to write its catalogue from this one's: each part's key
        and subjects, the subjects of no part, and the prefixes."""
        in_parts = {subject for subjects in self.subjects.values() for subject in subjects}
        stated = (
            catalog.shared.subjects.keys() | catalog.profiles[3].subjects.keys() | catalog.profiles[2].subjects.keys()
        )
        return {
            "parts": {part: [key, self.subjects[part]] for part, key in sorted(self.keys.items())},
            "others": sorted(stated - in_parts),
            "prefixes": {str(profile): catalog.prefixes(profile) for profile in (3, 2)},
        }


def _checksum_node(iris: CatalogIris, planned: PlannedFile) -> str:
    return str(iris.local(f"checksum-{planned.key}"))


def _note_key(note: dict[str, Any]) -> str:
    """The key the catalogue's files are recorded with: the digest of the note they were written with."""
    # In the order it was made in, which reading it back keeps: sorting its keys would cost more than its digest.
    # orjson: a national year's note (3.4 MB) encoded in 3 ms instead of json's 14, twice per build.
    return hashlib.sha256(orjson.dumps(note)).hexdigest()


@dataclass(frozen=True)
class EarlierCatalog:
    """The earlier release's catalogue files, still as its build wrote them, and that build's note."""

    files: dict[str, Path]
    parts: dict[str, list[Any]]
    others: list[str]
    prefixes: dict[str, dict[str, str]]

    @cached_property
    def subjects(self) -> set[str]:
        """Every subject of the earlier catalogue."""
        return {*self.others, *(subject for _key, subjects in self.parts.values() for subject in subjects)}


def _earlier_catalog(reuse: Reuse) -> EarlierCatalog | None:
    """The earlier release's catalogue, when its build noted how it made it and the files are still the ones that
    build wrote (recorded with the digest of the note); None otherwise."""
    note = reuse.recalled.get(_NOTE)
    if not isinstance(note, dict):
        return None
    key = _note_key(note)
    files = {name: reuse.earlier_file(name, key) for name in _SPLICED}
    found = {name: path for name, path in files.items() if path is not None}
    parts, others, prefixes = note.get("parts"), note.get("others"), note.get("prefixes")
    if len(found) < len(files) or not (
        isinstance(parts, dict)
        and all(isinstance(part, list) and len(part) == 2 and isinstance(part[1], list) for part in parts.values())
        and isinstance(others, list)
        and isinstance(prefixes, dict)
    ):
        return None
    return EarlierCatalog(found, parts, others, prefixes)


def _written_from(earlier: EarlierCatalog, catalog: Catalog, out: Path) -> bool:
    """Write the catalogue's files from the earlier release's: the blocks of the subjects copied (the parts
    unchanged) are taken from them, the others made (:mod:`civicgraph.graph.splice`); False (some may be half
    written) when the earlier files do not fit."""
    prefixes = {profile: catalog.prefixes(profile) for profile in (3, 2)}
    if {str(profile): found for profile, found in prefixes.items()} != earlier.prefixes:
        return False
    nodes = {profile: catalog.nodes(profile) for profile in (3, 2)}
    triples = {profile: node_triples(nodes[profile]) for profile in (3, 2)}
    made: dict[str, tuple[int, Syntax, bytes]] = {
        "catalog.ttl": (3, turtle(prefixes[3]), turtle_of(triples[3], prefixes[3])),
        "catalog.jsonld": (3, flat_jsonld(CATALOG_PREFIXES), flat_jsonld_of(nodes[3], CATALOG_PREFIXES)),
        CATALOG_AP2_FILE: (2, turtle(prefixes[2]), turtle_of(triples[2], prefixes[2])),
        f"{SITE_DIR}/catalog.nt": (3, NTRIPLES, sorted_ntriples_of(triples[3])),
        f"{SITE_DIR}/catalog.rdf": (3, RDFXML, rdfxml_of(triples[3], prefixes[3])),
    }
    dropped = earlier.subjects - catalog.copied
    written = {profile: [subject for subject, _entries in nodes[profile]] for profile in (3, 2)}
    try:
        for name, (profile, syntax, data) in made.items():
            splice_file(earlier.files[name], data, syntax, dropped, written[profile], out / name)
    except DoesNotFit:
        return False
    return True


# -- a page at a time, for harvesters ----------------------------------------------------------------------------

# Harvesters refuse a catalogue past a size (CKAN's DCAT harvester, by default, one over 50 MB: a national year's
# catalog.ttl is 30 MB) and follow Hydra's links from one page to the next instead: ckanext-dcat
# (RDFParser.next_page: hydra:next of a hydra:PartialCollectionView) and data.europa.eu's piveau (Hydra.findPaging:
# the same, and it reads the hydra:totalItems of every page). A page is a DCAT-AP 3 catalogue of its own: the
# catalogue's own triples, those of its datasets and of the series they are in, and of every resource these name.
PAGE_PREFIXES = {**CATALOG_PREFIXES, "hydra": HYDRA.namespace}


@dataclass(frozen=True)
class PageView:
    """A page of the catalogue: its file (relative to the release), those before and after it (None at the ends),
    and what every page states of the whole (how many datasets, which years)."""

    name: str
    previous: str | None
    next: str | None
    total: int
    years: tuple[int, int]


@dataclass(frozen=True)
class CatalogPage:
    """What a page lists: the whole graph's dataset, or the reports of one year from one voivodeship (the first two
    digits of a TERYT code), with the series they are in. Such a page holds at most a voivodeship's local governments
    (a few hundred datasets, some megabytes), whatever the number of years. A report changed changes the pages of
    its local government's reports alone (their web pages, which the catalogue describes, are made together); one
    added or removed, the count every page states."""

    name: str
    datasets: list[PlannedDataset]
    series: list[PlannedSeries]


def catalog_pages(datasets: list[PlannedDataset], series: list[PlannedSeries]) -> list[CatalogPage]:
    """The pages of the catalogue, in the order a harvester follows them: the whole graph's dataset first, then
    by year and voivodeship."""
    series_of = {planned.member: planned for planned in series}
    groups: dict[str, list[PlannedDataset]] = {}
    for planned in datasets:
        if planned.edition is not None:
            group = f"{planned.edition.year}-{planned.edition.member[:2]}"
            groups.setdefault(group, []).append(planned)
    pages = [CatalogPage(FIRST_CATALOG_PAGE, [d for d in datasets if d.edition is None], [])]
    for group, listed in sorted(groups.items()):
        members = sorted({planned.members[0] for planned in listed})
        shown = [series_of[member] for member in members if member in series_of]
        pages.append(CatalogPage(f"{CATALOG_PAGES_DIR}/{group}.ttl", listed, shown))
    return pages


def write_pages(
    release: Release,
    datasets: list[PlannedDataset],
    series: list[PlannedSeries],
    parts: Parts,
    facts: Callable[[], dict[str, FileFacts]],
    out: Path,
    whole: Catalog | None = None,
) -> None:
    """``catalog-pages/``: the catalogue as DCAT-AP 3 Turtle pages linked by Hydra, from ``all.ttl`` on. A page
    whose datasets, series and links are made from the same as in the release being replaced is taken from it;
    the others are shared between processes when they list many datasets (:data:`_PAGES_SHARED_FROM`), and take
    the triples of a subject from ``whole``, the catalogue just written, where they state the same of it."""
    pages = catalog_pages(datasets, series)
    (out / CATALOG_PAGES_DIR).mkdir(exist_ok=True)
    made: list[tuple[CatalogPage, PageView]] = []
    for number, page in enumerate(pages):
        view = PageView(
            page.name,
            pages[number - 1].name if number > 0 else None,
            pages[number + 1].name if number + 1 < len(pages) else None,
            len(datasets),
            datasets[0].years,
        )
        key = _page_key(release, parts, page, view)
        if key is not None:  # declared here, where the record of the release is written
            release.reuse.declare(page.name, key=key)
            if release.reuse.take(page.name, out):
                continue
        made.append((page, view))

    def write(share: Sequence[tuple[CatalogPage, PageView]]) -> None:
        for page, view in share:
            catalog = build_catalog(release, page.datasets, page.series, facts, page=view, made=whole)
            write_turtle(node_triples(catalog.nodes(3)), out / page.name, prefixes=catalog.prefixes(3))

    facts()  # before a fork: each process reads them
    if sum(len(page.datasets) for page, _view in made) < _PAGES_SHARED_FROM:
        write(made)
    else:  # the longest first, each page dealt alone, so that no long one is left to the end
        in_parallel(sorted(made, key=lambda each: -len(each[0].datasets)), write, minimum=0, piece=1)


# Datasets from which the pages to write are shared between processes: a national year's 2,808 on 17 pages took
# 1.27 s in one process, 0.91-1.00 s in two (each page's triples taken from the whole catalogue's; 1.8-2.4 s and
# 1.5 s made anew).
_PAGES_SHARED_FROM = 1000


def _page_key(release: Release, parts: Parts, page: CatalogPage, view: PageView) -> str | None:
    """The key of a page: its view and the keys of its parts (:class:`Parts`), which hold the settings and the
    release date; None when one has none (the whole graph's dataset, whose files change with any report)."""
    iris = CatalogIris(release.dataset.settings)
    keys = [parts.keys.get(str(iris.dataset(planned))) for planned in page.datasets]
    keys += [parts.keys.get(str(iris.series(planned.member))) for planned in page.series]
    return None if None in keys else key_of("catalog page", view, keys)


# -- JSON-LD ------------------------------------------------------------------------------------------------------


def write_flat_jsonld(nodes: list[Node], path: Path, prefixes: dict[str, str]) -> None:
    """A flat JSON-LD document (one node per subject, in the canonical order, each in the streaming document form
    of :mod:`civicgraph.graph.jsonld`: its ``@type``, then its ``@id``) with a prefix context."""
    path.write_bytes(flat_jsonld_of(nodes, prefixes))


def flat_jsonld_of(nodes: list[Node], prefixes: dict[str, str]) -> bytes:
    """:func:`write_flat_jsonld`'s bytes: one line per node, encoded by orjson without spaces, as ``graph.jsonld`` is.
    A national year's catalogue (30,934 nodes) was written in 0.65-0.67 s, against 0.90-0.93 s encoded by :mod:`json`
    (3 alternating fresh builds)."""
    prefix_of = {namespace: prefix for prefix, namespace in prefixes.items()}
    compacted: dict[str, str] = {}
    xsd_string = XSD.string

    def compact(iri: str) -> str:
        # A prefixed name's local part holds neither '/' nor '#', so the only namespace that can abbreviate the
        # IRI is the IRI up to its last '/' or '#'.
        found = compacted.get(iri)
        if found is None:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = prefix_of.get(iri[:cut])
            found = compacted[iri] = iri if prefix is None or cut == len(iri) else f"{prefix}:{iri[cut:]}"
        return found

    def value(term: Object) -> Any:
        if isinstance(term, ox.NamedNode):
            return {"@id": compact(term.value)}
        if term.language is not None:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == xsd_string:
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value)}

    def node(subject: str, entries: list[Entry]) -> dict[str, Any]:
        types = [compact(o.value) for predicate, objects, _triples in entries if predicate == RDF_TYPE for o in objects]
        described: dict[str, Any] = {"@type": types, "@id": compact(subject)} if types else {"@id": compact(subject)}
        for predicate, objects, _triples in entries:
            if predicate != RDF_TYPE:
                described[compact(predicate)] = [value(o) for o in objects]
        return described

    graph = b",\n".join(orjson.dumps(node(subject, predicates)) for subject, predicates in nodes)
    context = orjson.dumps(dict(sorted(prefixes.items())))
    return b'{"@context":' + context + b',\n"@graph":[\n' + graph + b"\n]}\n"
