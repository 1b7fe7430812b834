"""The static linked-data website: a page, or a section of a page, per resource in two languages; every link
resolving (so the site works from disk), the source passage highlighted, each page described in Turtle and JSON-LD,
and no page listing more than its share of links."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from civicgraph.graph.build import BuiltGraph
from civicgraph.publish.negotiation import section_of
from civicgraph.publish.site import format_number, relative
from civicgraph.source.records import Dataset

BASE = "https://w3id.org/civicgraph/id/"
CG = "https://w3id.org/civicgraph/ontology#"
FIGURE = "activity/3064011/2023/zit-projects/figure/total-value"
REPORT = "report/3064011/2023"


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


def test_section_rules_put_each_resource_on_its_report_member_or_period_page() -> None:
    # The rules of the site's module docstring: activities (with their figures and participations) on the report's
    # page, memberships on the member's page, anything under a report, member or period IRI on that page.
    figure = "activity/3064011/2023/pkm/figure/communes"
    assert section_of(figure) == ("report/3064011/2023", figure)
    assert section_of("activity/3064011/2023/pkm") == ("report/3064011/2023", "activity/3064011/2023/pkm")
    during = "membership/3064011/zmp/during"
    assert section_of(during) == ("member/3064011", during)
    quote = "report/3064011/2023/text/chars/1102-1285/quote"
    assert section_of(quote) == ("report/3064011/2023", quote)
    assert section_of("member/3064011/wikidata-check") == ("member/3064011", "member/3064011/wikidata-check")
    assert section_of("period/2023/beginning") == ("period/2023", "period/2023/beginning")
    for own in ("report/3064011/2023", "member/3064011", "organisation/zmp", "period/2023"):
        assert section_of(own) == (own, None)


def test_every_resource_of_the_graph_is_shown_and_described_in_both_languages(
    site: Path, dist: Path, pages: dict[Path, _Page]
) -> None:
    """Each data resource has its page or a section (an element with its anchor as id) in both languages, and the
    page's Turtle and JSON-LD hold every triple of the resource."""
    graph = Graph().parse(dist / "graph.nt")
    subjects = {str(s) for s in graph.subjects() if str(s).startswith(BASE)}
    assert len(subjects) > 200
    descriptions: dict[str, Graph] = {}
    for subject in sorted(subjects):
        page, anchor = section_of(subject[len(BASE) :])
        for suffix in (".html", ".en.html"):
            html = (site / f"{page}{suffix}").resolve()
            assert html in pages, f"{page}{suffix}"
            assert anchor is None or anchor in pages[html].ids, f"{page}{suffix}#{anchor}"
        if page not in descriptions:
            turtle = Graph().parse(site / f"{page}.ttl")
            assert isomorphic(Graph().parse(site / f"{page}.jsonld", format="json-ld"), turtle), page
            descriptions[page] = turtle
        own = set(graph.triples((URIRef(subject), None, None)))
        assert own <= set(descriptions[page]), subject
    for term in ("ontology", "ontology/Figure", "ontology/hedge", "vocab/hedge", "vocab/hedge/nearly"):
        assert (site / f"{term}.html").is_file() and (site / f"{term}.en.html").is_file(), term


def _section(path: Path, anchor: str) -> etree._Element:
    (section,) = html.parse(str(path)).xpath("//*[@id=$anchor]", anchor=anchor)
    return section


def test_the_figure_section_shows_the_hedge_and_highlights_the_source_passage(site: Path) -> None:
    polish = _section(site / f"{REPORT}.html", FIGURE)
    # source.txt: "...na łączną kwotę blisko 1,4 mld zł, przy ponad 800 mln zł dotacji ze środków unijnych."
    assert [mark.text_content() for mark in polish.iter("mark")] == ["blisko 1,4 mld zł"]
    (paragraph,) = polish.xpath(".//mark/..")
    assert "Stowarzyszone samorządy zrealizowały 139 projektów Zintegrowanych" in paragraph.text_content()
    (headline,) = polish.find_class("headline")
    assert headline.text_content() == "blisko 1\u00a0400\u00a0000\u00a0000 PLN"
    (english,) = _section(site / f"{REPORT}.en.html", FIGURE).find_class("headline")
    assert english.text_content() == "nearly 1,400,000,000 PLN"
    page = _parse(site / f"{REPORT}.html")
    assert page.alternates == {"text/turtle": "2023.ttl", "application/ld+json": "2023.jsonld"}
    assert "2023.en.html" in page.links and "2023.html" in _parse(site / f"{REPORT}.en.html").links


