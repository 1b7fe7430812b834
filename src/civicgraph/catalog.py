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

import json
import os
import shutil
from bisect import bisect_left
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import URIRef

from .gcpause import paused_cycle_collector
from .iris import RDF_TYPE
from .rdfio import prefixes_for, write_turtle
from .records import Report, Settings, Text
from .release import Edition, FileFacts, build_date, editions, files_facts_meanwhile

if TYPE_CHECKING:
    from .publish import Release


class Vocabulary:
    """A namespace whose attributes are the IRIs of its terms, as plain strings.

    The catalogue is made of strings and Oxigraph terms rather than rdflib terms: a national catalogue states
    hundreds of thousands of triples, and an rdflib URIRef or Literal costs several times an Oxigraph term to
    make (and a URIRef is never equal to the str of its IRI)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def __getattr__(self, local: str) -> str:
        return self.namespace + local


ADMS = Vocabulary("http://www.w3.org/ns/adms#")
DCAT = Vocabulary("http://www.w3.org/ns/dcat#")
DCATAP = Vocabulary("http://data.europa.eu/r5r/")
DCTERMS = Vocabulary("http://purl.org/dc/terms/")
FOAF = Vocabulary("http://xmlns.com/foaf/0.1/")
GSP = Vocabulary("http://www.opengis.net/ont/geosparql#")
OWL = Vocabulary("http://www.w3.org/2002/07/owl#")
SKOS = Vocabulary("http://www.w3.org/2004/02/skos/core#")
SPDX = Vocabulary("http://spdx.org/rdf/terms#")
VCARD = Vocabulary("http://www.w3.org/2006/vcard/ns#")
XSD = Vocabulary("http://www.w3.org/2001/XMLSchema#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ONTOLOGY = "https://w3id.org/civicgraph/ontology"
SHAPES = "https://w3id.org/civicgraph/shapes"
CSVW_STANDARD = "https://www.w3.org/TR/tabular-data-model/"

CATALOG_FILES = ("catalog.ttl", "catalog.jsonld")
CATALOG_AP2_FILE = "catalog.dcat-ap-2.ttl"
SITE_DIR = "site"

# The prefixes the catalogue files declare (only those a file uses are written).
CATALOG_PREFIXES = {
    prefix: vocabulary.namespace
    for prefix, vocabulary in (
        ("adms", ADMS),
        ("dcat", DCAT),
        ("dcatap", DCATAP),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("gsp", GSP),
        ("owl", OWL),
        ("skos", SKOS),
        ("spdx", SPDX),
        ("vcard", VCARD),
        ("xsd", XSD),
    )
}

# -- controlled vocabularies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A term of a controlled vocabulary the catalogue links to, with what the shapes need to know about it."""

    iri: str
    scheme: str
    classes: tuple[str, ...]
    label: Text


@dataclass(frozen=True)
class Scheme:
    iri: str
    title: Text


SCHEMES = {
    "data-theme": Scheme(f"{EU}data-theme", Text("Tematy danych", "Data themes")),
    "language": Scheme(f"{EU}language", Text("Języki", "Languages")),
    "frequency": Scheme(f"{EU}frequency", Text("Częstotliwości", "Frequencies")),
    "file-type": Scheme(f"{EU}file-type", Text("Typy plików", "File types")),
    "country": Scheme(f"{EU}country", Text("Państwa", "Countries")),
    "access-right": Scheme(f"{EU}access-right", Text("Prawa dostępu", "Access rights")),
    "planned-availability": Scheme(f"{EU}planned-availability", Text("Planowana dostępność", "Planned availability")),
    "licence": Scheme(f"{EU}licence", Text("Licencje", "Licences")),
    "licencetype": Scheme("http://purl.org/adms/licencetype/1.0", Text("Typy licencji", "Licence types")),
    "publishertype": Scheme("http://purl.org/adms/publishertype/1.0", Text("Typy wydawców", "Publisher types")),
}


def _eu(table: str, code: str, classes: tuple[str, ...], label: Text) -> Term:
    return Term(f"{EU}{table}/{code}", SCHEMES[table].iri, classes, label)


# EU data themes; the Polish labels are those of the dane.gov.pl harvester schema (categoryType).
THEMES = (
    _eu("data-theme", "GOVE", (SKOS.Concept,), Text("Rząd i sektor publiczny", "Government and public sector")),
    _eu("data-theme", "REGI", (SKOS.Concept,), Text("Regiony i miasta", "Regions and cities")),
)
LANGUAGES = (
    _eu("language", "POL", (DCTERMS.LinguisticSystem, SKOS.Concept), Text("polski", "Polish")),
    _eu("language", "ENG", (DCTERMS.LinguisticSystem, SKOS.Concept), Text("angielski", "English")),
)
ANNUAL = _eu("frequency", "ANNUAL", (DCTERMS.Frequency, SKOS.Concept), Text("co roku", "annual"))
PUBLIC = _eu("access-right", "PUBLIC", (DCTERMS.RightsStatement, SKOS.Concept), Text("publiczny", "public"))
PUBLISHER_TYPE_LABELS = {
    "LocalAuthority": Text("władze lokalne", "Local Authority"),
    "RegionalAuthority": Text("władze regionalne", "Regional Authority"),
    "NationalAuthority": Text("władze krajowe", "National Authority"),
}
STABLE = _eu("planned-availability", "STABLE", (SKOS.Concept,), Text("stabilna", "stable"))


@dataclass(frozen=True)
class Licence:
    """A licence as portals name it: the EU licence authority table, its ADMS type, dane.gov.pl's label."""

    term: Term
    licence_type: Term
    danegovpl: str  # the value of dbOrCopyrightedLicenseChosen in the dane.gov.pl harvester schema


def _licence(code: str, label: Text, adms_type: str, type_label: Text, danegovpl: str) -> Licence:
    adms = Term(
        f"http://purl.org/adms/licencetype/{adms_type}", SCHEMES["licencetype"].iri, (SKOS.Concept,), type_label
    )
    return Licence(_eu("licence", code, (DCTERMS.LicenseDocument, SKOS.Concept), label), adms, danegovpl)


_ATTRIBUTION = Text("Uznanie autorstwa", "Attribution")
# The licence IRIs the `data_licence` setting may name, mapped to the EU licence table (dct:license must be
# one of its IRIs for DCAT-AP).
LICENCES = {
    "creativecommons.org/licenses/by/4.0": _licence(
        "CC_BY_4_0",
        Text("Creative Commons Uznanie autorstwa 4.0", "Creative Commons Attribution 4.0"),
        "Attribution",
        _ATTRIBUTION,
        "CC BY 4.0",
    ),
    "creativecommons.org/licenses/by-sa/4.0": _licence(
        "CC_BYSA_4_0",
        Text(
            "Creative Commons Uznanie autorstwa – Na tych samych warunkach 4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
        ),
        "Attribution",
        _ATTRIBUTION,
        "CC BY-SA 4.0",
    ),
}


def licence_of(settings: Settings) -> Licence:
    key = settings.data_licence.split("://", 1)[-1].rstrip("/").removesuffix("/legalcode")
    if key not in LICENCES:
        known = ", ".join(f"https://{k}/" for k in sorted(LICENCES))
        raise ValueError(
            f"{settings.location.file}: data_licence {settings.data_licence} has no entry in the EU licence table "
            f"that civicgraph knows; use one of {known}"
        )
    return LICENCES[key]


@dataclass(frozen=True)
class FileKind:
    media_type: str
    file_type: Term


def _file_type(code: str, label: str) -> Term:
    return _eu("file-type", code, (DCTERMS.MediaTypeOrExtent, SKOS.Concept), Text(label, label))


FILE_KINDS = {
    ".ttl": FileKind("text/turtle", _file_type("RDF_TURTLE", "Turtle")),
    ".nt": FileKind("application/n-triples", _file_type("RDF_N_TRIPLES", "N-Triples")),
    ".jsonld": FileKind("application/ld+json", _file_type("JSON_LD", "JSON-LD")),
    ".csv": FileKind("text/csv", _file_type("CSV", "CSV")),
    ".json": FileKind("application/csvm+json", _file_type("JSON", "JSON")),
    ".html": FileKind("text/html", _file_type("HTML", "HTML")),
}

# -- what is catalogued -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFile:
    """One published file, catalogued as a distribution."""

    path: str  # relative to dist/
    key: str  # identifier of the distribution (dane.gov.pl extIdent): at most 36 characters
    title: Text
    description: Text
    conforms_to: tuple[str, ...] = ()

    @property
    def kind(self) -> FileKind:
        return FILE_KINDS[os.path.splitext(self.path)[1]]  # not pathlib: asked for every distribution


@dataclass(frozen=True)
class PlannedDataset:
    key: str  # "all" or "{teryt}-{year}"
    identifier: str  # dct:identifier and dane.gov.pl extIdent: stable, at most 36 characters
    title: Text
    description: Text
    keywords: tuple[Text, ...]
    landing_page: str  # relative to dist/
    years: tuple[int, int]
    members: tuple[str, ...]  # TERYT codes
    files: tuple[PlannedFile, ...]
    edition: Edition | None = None


@dataclass(frozen=True)
class PlannedSeries:
    member: str
    identifier: str
    title: Text
    description: Text
    years: tuple[int, int]


IDENTIFIER_PREFIX = "civicgraph"
_FORMAT_WORDS = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD"}
_KEYWORDS = (
    Text("samorząd terytorialny", "local government"),
    Text("organizacje krajowe", "national organisations"),
    Text("członkostwo", "membership"),
    Text("współpraca samorządów", "cooperation of local governments"),
    Text("dane powiązane", "linked data"),
)


def plan(release: Release) -> tuple[list[PlannedDataset], list[PlannedSeries]]:
    """The datasets and series of the catalogue, and the files each dataset is distributed as."""
    members = release.dataset.members
    all_editions = editions(release)
    years = [e.year for e in all_editions]
    everything = PlannedDataset(
        key="all",
        identifier=f"{IDENTIFIER_PREFIX}-all",
        title=Text(
            "Członkostwo samorządów w organizacjach krajowych — graf wiedzy civicgraph",
            "Local governments' memberships of national organisations — the civicgraph knowledge graph",
        ),
        description=Text(
            "Organizacje i sieci krajowe, do których należą jednostki samorządu terytorialnego, działania "
            "podejmowane w ramach członkostwa i liczby podane w raportach samorządów — każdy fakt z odnośnikiem "
            "do zdania raportu, z którego pochodzi. Wszystkie raporty: "
            + "; ".join(f"{members[e.member].name.pl} {e.year}" for e in all_editions)
            + ".",
            "The national organisations and networks local governments belong to, the activities carried out "
            "within those memberships and the figures the annual reports state — every fact linked to the "
            "sentence of the report it comes from. All reports: "
            + "; ".join(f"{members[e.member].name.en or members[e.member].name.pl} {e.year}" for e in all_editions)
            + ".",
        ),
        keywords=_KEYWORDS,
        landing_page=f"{SITE_DIR}/index.html",
        years=(min(years), max(years)),
        members=tuple(sorted({e.member for e in all_editions})),
        files=_whole_graph_files(),
    )
    reports = {(r.member, r.year): r for r in release.dataset.reports}
    datasets = [everything, *(_edition_dataset(release, e, reports[(e.member, e.year)]) for e in all_editions)]
    years_of: dict[str, list[int]] = {}
    for edition in all_editions:
        years_of.setdefault(edition.member, []).append(edition.year)
    series = [_series(release, member, years) for member, years in sorted(years_of.items())]
    return datasets, series


def _whole_graph_files() -> tuple[PlannedFile, ...]:
    prefix = f"{IDENTIFIER_PREFIX}-all"
    files = [
        PlannedFile(
            f"graph{suffix}",
            f"{prefix}-{suffix[1:]}",
            Text(f"Graf wiedzy ({word})", f"Knowledge graph ({word})"),
            Text(f"Cały graf w formacie {word}.", f"The whole graph as {word}."),
            (ONTOLOGY, SHAPES),
        )
        for suffix, word in _FORMAT_WORDS.items()
    ]
    tables = {
        "memberships": Text("Członkostwa", "Memberships"),
        "activities": Text("Działania", "Activities"),
        "figures": Text("Dane liczbowe", "Figures"),
    }
    for name, title in tables.items():
        files.append(
            PlannedFile(
                f"{name}.csv",
                f"{prefix}-{name}-csv",
                Text(f"{title.pl} (CSV)", f"{title.en} (CSV)"),
                Text(
                    f"{title.pl}: jeden wiersz na zasób grafu, z jego IRI; kodowanie UTF-8, opis kolumn "
                    "w csv-metadata.json.",
                    f"{title.en}: one row per resource of the graph, with its IRI; UTF-8, columns described in "
                    "csv-metadata.json.",
                ),
                (CSVW_STANDARD,),
            )
        )
    files.append(
        PlannedFile(
            "csv-metadata.json",
            f"{prefix}-csv-metadata",
            Text("Opis plików CSV (CSVW)", "Description of the CSV files (CSVW)"),
            Text(
                "Metadane W3C CSV on the Web: kolumny plików CSV i ich odwzorowanie na IRI grafu.",
                "W3C CSV on the Web metadata: the columns of the CSV files and how they map to the graph's IRIs.",
            ),
            (CSVW_STANDARD,),
        )
    )
    files.append(
        PlannedFile(
            f"{SITE_DIR}/index.html",
            f"{prefix}-html",
            Text("Serwis WWW danych powiązanych", "Linked-data website"),
            Text(
                "Strona lub część strony dla każdego zasobu grafu (po polsku i po angielsku), z cytatem "
                "źródłowym każdego faktu.",
                "A page, or a section of a page, for every resource of the graph (in Polish and English), with "
                "the source passage of every fact.",
            ),
        )
    )
    return tuple(files)


