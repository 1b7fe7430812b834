"""The static linked-data website: a page per resource in two languages, every link resolving (so the site works
from disk), the source passage highlighted, and each page's own description in Turtle and JSON-LD."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from civicgraph.records import Dataset
from civicgraph.site import format_number, relative

BASE = "https://w3id.org/civicgraph/id/"
CG = "https://w3id.org/civicgraph/ontology#"
FIGURE = "activity/3064011/2023/zit-projects/figure/total-value"


class _Page(HTMLParser):
    """The links, ids, <link rel=alternate> and <mark> texts of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.alternates: dict[str, str] = {}
        self.marks: list[str] = []
        self._in_mark = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag in ("a", "link") and "href" in values:
            self.links.append(values["href"])
        if tag == "link" and values.get("rel") == "alternate" and "type" in values:
            self.alternates[values["type"]] = values["href"]
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(dist: Path) -> Path:
    return dist / "site"


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, _Page]:
    return {path: _parse(path) for path in sorted(site.rglob("*.html"))}


def test_every_link_in_the_site_resolves_to_an_existing_file_and_anchor(pages: dict[Path, _Page]) -> None:
    broken = []
    checked = 0
    for path, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto", "data"):
                continue
            assert not parts.scheme and not href.startswith("/"), f"{path}: {href} is not relative"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            checked += 1
            if not target.is_file():
                broken.append(f"{path}: {href}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in pages[target].ids:
                broken.append(f"{path}: {href} (no such anchor)")
    assert broken == []
    assert checked > 5000


def test_every_resource_of_the_graph_has_a_page_in_both_languages(site: Path, dist: Path) -> None:
    graph = Graph().parse(dist / "graph.nt")
    paged = ("LocalGovernment", "NationalOrganisation", "Activity", "Figure", "Report", "Evidence", "SourceText")
    resources = {s for cls in paged for s in graph.subjects(None, URIRef(CG + cls))}
    resources |= set(graph.subjects(None, URIRef("http://www.w3.org/ns/org#Membership")))
    assert len(resources) > 50
    for resource in resources:
        path = str(resource)[len(BASE) :]
        for suffix in (".html", ".en.html", ".ttl", ".jsonld"):
            assert (site / f"{path}{suffix}").is_file(), f"{path}{suffix}"
    for term in ("ontology", "ontology/Figure", "ontology/hedge", "vocab/hedge", "vocab/hedge/nearly"):
        assert (site / f"{term}.html").is_file() and (site / f"{term}.en.html").is_file(), term


def test_the_figure_page_shows_the_hedge_and_highlights_the_source_passage(site: Path) -> None:
    polish = (site / f"{FIGURE}.html").read_text(encoding="utf-8")
    page = _parse(site / f"{FIGURE}.html")
    # source.txt: "...na łączną kwotę blisko 1,4 mld zł, przy ponad 800 mln zł dotacji ze środków unijnych."
    assert page.marks == ["blisko 1,4 mld zł"]
    assert "Stowarzyszone samorządy zrealizowały 139 projektów Zintegrowanych Inwestycji Terytorialnych" in polish
    assert '<span class="hedge">blisko</span> <span class="value">1\u00a0400\u00a0000\u00a0000</span> PLN' in polish
    english = (site / f"{FIGURE}.en.html").read_text(encoding="utf-8")
    assert '<span class="hedge">nearly</span> <span class="value">1,400,000,000</span> PLN' in english
    assert page.alternates == {"text/turtle": "total-value.ttl", "application/ld+json": "total-value.jsonld"}
    assert 'href="total-value.en.html"' in polish and 'href="total-value.html"' in english


def test_a_pages_turtle_and_json_ld_are_the_resources_own_triples(site: Path, dist: Path) -> None:
    graph = Graph().parse(dist / "graph.nt")
    figure = URIRef(BASE + FIGURE)
    own = Graph().parse(site / f"{FIGURE}.ttl")
    assert set(own) == set(graph.triples((figure, None, None)))
    assert isomorphic(Graph().parse(site / f"{FIGURE}.jsonld", format="json-ld"), own)
    # A membership's page also describes what is nested under its IRI (its period).
    membership = "membership/3064011/metropolia-poznan"
    nested = Graph().parse(site / f"{membership}.ttl")
    assert {str(s) for s in nested.subjects()} == {BASE + membership, BASE + membership + "/during"}


def test_the_index_lists_organisations_with_their_members_by_year(site: Path) -> None:
    index = site / "index.html"
    page = _parse(index)
    assert "organisation/metropolia-poznan.html" in page.links
    assert "membership/3064011/metropolia-poznan.html" in page.links
    assert "activity/3064011/2023/pkm.html" in page.links
    text = index.read_text(encoding="utf-8")
    # "Miasto Poznań było członkiem 16 krajowych organizacji i sieci" (source.txt)
    assert "— członkostwa: 16</li>" in text


def test_the_sitemap_lists_every_page_by_its_absolute_url(site: Path, dataset: Dataset) -> None:
    sitemap = etree.parse(str(site / "sitemap.xml"))
    locations = sitemap.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    prefix = dataset.settings.publish_url + "site/"
    assert all(loc.startswith(prefix) for loc in locations)
    listed = {loc[len(prefix) :] for loc in locations}
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert listed == on_disk


def test_htaccess_answers_iris_with_303_by_accept(dist: Path) -> None:
    rules = (dist / ".htaccess").read_text(encoding="utf-8")
    site = "https://w3id.org/civicgraph/site/"
    assert "RewriteCond %{HTTP_ACCEPT} text/turtle\n" + f"RewriteRule ^id/(.+)$ {site}$1.ttl [R=303,L]" in rules
    assert (
        r"RewriteCond %{HTTP_ACCEPT} application/ld\+json" + "\n" + f"RewriteRule ^id/(.+)$ {site}$1.jsonld [R=303,L]"
        in rules
    )
    assert f"RewriteRule ^id/(.+)$ {site}$1.html [R=303,L]" in rules
    assert f"RewriteRule ^vocab/(.+)$ {site}vocab/$1.html [R=303,L]" in rules


def test_relative_links_and_number_formats() -> None:
    assert relative("member/3064011", "organisation/zmp.html") == "../organisation/zmp.html"
    assert relative("index", "member/3064011.html") == "member/3064011.html"
    assert relative("report/3064011/2023/text/chars/5-9", "report/3064011/2023/text.html") == "../../text.html"
    assert relative("report/3064011/2023", "report/3064011/2023/text.html") == "2023/text.html"
    assert format_number("14025", "pl") == "14\u00a0025"  # "możliwość nauki dla 14 025 uczniów"
    assert format_number("14025", "en") == "14,025"
    assert format_number("0.5", "pl") == "0,5"
