"""The dane.gov.pl harvester file: valid against the portal's XSD 1.10, its .md5 matches, and nothing the portal
would delete goes missing (every member-year stays in the file)."""

from __future__ import annotations

import hashlib
import itertools
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree

from civicgraph.cli.main import main
from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.rdfio import sorted_triples
from civicgraph.graph.terms import plain_triples
from civicgraph.publish import danegovpl as danegovpl_module
from civicgraph.publish.danegovpl import fitted, harvester_document, portal_region
from civicgraph.publish.orchestrator import publish
from civicgraph.publish.release import Release
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.util.errors import Failure

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


# -- texts longer than the schema allows ---------------------------------------------------------------------------

TITLE_MOST, DESCRIPTION_MOST = 300, 1000  # titleType and descriptionType in the XSD
# Words with Polish letters, which UTF-8 writes in two bytes: the schema counts characters, not bytes.
_WORDS = ("Związek", "Międzygminny", "Żółtej", "Łąki", "i", "Doliny", "Środkowej", "Warty", "oraz", "Źródeł")


def _long_text(length: int, first: str) -> str:
    """Words, ``first`` first, ``length`` characters long, ending with a letter."""
    text = " ".join(itertools.chain([first], itertools.islice(itertools.cycle(_WORDS), length)))[:length]
    text = text[:-1] + "a" if text.endswith(" ") else text  # "… Warty a", not a space at the end
    assert len(text) == length
    return text


def _cut_by_hand(text: str, most: int) -> str:
    """The rule, on texts of short words: unchanged when it fits, else its first ``most`` - 1 characters up to the
    last space before the word the cut falls in (a cut right before a space keeps them all), separators and opening
    quotes dropped from the end, and "…"."""
    if len(text) <= most:
        return text
    head = text[: most - 1]
    if text[most - 1] != " ":
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:—–-„“(") + "…"


@pytest.mark.parametrize(
    ("text", "most", "expected"),
    [
        ("ż" * 300, 300, "ż" * 300),  # exactly the limit: unchanged, though 600 bytes in UTF-8
        ("ż" * 301, 300, "ż" * 299 + "…"),  # one over: one word, cut inside it
        ("abcd efg", 8, "abcd efg"),
        ("abcd efgh", 8, "abcd…"),  # one over: cut before the word the limit falls in
        ("abcdefg hij", 8, "abcdefg…"),  # the cut falls right before a space: every character kept
        ("abcd, efgh", 8, "abcd…"),  # no separator before the "…"
        ("abcd „efgh”", 8, "abcd…"),  # nor an opening quote
        ("a " + "b" * 20, 10, "a bbbbbbb…"),  # the word before the limit would keep too little: cut inside the word
    ],
)
def test_a_text_is_fitted_to_its_element_at_a_word_boundary_with_an_ellipsis(
    text: str, most: int, expected: str
) -> None:
    assert fitted(text, most) == expected
    assert len(fitted(text, most)) <= most


def test_a_polish_text_is_counted_in_characters_at_the_boundary() -> None:
    at_limit = _long_text(TITLE_MOST, "Gmina")
    assert len(at_limit.encode("utf-8")) > TITLE_MOST
    assert fitted(at_limit, TITLE_MOST) == at_limit
    over = at_limit + "ż"
    assert fitted(over, TITLE_MOST) == _cut_by_hand(over, TITLE_MOST)
    assert len(fitted(over, TITLE_MOST)) <= TITLE_MOST and fitted(over, TITLE_MOST).endswith("…")


@pytest.fixture
def long_names(data_copy: Path) -> tuple[Path, str, str]:
    """data_copy with Poznań named in 430 characters (in both languages) and its report titled in 1,400: too long
    for the portal's titles (300) and descriptions (1,000). The data folder, the Polish name and the Polish title."""
    name_pl, name_en = _long_text(430, "Miasto"), _long_text(430, "City")
    title_pl, title_en = _long_text(1400, "Raport"), _long_text(1400, "Report")
    members = data_copy / "members.yaml"
    text = members.read_text(encoding="utf-8")
    assert text.count("name: {pl: Miasto Poznań, en: City of Poznań}") == 1
    members.write_text(
        text.replace("name: {pl: Miasto Poznań, en: City of Poznań}", f'name: {{pl: "{name_pl}", en: "{name_en}"}}'),
        encoding="utf-8",
    )
    report = data_copy / "reports" / "3064011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    old_title = "  pl: Raport o stanie Miasta Poznania za 2023 rok\n"
    old_title += "  en: Report on the state of the City of Poznań for 2023\n"
    assert text.count(old_title) == 1
    report.write_text(text.replace(old_title, f'  pl: "{title_pl}"\n  en: "{title_en}"\n'), encoding="utf-8")
    return data_copy, name_pl, title_pl


def _full_texts(catalog: Any) -> dict[tuple[str, str, str], str]:
    """The catalogue's titles and descriptions, by identifier, property (title, description) and language."""
    from rdflib.namespace import DCTERMS

    texts = {}
    for subject, identifier in catalog.subject_objects(DCTERMS.identifier):
        for name, prop in (("title", DCTERMS.title), ("description", DCTERMS.description)):
            for literal in catalog.objects(subject, prop):
                texts[(str(identifier), name, literal.language)] = str(literal)
    return texts


def test_texts_too_long_for_the_portal_are_fitted_in_its_file_and_kept_whole_in_the_catalogue(
    long_names: tuple[Path, str, str], tmp_path: Path, schema: etree.XMLSchema
) -> None:
    """The portal refuses the whole file for one title over 300 characters or description over 1,000: each is cut
    at a word's end with "…" in danegovpl.xml, and catalog.ttl keeps it whole."""
    from rdflib import Graph

    data, name_pl, title_pl = long_names
    dataset = read_dataset(data)
    out = publish(dataset, build_graph(dataset), tmp_path / "dist").folder
    document = etree.parse(str(out / "danegovpl.xml"))
    assert schema.validate(document), schema.error_log
    xmlschema.XMLSchema(str(XSD_FILE)).validate(str(out / "danegovpl.xml"))  # as the portal validates it

    (poznan,) = document.xpath("/h:datasets/h:dataset[h:extIdent = 'civicgraph-3064011-2023']", namespaces=NS)
    # The title is cut inside the name: its first 299 characters, up to the last space, and "…".
    assert name_pl[TITLE_MOST - 1] != " "
    assert poznan.findtext("h:title/h:polish", namespaces=NS) == name_pl[: TITLE_MOST - 1].rsplit(" ", 1)[0] + "…"

    full = _full_texts(Graph().parse(out / "catalog.ttl"))
    assert full[("civicgraph-3064011-2023", "title", "pl")].startswith(f"{name_pl}: ")  # the catalogue: whole
    assert f"„{title_pl}”" in full[("civicgraph-3064011-2023", "description", "pl")]
    checked, cut = 0, 0
    for element in document.xpath("//h:dataset | //h:resource", namespaces=NS):
        identifier = element.findtext("h:extIdent", namespaces=NS)
        for name, most in (("title", TITLE_MOST), ("description", DESCRIPTION_MOST)):
            for language, lang in (("polish", "pl"), ("english", "en")):
                written = element.findtext(f"h:{name}/h:{language}", namespaces=NS)
                whole = full[(identifier, name, lang)]
                assert written == _cut_by_hand(whole, most), (identifier, name, lang)
                checked, cut = checked + 1, cut + (written != whole)
    # Poznań's dataset and its resources but the N-Triples: every title and description but the web page's.
    resources = len(poznan.xpath("h:resources/h:resource", namespaces=NS))
    assert cut == 4 + 4 * (resources - 1) + 2
    assert checked > cut


def test_fitted_datasets_are_copied_into_a_later_file_as_a_whole_build_writes_them(
    long_names: tuple[Path, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report added: the file is written from the earlier one, Poznań's fitted dataset copied, and comes out as
    a build from scratch writes it."""
    data = long_names[0]
    made: list[list[str]] = []
    real = danegovpl_module.harvester_document

    def recorded(release: Any, datasets: Any = None) -> Any:
        document = real(release, datasets)
        made.append([dataset.findtext("h:extIdent", namespaces=NS) for dataset in document])
        return document

    monkeypatch.setattr(danegovpl_module, "harvester_document", recorded)

    def build(out: Path, *extra: str) -> None:
        result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(out), *extra])
        assert result.exit_code == 0, result.output

    out = tmp_path / "dist"
    build(out)
    build(out)  # the first build into a new folder notes nothing: no earlier release to take from
    fixture = FIXTURES / "second-member"
    with (data / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (fixture / "members.yaml").read_text(encoding="utf-8"))
    shutil.copytree(fixture / "reports" / "3099011", data / "reports" / "3099011")
    made.clear()

    build(out)

    assert made == [["civicgraph-all", "civicgraph-3099011-2023"]]  # Poznań's dataset copied, not made
    build(tmp_path / "full", "--full")
    assert (out / "danegovpl.xml").read_bytes() == (tmp_path / "full" / "danegovpl.xml").read_bytes()


def test_an_address_too_long_for_the_portal_fails_rather_than_being_cut(dataset: Dataset, built: BuiltGraph) -> None:
    """A cut address would lead nowhere: a publish_url that makes a dataset's url longer than the schema's 1,000
    characters fails the build with what to shorten."""
    settings = replace(dataset.settings, publish_url="https://example.org/" + "a/" * 490)
    release = Release(replace(dataset, settings=settings), built, list(plain_triples(sorted_triples(built.graph))))
    with pytest.raises(Failure, match=r"dataset/url in danegovpl\.xml is 1\d{3} characters long.*publish_url"):
        harvester_document(release)