def _edition_dataset(release: Release, edition: Edition, report: Report) -> PlannedDataset:
    member = release.dataset.members[edition.member]
    name_en = member.name.en or member.name.pl
    identifier = f"{IDENTIFIER_PREFIX}-{edition.key}"
    files = [
        PlannedFile(
            edition.file(suffix),
            f"{identifier}-{suffix[1:]}",
            Text(f"{member.name.pl} {edition.year} ({word})", f"{name_en} {edition.year} ({word})"),
            Text(
                f"Część grafu z raportu „{report.title.pl}” w formacie {word}.",
                f"The part of the graph stated by the report “{report.title.en or report.title.pl}”, as {word}.",
            ),
            (ONTOLOGY, SHAPES),
        )
        for suffix, word in _FORMAT_WORDS.items()
    ]
    page = f"{SITE_DIR}/report/{edition.member}/{edition.year}.html"
    files.append(
        PlannedFile(
            page,
            f"{identifier}-html",
            Text(f"{member.name.pl} {edition.year} (strona WWW)", f"{name_en} {edition.year} (web page)"),
            Text(
                "Strona raportu w serwisie danych powiązanych, z odnośnikami do członkostw, działań i liczb.",
                "The report's page on the linked-data website, linking to its memberships, activities and figures.",
            ),
        )
    )
    return PlannedDataset(
        key=edition.key,
        identifier=identifier,
        title=Text(
            f"{member.name.pl}: członkostwo w organizacjach krajowych w {edition.year} r.",
            f"{name_en}: memberships of national organisations in {edition.year}",
        ),
        description=Text(
            f"Organizacje i sieci krajowe, do których w {edition.year} r. należała jednostka samorządu "
            f"terytorialnego {member.name.pl}, działania podjęte w ramach członkostwa i liczby podane w raporcie "
            f"„{report.title.pl}” — każdy fakt z "
            "odnośnikiem do zdania raportu, z którego pochodzi.",
            f"The national organisations and networks {name_en} belonged to in {edition.year}, the activities "
            f"carried out within those memberships and the figures stated in the report "
            f"“{report.title.en or report.title.pl}” — every fact linked to the sentence of the report it comes from.",
        ),
        keywords=(*_KEYWORDS, Text(member.name.pl, name_en), Text(str(edition.year), str(edition.year))),
        landing_page=page,
        years=(edition.year, edition.year),
        members=(edition.member,),
        files=tuple(files),
        edition=edition,
    )


def _series(release: Release, teryt: str, years: list[int]) -> PlannedSeries:
    member = release.dataset.members[teryt]
    return PlannedSeries(
        member=teryt,
        identifier=f"{IDENTIFIER_PREFIX}-{teryt}",
        title=Text(
            f"{member.name.pl}: członkostwo w organizacjach krajowych — wydania roczne",
            f"{member.name.en or member.name.pl}: memberships of national organisations — yearly editions",
        ),
        description=Text(
            f"Roczne wydania danych o członkostwie {member.name.pl} w organizacjach krajowych, po jednym na raport.",
            f"Yearly editions of the data on the memberships of {member.name.en or member.name.pl} in national "
            "organisations, one per report.",
        ),
        years=(min(years), max(years)),
    )


# -- IRIs of the catalogue --------------------------------------------------------------------------------------


