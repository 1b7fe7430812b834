"""The DCAT-AP catalogue: it conforms to the official shapes portals check, and says the truth about its files.

pyshacl runs once per shapes set (session fixtures), on the catalogue files as published in ``dist/``. The shapes
are the official files copied into tests/standards/ (see its README); remote ``owl:imports`` are never loaded.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, Namespace

from civicgraph.publish import plan
from civicgraph.source.records import Dataset

STANDARDS = Path(__file__).resolve().parents[1] / "standards"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's closed XSD namespace warns when pytest probes it
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
PUBLISHER = URIRef("https://w3id.org/civicgraph/id/member/3064011")  # data/civicgraph.yaml: publisher.iri

pytestmark = pytest.mark.skipif(not STANDARDS.is_dir(), reason=f"the official shapes are not at {STANDARDS}")


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    path: str | None
    constraint: str


def _shapes(*names: str, implicit_class_targets: bool = False) -> Graph:
    shapes = Graph()
    for name in names:
        shapes.parse(STANDARDS / name, format="turtle")
    if implicit_class_targets:
        # dane.gov.pl's shapes are named after the classes they check (`dcat:Catalog a sh:NodeShape`), which
        # SHACL treats as a class target only when the shape is also an rdfs:Class. The portal gets that typing
        # from the vocabularies its shapes owl:import; the test states it instead of loading remote imports.
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
            if isinstance(shape, URIRef) and not str(shape).startswith("http://data.europa.eu/r5r"):
                shapes.add((shape, RDF.type, RDFS.Class))
    return shapes


def _run(data: Graph, shapes: Graph) -> list[Result]:
    """Top-level results only (the details of an sh:node failure are in sh:detail, not repeated here)."""
    _conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True, do_owl_imports=False
    )
    assert isinstance(report, Graph)
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in report:
            continue
        path = report.value(node, SH.resultPath)
        results.append(
            Result(
                str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
                str(report.value(node, SH.focusNode)),
                str(path) if path is not None else None,
                str(report.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            )
        )
    return sorted(results, key=lambda r: (r.severity, r.focus, r.path or ""))


@pytest.fixture(scope="session")
def catalog(dist: Path) -> Graph:
    return Graph().parse(dist / "catalog.ttl")


@pytest.fixture(scope="session")
def catalog_ap2(dist: Path) -> Graph:
    return Graph().parse(dist / "catalog.dcat-ap-2.ttl")


# -- one pyshacl run per shapes set ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dcat_ap3_core(catalog: Graph) -> list[Result]:
    return _run(catalog, _shapes("dcat-ap/3.0.1/shapes.ttl", "dcat-ap/3.0.1/range.ttl"))


@pytest.fixture(scope="session")
def dcat_ap3_vocabularies(catalog: Graph) -> list[Result]:
    return _run(catalog, _shapes("dcat-ap/3.0.1/mdr-vocabularies.shape.ttl"))


@pytest.fixture(scope="session")
def dcat_ap3_recommended(catalog: Graph) -> list[Result]:
    return _run(catalog, _shapes("dcat-ap/3.0.1/shapes_recommended.ttl"))


@pytest.fixture(scope="session")
def dcat_ap2_core(catalog_ap2: Graph) -> list[Result]:
    return _run(
        catalog_ap2,
        _shapes("dcat-ap/2.1.1/dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap/2.1.1/dcat-ap_2.1.1_shacl_range.ttl"),
    )


@pytest.fixture(scope="session")
def dcat_ap2_vocabularies(catalog_ap2: Graph) -> list[Result]:
    return _run(catalog_ap2, _shapes("dcat-ap/2.1.1/dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl"))


@pytest.fixture(scope="session")
def dcat_ap2_recommended(catalog_ap2: Graph) -> list[Result]:
    return _run(catalog_ap2, _shapes("dcat-ap/2.1.1/dcat-ap_2.1.1_shacl_shapes_recommended.ttl"))


@pytest.fixture(scope="session")
def danegovpl_core(catalog_ap2: Graph) -> list[Result]:
    return _run(
        catalog_ap2,
        _shapes(
            "danegovpl/shacl/dcat-ap.shapes.ttl",
            "danegovpl/shacl/dcat-ap-mandatory-classes.shapes.ttl",
            implicit_class_targets=True,
        ),
    )


@pytest.fixture(scope="session")
def danegovpl_vocabularies(catalog_ap2: Graph) -> list[Result]:
    return _run(
        catalog_ap2, _shapes("danegovpl/shacl/dcat-ap-mdr-vocabularies.shapes.ttl", implicit_class_targets=True)
    )


def _only_publisher_not_an_eu_body(results: list[Result], severity: str) -> None:
    """The one result the EU vocabulary shapes must give: Miasto Poznań is not in the EU corporate-bodies table
    (which lists EU institutions), and stating that it is would be false."""
    assert results, "expected the corporate-body check on dct:publisher to fire"
    assert {r.path for r in results} == {str(DCTERMS.publisher)}
    assert {r.severity for r in results} == {severity}


def test_dcat_ap_3_mandatory_and_range_shapes_conform(dcat_ap3_core: list[Result]) -> None:
    assert dcat_ap3_core == []


def test_dcat_ap_3_controlled_vocabularies_conform(dcat_ap3_vocabularies: list[Result]) -> None:
    assert [r for r in dcat_ap3_vocabularies if r.severity == "Violation"] == []
    _only_publisher_not_an_eu_body(dcat_ap3_vocabularies, "Warning")


def test_dcat_ap_3_recommended_shapes_give_no_warning(dcat_ap3_recommended: list[Result]) -> None:
    assert dcat_ap3_recommended == []


def test_dcat_ap_2_1_1_shapes_conform(
    dcat_ap2_core: list[Result], dcat_ap2_vocabularies: list[Result], dcat_ap2_recommended: list[Result]
) -> None:
    assert dcat_ap2_core == []
    assert dcat_ap2_recommended == []
    _only_publisher_not_an_eu_body(dcat_ap2_vocabularies, "Warning")


def test_danegovpl_importer_shapes_conform(danegovpl_core: list[Result], danegovpl_vocabularies: list[Result]) -> None:
    assert danegovpl_core == []
    # dane.gov.pl's copy of the old vocabulary shapes makes the same corporate-body check a violation.
    _only_publisher_not_an_eu_body(danegovpl_vocabularies, "Violation")


def test_the_shapes_do_fire_on_a_broken_catalogue(catalog: Graph) -> None:
    """The conforming runs above are not vacuous: without a title and an access URL the same shapes object, on
    every resource of a class whose DCAT-AP 3.0.1 shape makes them mandatory, and on nothing else."""
    broken = Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove((None, DCTERMS.title, None))
    broken.remove((None, DCAT.accessURL, None))
    results = _run(broken, _shapes("dcat-ap/3.0.1/shapes.ttl"))
    # shapes.ttl: dct:title sh:minCount 1 in Catalog_Shape, Dataset_Shape, DatasetSeries_Shape, DataService_Shape
    # and CategoryScheme_Shape (skos:ConceptScheme: the EU tables the catalogue describes); dcat:accessURL
    # sh:minCount 1 in Distribution_Shape. All are sh:Violation.
    titled = (DCAT.Catalog, DCAT.Dataset, DCAT.DatasetSeries, DCAT.DataService, SKOS.ConceptScheme)
    expected = [
        Result("Violation", str(node), str(DCTERMS.title), "MinCountConstraintComponent")
        for cls in titled
        for node in set(catalog.subjects(RDF.type, cls))
    ] + [
        Result("Violation", str(node), str(DCAT.accessURL), "MinCountConstraintComponent")
        for node in set(catalog.subjects(RDF.type, DCAT.Distribution))
    ]
    assert results == sorted(expected, key=lambda r: (r.severity, r.focus, r.path or ""))
    # Each kind is there to be checked: the catalogue, its datasets and series, the EU tables, the files.
    assert {cls for cls in (*titled, DCAT.Distribution) if (None, RDF.type, cls) in catalog} == {
        DCAT.Catalog,
        DCAT.Dataset,
        DCAT.DatasetSeries,
        SKOS.ConceptScheme,
        DCAT.Distribution,
    }


# -- the catalogue tells the truth about the files ----------------------------------------------------------


def _distributions(graph: Graph) -> Iterator[URIRef]:
    for node in sorted(graph.subjects(RDF.type, DCAT.Distribution)):
        assert isinstance(node, URIRef)
        yield node


def _local_file(dist: Path, dataset: Dataset, url: object) -> Path:
    publish_url = dataset.settings.publish_url
    assert isinstance(url, URIRef) and str(url).startswith(publish_url), url
    return dist / str(url)[len(publish_url) :]


# the whole graph's website (data/civicgraph.yaml: publish_url + site/index.html): entered there, no file to download
WEBSITE = URIRef("https://w3id.org/civicgraph/site/index.html")


def test_the_website_is_a_distribution_to_access_not_a_file_to_download(catalog: Graph, catalog_ap2: Graph) -> None:
    """DCAT: dcat:downloadURL is "a URL of a downloadable file in a given format"; the website is hundreds of files,
    entered at its home page, whose size and checksum would be that one page's."""
    for graph in (catalog, catalog_ap2):
        (website,) = graph.subjects(DCAT.accessURL, WEBSITE)
        assert [graph.value(website, p) for p in (DCAT.downloadURL, DCAT.byteSize, SPDX.checksum)] == [None] * 3
        assert graph.value(website, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/html")


def test_every_checksum_and_byte_size_matches_its_file(catalog: Graph, dist: Path, dataset: Dataset) -> None:
    checked = 0
    for distribution in _distributions(catalog):
        if catalog.value(distribution, DCAT.accessURL) == WEBSITE:
            continue
        path = _local_file(dist, dataset, catalog.value(distribution, DCAT.downloadURL))
        data = path.read_bytes()
        size = catalog.value(distribution, DCAT.byteSize)
        assert size == Literal(str(len(data)), datatype=XSD.nonNegativeInteger), path
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.checksumValue) == Literal(
            hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary
        ), path
        checked += 1
    # whole graph: 3 RDF + 3 CSV + CSVW (the website has none); each report (Poznań 2023 among them): 3 RDF + its page
    assert checked == 7 + 4 * len(dataset.reports)


