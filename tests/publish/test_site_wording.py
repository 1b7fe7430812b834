"""What the site says in its own words, in both languages: the home page's lead promises only what the data hold,
page titles carry the site's name (never the software's), the data pages' leads and the shapes' description speak of
the data, and a passage backing participations is named in words in its note.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import html
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from civicgraph.graph.build import build_graph
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset

from ..conftest import FIXTURES, add_second_member, poznan_2023_copy

NBSP = "\u00a0"
SITE_PL = "Samorządy w organizacjach krajowych"
SITE_EN = "Local governments in national organisations"
PKM_PASSAGE = "report/3064011/2023/text/chars/1539-1638"  # "Województwo Wielkopolskie, Miasto Poznań i Powiat …"


def _page(site: Path, path: str) -> html.HtmlElement:
    return html.parse(str(site / path)).getroot()


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().replace(NBSP, " ").split())


@pytest.fixture(scope="module")
def site(dist: Path) -> Path:
    return dist / "site"


@pytest.mark.parametrize(
    ("page", "lead"),
    [
        (
            "index.html",
            "Do jakich krajowych organizacji i sieci należą samorządy, co z tych członkostw wynikło i jakie liczby "
            "oraz kwoty podają o tym raporty o stanie gminy — każdy fakt z cytatem ze źródła.",
        ),
        (
            "index.en.html",
            "Which national organisations and networks local governments belong to, what the memberships "
            "delivered, and the figures and amounts the municipalities' reports on their state give for them — "
            "every fact with its quote from the source.",
        ),
    ],
)
def test_the_home_page_promises_the_figures_and_amounts_the_reports_give_and_no_cost(
    site: Path, page: str, lead: str
) -> None:
    # The data hold no cost of any membership: only amounts the reports state (projects' values, EU grants).
    (paragraph,) = _page(site, page).xpath("//p[@class = 'lead']")
    assert _text(paragraph) == lead


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("index.html", SITE_PL),
        ("index.en.html", SITE_EN),
        ("report/3064011/2023.html", f"Raport o stanie Miasta Poznania za 2023 rok · {SITE_PL}"),
        ("report/3064011/2023.en.html", f"Report on the state of the City of Poznań for 2023 · {SITE_EN}"),
        ("shapes.html", f"Reguły walidacji (SHACL) · {SITE_PL}"),
        ("vocab/index.en.html", f"Concept schemes · {SITE_EN}"),
    ],
)
def test_a_page_title_ends_with_the_sites_name(site: Path, page: str, title: str) -> None:
    element = _page(site, page).find("head/title")
    assert (element.text, element.get("lang")) == (title, None)


def test_a_title_in_another_language_than_the_pages_goes_without_the_sites_name(tmp_path: Path) -> None:
    """The made-up 2022 report has a Polish title only: on the English page the element is marked Polish, and an
    English site name inside it would be marked Polish too."""
    data = poznan_2023_copy(tmp_path / "data")
    add_second_member(data)
    earlier = FIXTURES / "site-two-years" / "reports" / "3099011" / "2022"
    shutil.copytree(earlier, data / "reports" / "3099011" / "2022")
    dataset = read_dataset(data)
    site = publish(dataset, build_graph(dataset), tmp_path / "dist").folder / "site"
    element = _page(site, "report/3099011/2022.en.html").find("head/title")
    assert (element.text, element.get("lang")) == ("Raport o stanie Gminy Przykładowej za 2022 rok", "pl")
    polish = _page(site, "report/3099011/2022.html").find("head/title")
    assert polish.text == f"Raport o stanie Gminy Przykładowej za 2022 rok · {SITE_PL}"


@pytest.mark.parametrize(
    ("page", "lead"),
    [
        (
            "shapes.html",
            "Reguły SHACL, według których sprawdzany jest graf przed publikacją: naruszenie (błąd) zatrzymuje "
            "publikację, ostrzeżenie nie.",
        ),
        (
            "shapes.en.html",
            "The SHACL rules the graph is checked against before it is published: a violation stops the release, "
            "a warning does not.",
        ),
        ("vocab/index.html", "Słowniki pojęć (SKOS), których używają te dane."),
        ("vocab/index.en.html", "The SKOS concept schemes these data use."),
    ],
)
def test_the_data_pages_leads_speak_of_the_data(site: Path, page: str, lead: str) -> None:
    (paragraph,) = _page(site, page).xpath("//p[@class = 'lead']")
    assert _text(paragraph) == lead


def test_the_shapes_description_points_to_the_published_ontology_not_into_the_code(site: Path, dist: Path) -> None:
    """The ontology it names is published in the release (ontology/civicgraph.ttl, the site's ontology page)."""
    shapes = Graph().parse(site / "shapes.ttl")
    assert set(shapes.objects(URIRef("https://w3id.org/civicgraph/shapes"), DCTERMS.description)) == {
        Literal(
            "Reguły, które musi (naruszenie) i powinien (ostrzeżenie) spełniać opublikowany graf; klasy i "
            "właściwości, których dotyczą, opisuje ontologia https://w3id.org/civicgraph/ontology.",
            lang="pl",
        ),
        Literal(
            "The rules the published graph must (violation) and should (warning) satisfy; the classes and "
            "properties they apply to are described by the ontology https://w3id.org/civicgraph/ontology.",
            lang="en",
        ),
    }
    ontology = Graph().parse(dist / "ontology" / "civicgraph.ttl")
    assert (URIRef("https://w3id.org/civicgraph/ontology"), None, None) in ontology
    assert "https://w3id.org/civicgraph/ontology" in (site / "ontology.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("page", "passage", "href", "note"),
    [
        (
            "report/3064011/2023.html",
            PKM_PASSAGE,
            "#activity/3064011/2023/pkm/participation/1",
            "— fakt: Poznańska Kolej Metropolitalna (PKM), współfinansujący: Województwo Wielkopolskie, "
            "Miasto Poznań, Powiat Poznański",
        ),
        (
            "report/3064011/2023.en.html",
            PKM_PASSAGE,
            "#activity/3064011/2023/pkm/participation/1",
            "— fact: Poznań Metropolitan Railway (PKM), co-financer: Greater Poland Voivodeship, City of Poznań, "
            "Poznań County",
        ),
        (
            "report/3064011/2023.html",
            "report/3064011/2023/text/chars/2241-2296",
            "#activity/3064011/2023/rozwoj-lokalny/participation/1",
            "— fakt: „Rozwój lokalny”, współtwórca: Miasto Poznań",
        ),
    ],
)
def test_a_passage_backing_participations_names_them_all_in_words(
    site: Path, page: str, passage: str, href: str, note: str
) -> None:
    """The PKM sentence names three co-financers, each a participation resting on that one passage: the passage
    has one number, leading to the first of them, and its note names all three."""
    (mark,) = _page(site, page).xpath(f"//mark[@id = '{passage}']")
    (link,) = mark.xpath("following-sibling::*[1][self::sup]/a")
    assert link.get("href") == href
    assert _text(link.find_class("vh")[0]) == note
