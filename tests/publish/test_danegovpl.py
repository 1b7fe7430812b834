"""The dane.gov.pl harvester file: valid against the portal's XSD 1.10, its .md5 matches, and nothing the portal
would delete goes missing (every member-year stays in the file)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree

from civicgraph.cli.main import main
from civicgraph.graph.build import build_graph
from civicgraph.graph.rdfio import sorted_triples
from civicgraph.graph.terms import plain_triples
from civicgraph.publish.danegovpl import harvester_document, portal_region
from civicgraph.publish.release import Release
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset

from ..conftest import FIXTURES

XSD_FILE = Path(__file__).resolve().parents[1] / "standards" / "danegovpl" / "xml_import_otwarte_dane_1_10.xsd"
NS = {"h": "urn:otwarte-dane:harvester:1.10"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not XSD_FILE.is_file():
        pytest.skip(f"the dane.gov.pl schema is not at {XSD_FILE}")
    return etree.XMLSchema(etree.parse(str(XSD_FILE)))


@pytest.fixture(scope="module")
def document(dist: Path) -> etree._ElementTree:
    return etree.parse(str(dist / "danegovpl.xml"))


def test_the_xml_is_valid_against_the_portals_schema(schema: etree.XMLSchema, document: etree._ElementTree) -> None:
    assert schema.validate(document), schema.error_log


def test_the_md5_file_beside_it_matches(dist: Path) -> None:
    assert (dist / "danegovpl.md5").read_text(encoding="ascii") == hashlib.md5(
        (dist / "danegovpl.xml").read_bytes(), usedforsecurity=False
    ).hexdigest()


def test_resources_are_https_with_short_unique_identifiers(document: etree._ElementTree) -> None:
    urls = document.xpath("//h:resource/h:url/text()", namespaces=NS)
    assert urls and all(url.startswith("https://") for url in urls)
    identifiers = document.xpath("//h:extIdent/text()", namespaces=NS)
    assert len(identifiers) == len(set(identifiers))
    assert max(len(i) for i in identifiers) <= 36


def test_every_file_the_catalogue_lists_is_a_resource_but_the_n_triples_the_portal_refuses(
    dist: Path, document: etree._ElementTree
) -> None:
    """The portal downloads each resource and refuses a media type missing from its list, which spells N-Triples
    "application/nt-triples" (mcod/settings/base.py, backend 2.32.0): the .nt files are left out, nothing else."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    catalog = Graph().parse(dist / "catalog.ttl")
    n_triples = URIRef("https://www.iana.org/assignments/media-types/application/n-triples")
    distributions = set(catalog.subjects(DCAT.accessURL, None))
    listed = {str(catalog.value(d, DCTERMS.identifier)): catalog.value(d, DCAT.mediaType) for d in distributions}
    assert n_triples in listed.values()  # the catalogue lists them
    resources = set(document.xpath("//h:resource/h:extIdent/text()", namespaces=NS))
    assert resources == {key for key, media_type in listed.items() if media_type != n_triples}
    assert not [url for url in document.xpath("//h:resource/h:url/text()", namespaces=NS) if url.endswith(".nt")]


def test_datasets_are_bilingual_with_categories_tags_and_licence(
    document: etree._ElementTree, dataset: Dataset
) -> None:
    datasets = document.xpath("/h:datasets/h:dataset", namespaces=NS)
    identifiers = [d.findtext("h:extIdent", namespaces=NS) for d in datasets]
    assert identifiers == ["civicgraph-all", *(f"civicgraph-{r.member}-{r.year}" for r in dataset.reports)]
    for dataset in datasets:
        assert dataset.findtext("h:title/h:polish", namespaces=NS)
        assert dataset.findtext("h:title/h:english", namespaces=NS)
        assert dataset.xpath("h:categories/h:category/text()", namespaces=NS) == ["GOVE", "REGI"]
        assert set(dataset.xpath("h:tags/h:tag/@lang", namespaces=NS)) == {"pl", "en"}
        assert dataset.findtext("h:conditions/h:dbOrCopyrightedLicenseChosen", namespaces=NS) == "CC BY 4.0"
        assert dataset.findtext("h:updateFrequency", namespaces=NS) == "yearly"
    poznan = datasets[identifiers.index("civicgraph-3064011-2023")]
    # The report covers 2023: its data are as of the year's end; the region is Poznań's TERYT code.
    assert set(poznan.xpath(".//h:dataDate/text()", namespaces=NS)) == {"2023-12-31"}
    assert set(poznan.xpath(".//h:terytIdent/text()", namespaces=NS)) == {"3064011"}