def test_the_dcat_ap_2_profile_carries_sha1_and_decimal_sizes(catalog_ap2: Graph, dist: Path, dataset: Dataset) -> None:
    """DCAT-AP 2.1.1 allows only SHA-1 (spdx:checksumAlgorithm_sha1) and types dcat:byteSize as xsd:decimal."""
    for distribution in _distributions(catalog_ap2):
        if catalog_ap2.value(distribution, DCAT.accessURL) == WEBSITE:
            continue
        data = _local_file(dist, dataset, catalog_ap2.value(distribution, DCAT.downloadURL)).read_bytes()
        assert catalog_ap2.value(distribution, DCAT.byteSize) == Literal(str(len(data)), datatype=XSD.decimal)
        checksum = catalog_ap2.value(distribution, SPDX.checksum)
        assert catalog_ap2.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
        assert str(catalog_ap2.value(checksum, SPDX.checksumValue)) == hashlib.sha1(data).hexdigest()


def test_every_distribution_has_urls_media_type_format_and_the_eu_licence(catalog: Graph) -> None:
    licence = URIRef(f"{EU}licence/CC_BY_4_0")  # data_licence is CC BY 4.0
    media_types = set()
    for distribution in _distributions(catalog):
        access = catalog.value(distribution, DCAT.accessURL)
        assert str(access).startswith("https://")
        assert catalog.value(distribution, DCAT.downloadURL) == (access if access != WEBSITE else None)
        assert catalog.value(distribution, DCTERMS.license) == licence
        media_types.add(str(catalog.value(distribution, DCAT.mediaType)))
        assert str(catalog.value(distribution, DCTERMS.format)).startswith(f"{EU}file-type/")
    assert media_types == {
        f"https://www.iana.org/assignments/media-types/{kind}"
        for kind in (
            "text/turtle",
            "application/n-triples",
            "application/ld+json",
            "text/csv",
            "application/csvm+json",
            "text/html",
        )
    }
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in catalog
    assert (licence, SKOS.inScheme, URIRef(f"{EU}licence")) in catalog