class CatalogIris:
    """Hash IRIs on ``{base}catalog``: the catalogue document describes them all, so each one dereferences to it
    (``site/catalog.html`` for people, ``catalog.ttl`` for programs)."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.base_iri
        self.catalog = URIRef(f"{self.base}catalog")

    def local(self, name: str) -> URIRef:
        return URIRef(f"{self.catalog}#{name}")

    def dataset(self, planned: PlannedDataset) -> URIRef:
        return self.local(f"dataset-{planned.key}")

    def series(self, member: str) -> URIRef:
        return self.local(f"series-{member}")

    def distribution(self, planned: PlannedFile) -> URIRef:
        return self.local(f"distribution-{planned.key}")

    def period(self, years: tuple[int, int]) -> URIRef:
        first, last = years
        if first == last:
            return URIRef(f"{self.base}period/{first}")  # the graph's own IRI of that year
        return self.local(f"period-{first}-{last}")


def publisher_iri(settings: Settings) -> str:
    assert settings.publisher is not None
    iri = settings.publisher.iri
    return iri if iri.startswith(("http://", "https://")) else settings.base_iri + iri


# -- the graph --------------------------------------------------------------------------------------------------

Object = ox.NamedNode | ox.Literal
# A predicate of a subject, with its objects in canonical order and the triples stating them, in the same order.
Entry = tuple[str, list[Object], list[ox.Triple]]
# A subject of the catalogue with its entries, predicates in canonical order.
Node = tuple[str, list[Entry]]


class _Triples:
    """Triples grouped by subject and predicate, each one kept once: a national catalogue states many triples
    (the vocabulary terms' labels, the publisher, the licence) again for every dataset or distribution."""

    def __init__(self, named: Callable[[str], ox.NamedNode]) -> None:
        self.named = named
        self.subjects: dict[str, dict[str, set[Object]]] = {}
        self._entries: dict[str, list[Entry]] = {}

    def add(self, s: str, p: str, o: Object) -> None:
        self.subjects.setdefault(s, {}).setdefault(p, set()).add(o)

    def entries(self, subject: str) -> list[Entry]:
        """The subject's predicates in canonical order, with their triples — made once, and shared by both
        profiles: an ``ox.Triple`` with a literal object costs microseconds to make."""
        found = self._entries.get(subject)
        if found is None:
            node = self.named(subject)
            found = self._entries[subject] = [
                _entry(node, self.named(predicate), objects)
                for predicate, objects in sorted(
                    self.subjects[subject].items(), key=lambda item: _predicate_order(item[0])
                )
            ]
        return found


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
    _shared_iris: set[str] | None = None

    def prefixes(self, profile: int) -> dict[str, str]:
        """The prefixes (the catalogue's, and the project's) that the Turtle file of the profile uses."""
        if self._shared_iris is None:
            self._shared_iris = written_iris(self.shared)
        return prefixes_for(self._shared_iris | written_iris(self.profiles[profile]), CATALOG_PREFIXES)

    def nodes(self, profile: int) -> list[Node]:
        """The nodes of the profile in rdfio's canonical order: by subject, then ``rdf:type`` first and by
        predicate, then by object."""
        shared, own = self.shared, self.profiles[profile]
        nodes: list[Node] = []
        for subject in sorted(shared.subjects.keys() | own.subjects.keys()):
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
    def __init__(self, release: Release) -> None:
        self.settings = release.dataset.settings
        # Each distribution, its checksum node and its file: the size and digests are stated last.
        self.files: list[tuple[str, str, PlannedFile]] = []
        self.iris = CatalogIris(self.settings)
        self._named: dict[str, ox.NamedNode] = {}
        self.shared = _Triples(self.named)
        self.ap3 = _Triples(self.named)
        self.ap2 = _Triples(self.named)
        self._described: set[tuple[str, str]] = set()  # (kind, IRI) of the resources described already
        self.date = ox.Literal(build_date(self.settings).isoformat(), datatype=self.named(XSD.date))
        self.licence = licence_of(self.settings)
        self.publish_url = self.settings.publish_url

    def named(self, iri: str) -> ox.NamedNode:
        """The term of an IRI, made once: most IRIs (classes, vocabulary terms, the publisher) recur."""
        node = self._named.get(iri)
        if node is None:
            node = self._named[iri] = ox.NamedNode(iri)
        return node

    def first_time(self, kind: str, iri: str) -> bool:
        """Whether a resource is not described yet (and from now on it is): what the catalogue says about a
        vocabulary term, the publisher or a period is stated once, not again for each dataset linking to it."""
        key = (kind, iri)
        if key in self._described:
            return False
        self._described.add(key)
        return True

    def add(self, s: str, p: str, o: Object) -> None:
        self.shared.add(s, p, o)

    def link(self, s: str, p: str, o: str) -> None:
        self.shared.add(s, p, self.named(o))

    def literal(self, s: str, p: str, value: str, datatype: str | None = None) -> None:
        self.shared.add(
            s, p, ox.Literal(value) if datatype is None else ox.Literal(value, datatype=self.named(datatype))
        )

    def text(self, s: str, p: str, text: Text) -> None:
        self.add(s, p, ox.Literal(text.pl, language="pl"))
        if text.en:
            self.add(s, p, ox.Literal(text.en, language="en"))

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

    def catalog(self, datasets: list[PlannedDataset]) -> None:
        catalog = str(self.iris.catalog)
        self.link(catalog, RDF_TYPE, DCAT.Catalog)
        self.text(catalog, DCTERMS.title, Text("Katalog danych civicgraph", "civicgraph data catalogue"))
        self.text(
            catalog,
            DCTERMS.description,
            Text(
                "Zbiory danych o członkostwie jednostek samorządu terytorialnego w organizacjach krajowych, "
                "opublikowane przez civicgraph.",
                "Datasets on local governments' memberships of national organisations, published by civicgraph.",
            ),
        )
        self.common(catalog, datasets[0].years)
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
) -> Catalog:
    """The catalogue of the planned datasets and series; ``facts`` gives the size and digests of every file.

    It is asked for them only once every other triple is made (and its ``ox.Triple`` too): the files can be
    hashed meanwhile (:func:`civicgraph.release.files_facts_meanwhile`)."""
    builder = _CatalogBuilder(release)
    builder.catalog(datasets)
    for planned_series in series:
        builder.series(planned_series)
    for planned in datasets:
        builder.dataset(planned)
    for subject in builder.shared.subjects:
        builder.shared.entries(subject)
    known = facts()
    for distribution, checksum, planned_file in builder.files:
        builder.size_and_checksum(distribution, checksum, known[planned_file.path])
    return Catalog(builder.shared, {3: builder.ap3, 2: builder.ap2})