def test_the_whole_graph_is_titled_by_its_data_not_by_the_software(document: etree._ElementTree) -> None:
    (whole,) = document.xpath("/h:datasets/h:dataset[h:extIdent = 'civicgraph-all']", namespaces=NS)
    assert whole.findtext("h:title/h:polish", namespaces=NS) == (
        "Członkostwo samorządów w organizacjach krajowych — graf wiedzy"
    )
    assert whole.findtext("h:title/h:english", namespaces=NS) == (
        "Local governments' memberships of national organisations — knowledge graph"
    )


def test_every_member_year_stays_in_the_file(data_copy: Path, schema: etree.XMLSchema) -> None:
    """With a second member-year in data/, both are datasets: the portal deletes whatever a harvest lacks."""
    fixture = FIXTURES / "second-member"
    with (data_copy / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (fixture / "members.yaml").read_text(encoding="utf-8"))
    shutil.copytree(fixture / "reports" / "3099011", data_copy / "reports" / "3099011")
    dataset = read_dataset(data_copy)
    built = build_graph(dataset)
    root = harvester_document(Release(dataset, built, list(plain_triples(sorted_triples(built.graph)))))
    assert root.xpath("/h:datasets/h:dataset/h:extIdent/text()", namespaces=NS) == [
        "civicgraph-all",
        "civicgraph-3064011-2023",
        "civicgraph-3099011-2023",
    ]
    assert schema.validate(etree.ElementTree(root)), schema.error_log


def _described_whole_graph(root: etree._Element) -> tuple[str, str]:
    (everything,) = root.xpath("/h:datasets/h:dataset[h:extIdent='civicgraph-all']", namespaces=NS)
    return everything.findtext("h:description/h:polish", namespaces=NS), everything.findtext(
        "h:description/h:english", namespaces=NS
    )


def test_the_whole_graph_lists_its_reports_while_they_fit(document: etree._ElementTree, dataset: Dataset) -> None:
    polish, english = _described_whole_graph(document.getroot())
    listed_pl = set(polish.split(" Wszystkie raporty: ", 1)[1].removesuffix(".").split("; "))
    listed_en = set(english.split(" All reports: ", 1)[1].removesuffix(".").split("; "))
    members = dataset.members
    assert "Miasto Poznań 2023" in listed_pl and "City of Poznań 2023" in listed_en
    assert listed_pl == {f"{members[r.member].name.pl} {r.year}" for r in dataset.reports}
    assert listed_en == {f"{members[r.member].name.en or members[r.member].name.pl} {r.year}" for r in dataset.reports}