def test_identifiers_are_stable_and_at_most_36_characters(catalog: Graph) -> None:
    identifiers = {str(o) for o in catalog.objects(None, DCTERMS.identifier)}
    assert {"civicgraph-all", "civicgraph-3064011", "civicgraph-3064011-2023"} <= identifiers
    assert max(len(i) for i in identifiers) <= 36


def test_the_report_year_is_a_dataset_in_the_members_series(catalog: Graph) -> None:
    base = "https://w3id.org/civicgraph/id/catalog#"
    dataset, series = URIRef(f"{base}dataset-3064011-2023"), URIRef(f"{base}series-3064011")
    assert (series, RDF.type, DCAT.DatasetSeries) in catalog
    assert (dataset, DCAT.inSeries, series) in catalog
    period = catalog.value(dataset, DCTERMS.temporal)
    assert catalog.value(period, DCAT.startDate) == Literal("2023-01-01", datatype=XSD.date)
    assert catalog.value(period, DCAT.endDate) == Literal("2023-12-31", datatype=XSD.date)
    assert set(catalog.objects(dataset, DCAT.theme)) == {URIRef(f"{EU}data-theme/GOVE"), URIRef(f"{EU}data-theme/REGI")}
    titles = {t.language: str(t) for t in catalog.objects(dataset, DCTERMS.title) if isinstance(t, Literal)}
    assert set(titles) == {"pl", "en"}
    keywords = {k.language for k in catalog.objects(dataset, DCAT.keyword) if isinstance(k, Literal)}
    assert keywords == {"pl", "en"}


