"""The DCAT-AP catalogue of a release (``catalog.ttl``, ``catalog.jsonld``), as portals harvest it.

What is catalogued (:func:`plan`): the whole graph as one dataset, and every member-year report as a dataset of
its own in a ``dcat:DatasetSeries`` per member — each with a distribution per published file. The catalogue is
built as an rdflib graph and serialized canonically; checksums and byte sizes are read from the files as
written, so this writer runs after every writer of a catalogued file.

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
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS, XSD, Namespace

from .gcpause import paused_cycle_collector
from .rdfio import to_oxigraph, write_turtle
from .records import Report, Settings, Text
from .release import RDF_TYPE, Edition, FileFacts, build_date, editions, file_facts

if TYPE_CHECKING:
    from .publish import Release

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's DCAT namespace is closed over DCAT 2 terms
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
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
    "adms": str(ADMS),
    "dcat": str(DCAT),
    "dcatap": str(DCATAP),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "gsp": str(GSP),
    "owl": str(OWL),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}

# -- controlled vocabularies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A term of a controlled vocabulary the catalogue links to, with what the shapes need to know about it."""

    iri: str
    scheme: str
    classes: tuple[URIRef, ...]
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


def _eu(table: str, code: str, classes: tuple[URIRef, ...], label: Text) -> Term:
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
        return FILE_KINDS[Path(self.path).suffix]


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