def written_iris(part: _Triples) -> set[str]:
    """The IRIs a Turtle file of the triples writes, as :func:`civicgraph.rdfio.written_iris` finds them (read
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
    return sorted({f.path for d in datasets for f in d.files})


def write_catalog(release: Release, out: Path) -> None:
    """``catalog.ttl``, ``catalog.jsonld`` (DCAT-AP 3), ``catalog.dcat-ap-2.ttl``, and their copies in ``site/``
    (where the catalogue IRI dereferences to)."""
    datasets, series = plan(release)
    with paused_cycle_collector():
        with files_facts_meanwhile(release, out, planned_paths(datasets)) as facts:
            catalog = build_catalog(release, datasets, series, facts)
        nodes = catalog.nodes(3)
        write_turtle(node_triples(nodes), out / "catalog.ttl", prefixes=catalog.prefixes(3))
        write_flat_jsonld(nodes, out / "catalog.jsonld", CATALOG_PREFIXES)
        nodes = catalog.nodes(2)
        write_turtle(node_triples(nodes), out / CATALOG_AP2_FILE, prefixes=catalog.prefixes(2))
    (out / SITE_DIR).mkdir(exist_ok=True)
    for name in CATALOG_FILES:
        shutil.copyfile(out / name, out / SITE_DIR / name)


# -- JSON-LD ------------------------------------------------------------------------------------------------------


def write_flat_jsonld(nodes: list[Node], path: Path, prefixes: dict[str, str]) -> None:
    """A flat JSON-LD document (one node per subject, in the canonical order) with a prefix context.

    One line per node: :mod:`json` encodes in C only without indentation."""
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
        described: dict[str, Any] = {"@id": compact(subject)}
        for predicate, objects, _triples in entries:
            if predicate == RDF_TYPE:
                described["@type"] = [compact(o.value) for o in objects]
            else:
                described[compact(predicate)] = [value(o) for o in objects]
        return described

    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    graph = ",\n".join(encode(node(subject, predicates)) for subject, predicates in nodes)
    context = encode(dict(sorted(prefixes.items())))
    path.write_text(f'{{"@context": {context},\n"@graph": [\n{graph}\n]}}\n', encoding="utf-8")