def test_publisher_and_contact_come_from_the_settings(catalog: Graph) -> None:
    catalogue = URIRef("https://w3id.org/civicgraph/id/catalog")
    assert catalog.value(catalogue, DCTERMS.publisher) == PUBLISHER
    assert Literal("Miasto Poznań", lang="pl") in set(
        catalog.objects(PUBLISHER, URIRef("http://xmlns.com/foaf/0.1/name"))
    )
    contact = catalog.value(URIRef("https://w3id.org/civicgraph/id/catalog#dataset-all"), DCAT.contactPoint)
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    # The report's web page, as SOURCE.md gives it; no e-mail address is in any source, so none is published.
    assert catalog.value(contact, vcard.hasURL) == URIRef(
        "https://badam.poznan.pl/2023/iii_nasz-rozwoj-i-gospodarka/03_wspolpraca-miedzynarodowa-i-krajowa/"
        "wspolpraca-krajowa-2/"
    )
    assert catalog.value(contact, vcard.hasEmail) is None


def test_the_catalogue_is_titled_by_its_data_and_names_its_publisher_not_the_software(catalog: Graph) -> None:
    """Title and description say what the data are about and whose catalogue it is: the publisher the catalogue
    states (Miasto Poznań, from the settings), never the software that wrote it."""
    catalogue = URIRef("https://w3id.org/civicgraph/id/catalog")
    assert set(catalog.objects(catalogue, DCTERMS.title)) == {
        Literal("Członkostwo samorządów w organizacjach krajowych — katalog danych (Miasto Poznań)", lang="pl"),
        Literal(
            "Local governments' memberships of national organisations — data catalogue (City of Poznań)", lang="en"
        ),
    }
    assert set(catalog.objects(catalogue, DCTERMS.description)) == {
        Literal(
            "Zbiory danych o członkostwie jednostek samorządu terytorialnego w organizacjach krajowych. "
            "Wydawca: Miasto Poznań.",
            lang="pl",
        ),
        Literal(
            "Datasets on local governments' memberships of national organisations. Publisher: City of Poznań.",
            lang="en",
        ),
    }
    assert set(catalog.objects(URIRef("https://w3id.org/civicgraph/id/catalog#dataset-all"), DCTERMS.title)) == {
        Literal("Członkostwo samorządów w organizacjach krajowych — graf wiedzy", lang="pl"),
        Literal("Local governments' memberships of national organisations — knowledge graph", lang="en"),
    }