class _CatalogBuilder:
    def __init__(self, release: Release, facts: dict[str, FileFacts], profile: int) -> None:
        self.settings = release.dataset.settings
        self.release = release
        self.facts = facts
        self.profile = profile  # 3: DCAT-AP 3.0.1, 2: DCAT-AP 2.1.1
        self.iris = CatalogIris(self.settings)
        # A set, not an rdflib Graph: a national catalogue states a few hundred thousand triples, many of them
        # (the vocabulary terms' labels) again and again, and rdflib's store is slow to add to.
        self.triples: set[tuple[URIRef, URIRef, URIRef | Literal]] = set()
        self._described: set[str] = set()  # vocabulary terms whose own triples are stated already
        self.date = Literal(build_date(self.settings).isoformat(), datatype=XSD.date)
        self.licence = licence_of(self.settings)
        self.publish_url = self.settings.publish_url

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.triples.add((s, p, o))

    def text(self, s: URIRef, p: URIRef, text: Text) -> None:
        self.add(s, p, Literal(text.pl, lang="pl"))
        if text.en:
            self.add(s, p, Literal(text.en, lang="en"))

    def term(self, s: URIRef, p: URIRef, term: Term) -> None:
        """Link to a vocabulary term, with the typing triples the DCAT-AP shapes look for on the data."""
        iri = URIRef(term.iri)
        self.add(s, p, iri)
        if term.iri in self._described:
            return
        self._described.add(term.iri)
        for cls in term.classes:
            self.add(iri, RDF.type, cls)
        self.add(iri, SKOS.inScheme, URIRef(term.scheme))
        self.text(iri, SKOS.prefLabel, term.label)
        scheme = next(s for s in SCHEMES.values() if s.iri == term.scheme)
        self.add(URIRef(scheme.iri), RDF.type, SKOS.ConceptScheme)
        self.text(URIRef(scheme.iri), DCTERMS.title, scheme.title)

    def document(self, s: URIRef, p: URIRef, url: str) -> None:
        self.add(s, p, URIRef(url))
        self.add(URIRef(url), RDF.type, FOAF.Document)

    def standard(self, s: URIRef, iri: str) -> None:
        titles = {
            ONTOLOGY: Text("Ontologia civicgraph", "civicgraph ontology"),
            SHAPES: Text("Kształty SHACL civicgraph", "civicgraph SHACL shapes"),
            CSVW_STANDARD: Text(
                "Model danych tabelarycznych w sieci (W3C)", "Model for Tabular Data and Metadata on the Web (W3C)"
            ),
        }
        self.add(s, DCTERMS.conformsTo, URIRef(iri))
        self.add(URIRef(iri), RDF.type, DCTERMS.Standard)
        self.text(URIRef(iri), DCTERMS.title, titles[iri])

    def common(self, s: URIRef, years: tuple[int, int]) -> None:
        """What the catalogue, its series and its datasets all state: publisher, dates, place and time."""
        self.publisher(s)
        self.add(s, DCTERMS.issued, self.date)
        self.add(s, DCTERMS.modified, self.date)
        self.spatial(s)
        self.temporal(s, years)

    def publisher(self, s: URIRef) -> None:
        publisher = self.settings.publisher
        assert publisher is not None
        agent = URIRef(publisher_iri(self.settings))
        self.add(s, DCTERMS.publisher, agent)
        self.add(agent, RDF.type, FOAF.Agent)
        self.add(agent, RDF.type, FOAF.Organization)
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

    def contact(self, s: URIRef) -> None:
        contact = self.settings.contact
        assert contact is not None
        node = self.iris.local("contact")
        self.add(s, DCAT.contactPoint, node)
        self.add(node, RDF.type, VCARD.Organization)
        self.add(node, RDF.type, VCARD.Kind)
        self.text(node, VCARD.fn, contact.name)
        if contact.url:
            self.add(node, VCARD.hasURL, URIRef(contact.url))
        if contact.email:
            self.add(node, VCARD.hasEmail, URIRef(f"mailto:{contact.email}"))

    def spatial(self, s: URIRef) -> None:
        spatial = self.settings.spatial
        if spatial is None:
            return
        place = URIRef(spatial.iri)
        self.add(s, DCTERMS.spatial, place)
        self.add(place, RDF.type, DCTERMS.Location)
        self.add(place, DCAT.bbox, Literal(spatial.bbox, datatype=GSP.wktLiteral))
        self.add(place, DCAT.centroid, Literal(spatial.centroid, datatype=GSP.wktLiteral))
        if spatial.iri.startswith(f"{EU}country/"):
            self.term(s, DCTERMS.spatial, Term(spatial.iri, SCHEMES["country"].iri, (SKOS.Concept,), spatial.name))

    def temporal(self, s: URIRef, years: tuple[int, int]) -> None:
        period = self.iris.period(years)
        self.add(s, DCTERMS.temporal, period)
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        self.add(period, DCAT.startDate, Literal(date(years[0], 1, 1).isoformat(), datatype=XSD.date))
        self.add(period, DCAT.endDate, Literal(date(years[1], 12, 31).isoformat(), datatype=XSD.date))

    # -- resources --------------------------------------------------------------------------------------------

    def catalog(self, datasets: list[PlannedDataset]) -> None:
        catalog = self.iris.catalog
        self.add(catalog, RDF.type, DCAT.Catalog)
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
        self.add(catalog, DCAT.themeTaxonomy, URIRef(SCHEMES["data-theme"].iri))
        self.add(URIRef(SCHEMES["data-theme"].iri), RDF.type, SKOS.ConceptScheme)
        self.text(URIRef(SCHEMES["data-theme"].iri), DCTERMS.title, SCHEMES["data-theme"].title)
        self.document(catalog, FOAF.homepage, f"{self.publish_url}{SITE_DIR}/index.html")
        for planned in datasets:
            self.add(catalog, DCAT.dataset, self.iris.dataset(planned))

    def licence_of(self, s: URIRef) -> None:
        self.term(s, DCTERMS.license, self.licence.term)
        self.term(URIRef(self.licence.term.iri), DCTERMS.type, self.licence.licence_type)

    def series(self, planned: PlannedSeries) -> None:
        series = self.iris.series(planned.member)
        self.add(series, RDF.type, DCAT.DatasetSeries)
        self.add(series, DCTERMS.identifier, Literal(planned.identifier))
        self.text(series, DCTERMS.title, planned.title)
        self.text(series, DCTERMS.description, planned.description)
        self.common(series, planned.years)
        self.contact(series)
        self.term(series, DCTERMS.accrualPeriodicity, ANNUAL)

    def dataset(self, planned: PlannedDataset) -> None:
        dataset = self.iris.dataset(planned)
        self.add(dataset, RDF.type, DCAT.Dataset)
        self.add(dataset, DCTERMS.identifier, Literal(planned.identifier))
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
        self.add(dataset, DCAT.version, Literal(self.settings.edition))
        self.add(dataset, OWL.versionInfo, Literal(self.settings.edition))  # DCAT-AP-PL (dane.gov.pl) requires it
        for standard in (ONTOLOGY, SHAPES):
            self.standard(dataset, standard)
        if planned.edition is not None:
            self.add(dataset, DCAT.inSeries, self.iris.series(planned.edition.member))
        for planned_file in planned.files:
            self.add(dataset, DCAT.distribution, self.iris.distribution(planned_file))
            self.distribution(planned_file)

    def distribution(self, planned: PlannedFile) -> None:
        node = self.iris.distribution(planned)
        url = URIRef(self.publish_url + planned.path)
        facts = self.facts[planned.path]
        self.add(node, RDF.type, DCAT.Distribution)
        self.add(node, DCTERMS.identifier, Literal(planned.key))
        self.text(node, DCTERMS.title, planned.title)
        self.text(node, DCTERMS.description, planned.description)
        self.add(node, DCAT.accessURL, url)
        self.add(node, DCAT.downloadURL, url)
        media_type = URIRef(IANA + planned.kind.media_type)
        self.add(node, DCAT.mediaType, media_type)
        self.add(media_type, RDF.type, DCTERMS.MediaType)
        self.add(media_type, RDF.type, DCTERMS.MediaTypeOrExtent)  # entailed by DCTERMS; dane.gov.pl checks it
        self.term(node, DCTERMS.format, planned.kind.file_type)
        self.licence_of(node)
        self.term(node, DCATAP.availability, STABLE)
        self.add(node, DCTERMS.issued, self.date)
        self.add(node, DCTERMS.modified, self.date)
        for standard in planned.conforms_to:
            self.standard(node, standard)
        size_type = XSD.nonNegativeInteger if self.profile == 3 else XSD.decimal
        self.add(node, DCAT.byteSize, Literal(str(facts.size), datatype=size_type))
        self.checksum(node, planned, facts)

    def checksum(self, distribution: URIRef, planned: PlannedFile, facts: FileFacts) -> None:
        node = self.iris.local(f"checksum-{planned.key}")
        self.add(distribution, SPDX.checksum, node)
        self.add(node, RDF.type, SPDX.Checksum)
        if self.profile == 3:
            # DCAT-AP 3.0.1's vocabulary shape requires the algorithm IRI to start with "https://spdx.org/rdf/terms"
            # while SPDX's namespace is http://: the https IRI is given, and stated the same as SPDX's own.
            algorithm = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
            self.add(algorithm, OWL.sameAs, SPDX.checksumAlgorithm_sha256)
            value = facts.sha256
        else:
            algorithm = SPDX.checksumAlgorithm_sha1  # the only algorithm DCAT-AP 2.1.1 accepts
            value = facts.sha1
        self.add(node, SPDX.algorithm, algorithm)
        self.add(algorithm, RDF.type, SPDX.ChecksumAlgorithm)
        self.add(node, SPDX.checksumValue, Literal(value, datatype=XSD.hexBinary))