def test_the_whole_graph_counts_its_reports_when_their_list_would_not_fit_the_portals_1000_characters(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    """The portal's schema allows a description of at most 1,000 characters, and refuses the whole file for a
    longer one: 40 reports by name would take more, so the whole graph's description counts them."""
    data = tmp_path / "synthetic"
    assert CliRunner().invoke(main, ["synth", "--out", str(data), "--members", "40"]).exit_code == 0
    dataset = read_dataset(data)
    built = build_graph(dataset)
    root = harvester_document(Release(dataset, built, list(plain_triples(sorted_triples(built.graph)))))
    assert schema.validate(etree.ElementTree(root)), schema.error_log
    polish, english = _described_whole_graph(root)
    assert polish.endswith(
        " Wszystkie raporty: 40 (samorządy: 40; rok: 2023), każdy w katalogu jako osobny zbiór danych."
    )
    assert english.endswith(
        " All reports: 40 (local governments: 40; year: 2023), each a dataset of its own in the catalogue."
    )
    assert max(len(polish), len(english)) <= 1000


@pytest.mark.parametrize(
    ("teryt", "given"),
    [
        # Poznań: 2·3 + 3·0 + 4·6 + 5·4 + 6·0 + 7·1 = 57, 57 mod 11 = 2, not its last digit: a commune's code
        ("3064011", "3064011"),
        # 2·0 + 3·2 + 4·0 + 5·1 + 6·0 + 7·5 = 46, 46 mod 11 = 2, its last digit: the portal would look up a locality
        ("0201052", "0201"),
        # 3·1 + 7·1 = 10, which the check digit writes as 0
        ("0100010", "0100"),
        ("3064", "3064"),
        ("30", "30"),
    ],
)
def test_a_communes_code_the_portal_would_read_as_a_localitys_is_given_as_its_county(teryt: str, given: str) -> None:
    assert portal_region(teryt) == given


def test_every_region_in_the_file_is_read_by_the_portal_as_what_it_is(tmp_path: Path) -> None:
    """dane.gov.pl reads a seven-digit code as a SIMC locality's when its last digit is the SIMC check digit, and as
    a commune's otherwise: each edition of 40 synthetic local governments names its own code, or its county's."""
    data = tmp_path / "synthetic"
    assert CliRunner().invoke(main, ["synth", "--out", str(data), "--members", "40"]).exit_code == 0
    dataset = read_dataset(data)
    built = build_graph(dataset)
    root = harvester_document(Release(dataset, built, list(plain_triples(sorted_triples(built.graph)))))
    given = {
        d.findtext("h:extIdent", namespaces=NS): set(d.xpath(".//h:terytIdent/text()", namespaces=NS))
        for d in root.xpath("/h:datasets/h:dataset", namespaces=NS)
    }
    expected = {
        f"civicgraph-{r.member}-{r.year}": {r.member[:4] if _read_as_locality(r.member) else r.member}
        for r in dataset.reports
    }
    assert given == {"civicgraph-all": set(), **expected}
    assert 0 < sum(_read_as_locality(r.member) for r in dataset.reports) < 40  # both kinds are in the file


def _read_as_locality(teryt: str) -> bool:
    """The portal's rule (mcod/regions/api.py): seven digits whose last is the SIMC check digit of the others."""
    if len(teryt) != 7:
        return False
    check = sum((position + 2) * int(digit) for position, digit in enumerate(teryt[:-1])) % 11
    return ("0" if check == 10 else str(check)) == teryt[-1]


def test_the_portals_own_validator_accepts_and_decodes_the_file(dist: Path, dataset: Dataset) -> None:
    """The portal's harvester validates the file with the xmlschema package, not lxml, and decodes it to a dict
    (mcod/harvester/utils.py: validate_xml, get_xml_as_dict): both as it does, with the same schema."""
    if not XSD_FILE.is_file():
        pytest.skip(f"the dane.gov.pl schema is not at {XSD_FILE}")
    schema = xmlschema.XMLSchema(str(XSD_FILE))
    schema.validate(str(dist / "danegovpl.xml"))
    decoded = schema.to_dict(str(dist / "danegovpl.xml"))
    assert [d["extIdent"] for d in decoded["dataset"]] == [
        "civicgraph-all",
        *(f"civicgraph-{r.member}-{r.year}" for r in dataset.reports),
    ]
    (poznan,) = (d for d in decoded["dataset"] if d["extIdent"] == "civicgraph-3064011-2023")
    assert {r["regions"]["terytIdent"][0] for r in poznan["resources"]["resource"]} == {"3064011"}
    assert poznan["conditions"]["dbOrCopyrightedLicenseChosen"] == "CC BY 4.0"