def test_linked_vocabulary_terms_carry_their_types(catalog: Graph) -> None:
    for term, cls, scheme in (
        (f"{EU}file-type/RDF_TURTLE", DCTERMS.MediaTypeOrExtent, f"{EU}file-type"),
        (f"{EU}language/POL", DCTERMS.LinguisticSystem, f"{EU}language"),
        (f"{EU}frequency/ANNUAL", DCTERMS.Frequency, f"{EU}frequency"),
        (f"{EU}country/POL", DCTERMS.Location, f"{EU}country"),
    ):
        assert (URIRef(term), RDF.type, cls) in catalog, term
        assert (URIRef(term), SKOS.inScheme, URIRef(scheme)) in catalog, term
        assert (URIRef(scheme), RDF.type, SKOS.ConceptScheme) in catalog, scheme


def test_the_json_ld_catalogue_is_the_same_graph(catalog: Graph, dist: Path) -> None:
    assert isomorphic(Graph().parse(dist / "catalog.jsonld", format="json-ld"), catalog)
    assert (dist / "site" / "catalog.ttl").read_bytes() == (dist / "catalog.ttl").read_bytes()


# -- the checksum algorithm: no IRI satisfies both DCAT-AP 3.0.1's shapes and SPDX ---------------------------

SPDX_2_SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"  # the term SPDX 2.3 defines, SPDX tools read
SPDX_3_SHA256 = "https://spdx.org/rdf/3.0.1/terms/Core/HashAlgorithm/sha256"  # SPDX 3's individual
HTTPS_SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"  # the https spelling civicgraph publishes


@pytest.mark.parametrize(
    ("algorithm", "conforms"),
    [(SPDX_2_SHA256, False), (SPDX_3_SHA256, False), (HTTPS_SHA256, True)],
)
def test_dcat_ap_3_accepts_only_an_https_spelling_that_is_no_spdx_term(algorithm: str, conforms: bool) -> None:
    """mdr-vocabularies.shape.ttl (:ChecksumAlgorithmRestriction) asks for sh:pattern "^https://spdx.org/rdf/terms"
    while SPDX 2.3 names its terms http://spdx.org/rdf/terms#… and SPDX 3 https://spdx.org/rdf/3.0.1/terms/…:
    neither passes, and what passes is no SPDX term. So the catalogue gives the https spelling, stated owl:sameAs
    SPDX's own (docs/publishing.md)."""
    checksum = Graph()
    node, value = URIRef("https://example.org/checksum"), URIRef(algorithm)
    checksum.add((node, RDF.type, SPDX.Checksum))
    checksum.add((node, SPDX.algorithm, value))
    checksum.add((node, SPDX.checksumValue, Literal("0" * 64, datatype=XSD.hexBinary)))
    checksum.add((value, RDF.type, SPDX.ChecksumAlgorithm))
    results = _run(checksum, _shapes("dcat-ap/3.0.1/mdr-vocabularies.shape.ttl"))
    expected = [] if conforms else [Result("Violation", str(node), str(SPDX.algorithm), "NodeConstraintComponent")]
    assert results == expected


def test_the_catalogue_states_its_algorithm_the_same_as_spdxs(catalog: Graph) -> None:
    algorithms = set(catalog.objects(None, SPDX.algorithm))
    assert algorithms == {URIRef(HTTPS_SHA256)}
    assert (URIRef(HTTPS_SHA256), OWL.sameAs, URIRef(SPDX_2_SHA256)) in catalog


def test_a_vocabulary_gives_its_terms_and_no_private_or_special_name() -> None:
    """``DCAT.theme`` is the IRI of dcat:theme, the same when asked again; a name starting with ``_`` is no term (what
    ``copy`` and ``pickle`` look for on an instance), so a vocabulary copies as any object does."""
    assert plan.DCAT.theme == "http://www.w3.org/ns/dcat#theme" == plan.DCAT.theme
    assert not hasattr(plan.DCAT, "__deepcopy__") and not hasattr(plan.DCAT, "_private")
    copied = copy.deepcopy(plan.Vocabulary("https://example.org/v#"))
    assert copied.term == "https://example.org/v#term"