def catalog_triples(release: Release, facts: dict[str, FileFacts], profile: int = 3) -> list[ox.Triple]:
    """The catalogue's triples in canonical order; ``facts`` gives the size and digests of every planned file."""
    datasets, series = plan(release)
    builder = _CatalogBuilder(release, facts, profile)
    builder.catalog(datasets)
    for planned_series in series:
        builder.series(planned_series)
    for planned in datasets:
        builder.dataset(planned)
    named: dict[str, ox.NamedNode] = {}
    literals: dict[Literal, ox.Literal] = {}

    def iri(node: str) -> ox.NamedNode:
        found = named.get(node)
        if found is None:
            found = named[node] = ox.NamedNode(node)
        return found

    def value(node: URIRef | Literal) -> ox.NamedNode | ox.Literal:
        if isinstance(node, URIRef):
            return iri(node)
        found = literals.get(node)
        if found is None:
            converted = to_oxigraph(node)
            assert isinstance(converted, ox.Literal)
            found = literals[node] = converted
        return found

    rows = [(str(s), str(p), value(o)) for s, p, o in builder.triples]
    rows.sort(key=lambda row: (row[0], row[1] != RDF_TYPE, row[1], str(row[2])))  # rdfio's canonical order
    triples = [ox.Triple(iri(s), iri(p), o) for s, p, o in rows]
    return triples


def planned_paths(release: Release) -> list[str]:
    datasets, _series = plan(release)
    return sorted({f.path for d in datasets for f in d.files})


def write_catalog(release: Release, out: Path) -> None:
    """``catalog.ttl``, ``catalog.jsonld`` (DCAT-AP 3), ``catalog.dcat-ap-2.ttl``, and their copies in ``site/``
    (where the catalogue IRI dereferences to)."""
    facts = {path: file_facts(out, path) for path in planned_paths(release)}
    with paused_cycle_collector():
        triples = catalog_triples(release, facts, profile=3)
        write_turtle(triples, out / "catalog.ttl", CATALOG_PREFIXES)
        write_flat_jsonld(triples, out / "catalog.jsonld", CATALOG_PREFIXES)
        write_turtle(catalog_triples(release, facts, profile=2), out / CATALOG_AP2_FILE, CATALOG_PREFIXES)
    (out / SITE_DIR).mkdir(exist_ok=True)
    for name in CATALOG_FILES:
        shutil.copyfile(out / name, out / SITE_DIR / name)


# -- JSON-LD ------------------------------------------------------------------------------------------------------


def write_flat_jsonld(triples: list[ox.Triple], path: Path, prefixes: dict[str, str]) -> None:
    """A flat JSON-LD document (one node per subject) with a prefix context; same triples, same bytes."""
    namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def compact(iri: str) -> str:
        for prefix, namespace in namespaces:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
        return iri

    def value(term: ox.NamedNode | ox.Literal) -> Any:
        if isinstance(term, ox.NamedNode):
            return {"@id": compact(term.value)}
        if term.language is not None:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == str(XSD.string):
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value)}

    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject, obj = triple.subject, triple.object
        assert isinstance(subject, ox.NamedNode) and isinstance(obj, ox.NamedNode | ox.Literal)
        node = nodes.setdefault(subject.value, {"@id": compact(subject.value)})
        if triple.predicate.value == str(RDF.type):
            node.setdefault("@type", []).append(compact(obj.value))
        else:
            node.setdefault(compact(triple.predicate.value), []).append(value(obj))
    document = {"@context": dict(sorted(prefixes.items())), "@graph": list(nodes.values())}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
