"""What the catalogue of a release lists — the datasets (the whole graph, one per edition), the series of a
member's editions, each file with its media and EU file type — and the vocabularies, licences and IRIs the
catalogue, the dane.gov.pl file, VoID and the site describe them with."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rdflib import URIRef

from civicgraph.publish.negotiation import SITE_DIR
from civicgraph.publish.release import Edition, build_date, editions_of
from civicgraph.publish.reuse import NOT_PUBLISHED, key_of
from civicgraph.source.records import Dataset, Report, Settings, Text
from civicgraph.util.kept import KeptFor

if TYPE_CHECKING:
    from civicgraph.publish.release import Release


class Vocabulary:
    """A namespace whose attributes are the IRIs of its terms, as plain strings.

    The catalogue is made of strings and Oxigraph terms rather than rdflib terms: a national catalogue states
    hundreds of thousands of triples, and an rdflib URIRef or Literal costs several times an Oxigraph term to
    make (and a URIRef is never equal to the str of its IRI)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def __getattr__(self, local: str) -> str:
        if local.startswith("_"):  # what copy, pickle and the like look for (__deepcopy__): no term, and not kept
            raise AttributeError(local)
        iri = self.namespace + local
        setattr(self, local, iri)  # found without this call next time: 0.09 s of a national catalogue's, sampled
        return iri


ADMS = Vocabulary("http://www.w3.org/ns/adms#")
DCAT = Vocabulary("http://www.w3.org/ns/dcat#")
DCATAP = Vocabulary("http://data.europa.eu/r5r/")
DCTERMS = Vocabulary("http://purl.org/dc/terms/")
FOAF = Vocabulary("http://xmlns.com/foaf/0.1/")
GSP = Vocabulary("http://www.opengis.net/ont/geosparql#")
HYDRA = Vocabulary("http://www.w3.org/ns/hydra/core#")
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
CATALOG_PAGES_DIR = "catalog-pages"  # the catalogue a page at a time, for harvesters (catalog.write_pages)
FIRST_CATALOG_PAGE = f"{CATALOG_PAGES_DIR}/all.ttl"  # where a harvester starts

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
    # A file to download (dcat:downloadURL, with its size and checksum); False for the website, whose path is the
    # page it is entered at (dcat:accessURL alone): its size and checksum would be that one page's.
    downloadable: bool = True

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


Plan = tuple[list[PlannedDataset], list[PlannedSeries]]
_PLANS: KeptFor[Plan] = KeptFor()  # one release at a time


def plan(release: Release) -> Plan:
    """The datasets and series of the catalogue, and the files each dataset is distributed as: made once per
    release and shared (read it, do not change it). VoID, the site, the catalogue and dane.gov.pl read it, each in
    whichever process writes it; made before they fork (see :func:`civicgraph.publish.orchestrator.publish`), it
    takes 0.5 s once at three national years instead of four times."""
    return _PLANS.get_or_keep(release, lambda: planned(release.dataset))


@dataclass(frozen=True)
class PlanKeys:
    """The keys (:func:`civicgraph.publish.reuse.key_of`) of what the plan is made from, each with the settings and
    the release date: each planned dataset's (by its key) and series' (by its member's TERYT), and the whole
    plan's, made from theirs (every dataset's, in the plan's order)."""

    datasets: dict[str, str]
    series: dict[str, str]
    whole: str


def plan_keys_of(settings: Settings, made: Plan) -> PlanKeys:
    """The keys of a plan, ``made`` for data read with these ``settings``."""
    context = key_of(settings, build_date(settings), skip=NOT_PUBLISHED)
    datasets, series = made
    dataset_keys = {planned.key: key_of(context, planned, skip=NOT_PUBLISHED) for planned in datasets}
    return PlanKeys(
        dataset_keys,
        {planned.member: key_of(context, planned, skip=NOT_PUBLISHED) for planned in series},
        key_of(context, list(dataset_keys.values())),
    )


_PLAN_KEYS: KeptFor[PlanKeys] = KeptFor()  # one release at a time


def plan_keys(release: Release) -> PlanKeys:
    """The keys of the release's plan (:class:`PlanKeys`): made once per release, and shared by dane.gov.pl's file,
    the site's catalogue page and the catalogue's parts."""
    return _PLAN_KEYS.get_or_keep(release, lambda: plan_keys_of(release.dataset.settings, plan(release)))


def plan_key(release: Release) -> str:
    """The key of what a file listing the planned datasets is made from: the datasets, the settings and the
    release date (:class:`PlanKeys`). dane.gov.pl's file and the site's catalogue page are keyed from it, each with
    its own name."""
    return plan_keys(release).whole


def planned(dataset: Dataset) -> Plan:
    """The plan of a release of ``dataset`` (:func:`plan`), made anew."""
    all_editions = editions_of(dataset)
    years = [e.year for e in all_editions]
    everything = PlannedDataset(
        key="all",
        identifier=f"{IDENTIFIER_PREFIX}-all",
        title=Text(
            "Członkostwo samorządów w organizacjach krajowych — graf wiedzy",
            "Local governments' memberships of national organisations — knowledge graph",
        ),
        description=_whole_graph_description(dataset, all_editions),
        keywords=_KEYWORDS,
        landing_page=f"{SITE_DIR}/index.html",
        years=(min(years), max(years)),
        members=tuple(sorted({e.member for e in all_editions})),
        files=_whole_graph_files(),
    )
    reports = {(r.member, r.year): r for r in dataset.reports}
    datasets = [everything, *(_edition_dataset(dataset, e, reports[(e.member, e.year)]) for e in all_editions)]
    years_of: dict[str, list[int]] = {}
    for edition in all_editions:
        years_of.setdefault(edition.member, []).append(edition.year)
    series = [_series(dataset, member, years) for member, years in sorted(years_of.items())]
    return datasets, series


# The longest description of a dataset, in either language, that the strictest of the catalogues' readers takes:
# dane.gov.pl's harvester schema (``descriptionType`` in xml_import_otwarte_dane_1_10.xsd: 1,000 characters). A file
# with a longer one is refused whole.
DESCRIPTION_MOST = 1000


def _whole_graph_description(dataset: Dataset, all_editions: list[Edition]) -> Text:
    """What the whole graph holds, with every report by its local government and year while that fits in
    :data:`DESCRIPTION_MOST` characters (a city's or a region's few reports), else with how many reports of how
    many local governments, and which years: the reports of a national year took 102,007 characters in Polish."""
    members = dataset.members
    lead = Text(
        "Organizacje i sieci krajowe, do których należą jednostki samorządu terytorialnego, działania "
        "podejmowane w ramach członkostwa i liczby podane w raportach samorządów — każdy fakt z odnośnikiem "
        "do zdania raportu, z którego pochodzi. ",
        "The national organisations and networks local governments belong to, the activities carried out "
        "within those memberships and the figures the annual reports state — every fact linked to the "
        "sentence of the report it comes from. ",
    )
    listed = Text(
        f"{lead.pl}Wszystkie raporty: "
        + "; ".join(f"{members[e.member].name.pl} {e.year}" for e in all_editions)
        + ".",
        f"{lead.en}All reports: "
        + "; ".join(f"{members[e.member].name.en or members[e.member].name.pl} {e.year}" for e in all_editions)
        + ".",
    )
    if max(len(listed.pl), len(listed.en or "")) <= DESCRIPTION_MOST:
        return listed
    years = sorted({e.year for e in all_editions})
    shown = ", ".join(str(year) for year in years)
    governments = len({e.member for e in all_editions})
    return Text(
        f"{lead.pl}Wszystkie raporty: {len(all_editions)} (samorządy: {governments}; "
        f"{'rok' if len(years) == 1 else 'lata'}: {shown}), każdy w katalogu jako osobny zbiór danych.",
        f"{lead.en}All reports: {len(all_editions)} (local governments: {governments}; "
        f"{'year' if len(years) == 1 else 'years'}: {shown}), each a dataset of its own in the catalogue.",
    )


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
            downloadable=False,
        )
    )
    return tuple(files)


def _edition_dataset(dataset: Dataset, edition: Edition, report: Report) -> PlannedDataset:
    member = dataset.members[edition.member]
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


def _series(dataset: Dataset, teryt: str, years: list[int]) -> PlannedSeries:
    member = dataset.members[teryt]
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


# Hosts that only redirect (persistent identifiers) or that no one can serve (RFC 2606's reserved names): a
# download URL under them leads to no file until a redirect points it at the server that holds the release.
REDIRECT_HOSTS = ("w3id.org", "purl.org", "purl.archive.org", "doi.org", "dx.doi.org", "hdl.handle.net", "n2t.net")
RESERVED_HOSTS = ("example.org", "example.com", "example.net", "example", "test", "invalid", "localhost")


def publish_url_warning(publish_url: str) -> dict[str, str] | None:
    """A warning in Polish and English when ``publish_url`` cannot serve the release's files, else None.

    The catalogue, the dane.gov.pl file and VoID give every file's download URL under ``publish_url``; a redirect
    service such as w3id.org holds no files, so with the default address those URLs lead nowhere unless the
    redirect is set up (docs/publishing.md)."""
    host = (urlsplit(publish_url).hostname or "").lower()
    if _under(host, REDIRECT_HOSTS) or _under(host, RESERVED_HOSTS):
        kind_pl, kind_en = (
            ("usługa przekierowań, nie serwer plików", "only redirects and serves no files")
            if _under(host, REDIRECT_HOSTS)
            else ("nazwa zarezerwowana, której nikt nie obsługuje", "is a reserved name no server answers")
        )
        return {
            "pl": f"uwaga: publish_url {publish_url} to {host}: {kind_pl}. Adresy pobierania w katalogu (catalog.ttl, "
            "danegovpl.xml, void.ttl) nie doprowadzą do plików, dopóki przekierowanie nie wskaże serwera z plikami "
            "wydania; ustaw publish_url w civicgraph.yaml na adres tego serwera (docs/publishing.md).",
            "en": f"warning: publish_url {publish_url} is on {host}, which {kind_en}. The download URLs of the "
            "catalogue (catalog.ttl, danegovpl.xml, void.ttl) lead to no file until a redirect points them at the "
            "server that holds the release; set publish_url in civicgraph.yaml to that server's address "
            "(docs/publishing.md).",
        }
    return None


def _under(host: str, names: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``names`` or a subdomain of one."""
    return any(host == name or host.endswith("." + name) for name in names)