def test_a_report_page_is_described_by_its_edition_and_a_member_page_by_its_own_triples(site: Path, dist: Path) -> None:
    for suffix in (".ttl", ".jsonld"):
        assert (site / f"{REPORT}{suffix}").read_bytes() == (dist / "editions" / f"3064011-2023{suffix}").read_bytes()
    graph = Graph().parse(dist / "graph.nt")
    member = "member/3064011"
    # The member, its Wikidata check, its memberships and their periods: the resources of its page.
    expected = {
        s
        for s in graph.subjects()
        if str(s) == f"{BASE}{member}" or str(s).startswith((f"{BASE}{member}/", f"{BASE}membership/3064011/"))
    }
    described = Graph().parse(site / f"{member}.ttl")
    assert set(described.subjects()) == expected
    assert set(described) == {t for s in expected for t in graph.triples((s, None, None))}


def test_links_from_elsewhere_are_bounded_per_property(
    dist: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concept named by many resources lists a sample and says how many there are."""
    from civicgraph.graph.rdfio import sorted_triples
    from civicgraph.publish import site as site_module
    from civicgraph.publish.release import Release

    model = site_module.SiteModel(Release(dataset, built, sorted_triples(built.graph)))
    exact = "https://w3id.org/civicgraph/vocab/hedge/exact"
    named = len(set(Graph().parse(dist / "graph.nt").subjects(URIRef(CG + "hedge"), URIRef(exact))))
    assert named > 3
    monkeypatch.setattr(site_module, "LINKS_SHOWN", 3)
    row = html.fragment_fromstring(model.incoming_html(model.pages[exact], "en"), create_parent="div")
    (cell,) = row.xpath("//tr[th/a/@href='../../ontology/hedge.en.html']/td")  # the rows of cg:hedge
    assert len(cell.xpath("./a")) == 3
    assert (
        cell.xpath("string(./small[@class='more'])")
        == f"3 of {named} shown; the full list: a SPARQL query or the CSV files"
    )


def test_the_index_lists_organisations_and_local_governments_with_their_reports(site: Path) -> None:
    index = site / "index.html"
    page = _parse(index)
    assert "organisation/metropolia-poznan.html" in page.links
    assert "member/3064011.html" in page.links
    assert "report/3064011/2023.html" in page.links
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
    # A resource shown as a section: the page with the anchor (NE: Apache must not escape the '#'), or its data.
    section = "^id/(activity/([^/]+)/([^/]+)/.+)$"
    assert f"RewriteRule {section} {site}report/$2/$3.html#$1 [R=303,NE,L]" in rules
    assert (
        "RewriteCond %{HTTP_ACCEPT} text/turtle\n" + f"RewriteRule {section} {site}report/$2/$3.ttl [R=303,NE,L]"
        in rules
    )
    # ... and before the rule for resources with a page of their own, which would match them too.
    assert rules.index(f"RewriteRule {section}") < rules.index("RewriteRule ^id/(.+)$")


def test_relative_links_and_number_formats() -> None:
    assert relative("member/3064011", "organisation/zmp.html") == "../organisation/zmp.html"
    assert relative("index", "member/3064011.html") == "member/3064011.html"
    assert relative("report/3064011/2023/text/chars/5-9", "report/3064011/2023/text.html") == "../../text.html"
    assert relative("report/3064011/2023", "report/3064011/2023/text.html") == "2023/text.html"
    assert format_number("14025", "pl") == "14\u00a0025"  # "możliwość nauki dla 14 025 uczniów"
    assert format_number("14025", "en") == "14,025"
    assert format_number("0.5", "pl") == "0,5"


def test_the_site_is_the_same_written_by_one_or_two_workers(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages are shared out between forked workers: every file must come out the same as from one process."""
    from civicgraph.graph.rdfio import sorted_triples
    from civicgraph.publish.editions import write_editions
    from civicgraph.publish.release import Release
    from civicgraph.publish.site import write_site
    from civicgraph.util import parallel

    release = Release(dataset, built, sorted_triples(built.graph))
    outputs = []
    for workers in (1, 2):
        monkeypatch.setattr(parallel, "MAX_WORKERS", workers)
        out = tmp_path / str(workers)
        out.mkdir()
        write_editions(release, out)
        write_site(release, out)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    assert len(outputs[0]) > 400  # Poznań: 140 pages of four files
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []
