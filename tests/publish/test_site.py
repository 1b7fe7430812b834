"""The website as files: every resource of the graph on a page or under an anchor in both languages, every link
resolving (so the site works from disk), headings in order, the right ``lang`` on every element, no English on a
Polish page, and each page carrying its resource's description as JSON-LD that an extractor gets back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, XSD

from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.publish.negotiation import section_of
from civicgraph.publish.orchestrator import publish
from civicgraph.publish.release import Release, editions
from civicgraph.publish.site import _members_with_their_reports
from civicgraph.publish.site.model import SiteModel
from civicgraph.publish.site.words import EXTERNAL_LABELS, NOUNS, WORDS
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.source.synthetic import generate, write_dataset

from ..conftest import ROOT, add_second_member

BASE = "https://w3id.org/civicgraph/id/"
CG_NS = "https://w3id.org/civicgraph/ontology#"
REPORT = "report/3064011/2023"
MEMBER = "member/3064011"


@pytest.fixture(scope="module")
def site(dist: Path) -> Path:
    return dist / "site"


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, html.HtmlElement]:
    return {path: html.parse(str(path)).getroot() for path in sorted(site.rglob("*.html"))}


def _ids(page: html.HtmlElement) -> set[str]:
    return set(page.xpath("//@id"))


def test_every_link_in_the_site_resolves_to_an_existing_file_and_anchor(pages: dict[Path, html.HtmlElement]) -> None:
    assert _broken_links(pages) == []


def test_a_period_of_days_has_its_page_and_every_link_resolves(data_copy: Path, tmp_path: Path) -> None:
    """A second member whose activity ran 2023-03-01 to 2023-06-30 (tests/fixtures/second-member): its period is
    a page of its own, with its bounds as sections, and the site stays without a broken link."""
    add_second_member(data_copy)
    dataset = read_dataset(data_copy)
    out = publish(dataset, build_graph(dataset), tmp_path / "dist").folder
    site = out / "site"
    span = site / "period" / "2023-03-01" / "2023-06-30"
    assert {Path(f"{span}{suffix}").is_file() for suffix in (".html", ".en.html", ".ttl", ".nt")} == {True}
    assert {"period/2023-03-01/2023-06-30/beginning", "period/2023-03-01/2023-06-30/end"} <= _ids(
        html.parse(f"{span}.html").getroot()
    )
    assert _broken_links({path: html.parse(str(path)).getroot() for path in sorted(site.rglob("*.html"))}) == []


def _broken_links(pages: dict[Path, html.HtmlElement]) -> list[str]:
    ids = {path: _ids(page) for path, page in pages.items()}
    broken, checked = [], 0
    for path, page in pages.items():
        for href in page.xpath("//a/@href | //link/@href | //script/@src"):
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "data"):
                continue
            assert not parts.scheme and not href.startswith("/"), f"{path}: {href} is not relative"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            checked += 1
            if not target.is_file():
                broken.append(f"{path}: {href}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids[target]:
                broken.append(f"{path}: {href} (no such anchor)")
    assert checked > 3000
    return broken


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
    span = "period/2023-03-01/2023-06-30"  # a period of days has a page of its own, its bounds are sections of it
    assert section_of(span) == (span, None)
    assert section_of(f"{span}/end") == (span, f"{span}/end")
    for own in ("report/3064011/2023", "member/3064011", "organisation/zmp", "period/2023"):
        assert section_of(own) == (own, None)


def test_every_resource_of_the_graph_is_shown_and_described_in_both_languages(
    site: Path, dist: Path, pages: dict[Path, html.HtmlElement]
) -> None:
    """Each data resource has its page or an element with its anchor as id in both languages, and the page's
    Turtle and JSON-LD hold every triple of the resource."""
    graph = Graph().parse(dist / "graph.nt")
    subjects = {str(s) for s in graph.subjects() if str(s).startswith(BASE)}
    # Not vacuous: the 16 memberships of "16 krajowych organizacji i sieci" (source.txt) are among them.
    assert len({s for s in subjects if re.fullmatch(f"{BASE}membership/3064011/[^/]+", s)}) == 16
    ids = {path: _ids(page) for path, page in pages.items()}
    descriptions: dict[str, Graph] = {}
    for subject in sorted(subjects):
        page, anchor = section_of(subject[len(BASE) :])
        for suffix in (".html", ".en.html"):
            path = (site / f"{page}{suffix}").resolve()
            assert path in pages, f"{page}{suffix}"
            assert anchor is None or anchor in ids[path], f"{page}{suffix}#{anchor}"
        if page not in descriptions:
            turtle = Graph().parse(site / f"{page}.ttl")
            assert isomorphic(Graph().parse(site / f"{page}.jsonld", format="json-ld"), turtle), page
            descriptions[page] = turtle
        own = set(graph.triples((URIRef(subject), None, None)))
        assert own <= set(descriptions[page]), subject
    for term in ("ontology", "ontology/Figure", "ontology/hedge", "vocab/hedge", "vocab/hedge/nearly"):
        assert (site / f"{term}.html").is_file() and (site / f"{term}.en.html").is_file(), term


def test_a_report_page_is_described_by_its_edition_and_a_member_page_by_its_own_triples(site: Path, dist: Path) -> None:
    for suffix in (".ttl", ".jsonld"):
        assert (site / f"{REPORT}{suffix}").read_bytes() == (dist / "editions" / f"3064011-2023{suffix}").read_bytes()
    graph = Graph().parse(dist / "graph.nt")
    # The member, its Wikidata check, its memberships and their periods: the resources of its page.
    expected = {
        s
        for s in graph.subjects()
        if str(s) == f"{BASE}{MEMBER}" or str(s).startswith((f"{BASE}{MEMBER}/", f"{BASE}membership/3064011/"))
    }
    described = Graph().parse(site / f"{MEMBER}.ttl")
    assert set(described.subjects()) == expected
    assert set(described) == {t for s in expected for t in graph.triples((s, None, None))}


def test_every_description_is_given_in_the_four_formats_content_negotiation_offers(site: Path) -> None:
    """Turtle, N-Triples, RDF/XML and JSON-LD beside every page that has data (the IRIs are answered with each),
    read by rdflib — not the writer's own library — as one graph."""
    described = sorted(site.rglob("*.ttl"))
    assert {site / f"{REPORT}.ttl", site / f"{MEMBER}.ttl", site / "shapes.ttl", site / "vocab" / "index.ttl"} <= set(
        described
    )
    for turtle in described:
        graph = Graph().parse(turtle)
        stem = turtle.with_suffix("")
        for suffix, rdf_format in ((".nt", "nt"), (".rdf", "xml"), (".jsonld", "json-ld")):
            other = Graph().parse(Path(f"{stem}{suffix}"), format=rdf_format)
            assert isomorphic(other, graph), f"{stem}{suffix}"
    assert (site / f"{REPORT}.nt").read_bytes() == (site.parent / "editions" / "3064011-2023.nt").read_bytes()


def _embedded_jsonld(path: Path) -> list[object]:
    """The JSON-LD documents an extractor (extruct, from PyPI) finds in a page."""
    extruct = pytest.importorskip("extruct")
    found: list[object] = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"])["json-ld"]
    return found


def test_every_page_of_a_resource_embeds_its_description_as_json_ld(site: Path) -> None:
    """Each page with a description beside it (``.jsonld``) carries the same JSON-LD in a script element: every
    page but the home page, the voivodeships' lists (no resource of the graph) and the catalogue page (it links
    the catalogue's files: the catalogue is written after the site, as it describes the site's files)."""
    embedding = set()
    for page in sorted(site.rglob("*.html")):
        name = page.name.removesuffix(".en.html").removesuffix(".html")
        beside = page.with_name(f"{name}.jsonld")
        if not beside.is_file() or (page.parent == site and name == "catalog"):
            continue
        described = json.loads(beside.read_text(encoding="utf-8"))
        # A document whose top level is an array (the shapes, in expanded form) comes back as its nodes.
        assert _embedded_jsonld(page) == (described if isinstance(described, list) else [described]), page
        embedding.add(page.relative_to(site).as_posix())
    others = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - embedding
    assert others == {
        *(f"{name}{suffix}" for name in ("index", "catalog") for suffix in (".html", ".en.html")),
        *(p.relative_to(site).as_posix() for p in (site / "voivodeship").glob("*.html")),
    }


@pytest.mark.parametrize(
    "page",
    [MEMBER, REPORT, "organisation/metropolia-poznan", "period/2023", "vocab/hedge/nearly", "ontology/Figure"],
)
def test_an_extractor_gets_the_resource_triples_back_from_the_page(site: Path, page: str) -> None:
    (document,) = _embedded_jsonld(site / f"{page}.html")
    extracted = Graph().parse(data=json.dumps(document), format="json-ld")
    assert isomorphic(extracted, Graph().parse(site / f"{page}.ttl"))


def test_no_rdfa_on_a_page_says_anything_the_graph_does_not(site: Path, dist: Path) -> None:
    """The pages carry their data as JSON-LD: whatever an RDFa processor (pyRdfa3, through extruct) reads about
    the data's resources is in the graph (the report's schema:url is an xsd:anyURI literal, not an IRI)."""
    extruct = pytest.importorskip("extruct")
    graph = Graph().parse(dist / "graph.nt")
    report = URIRef(BASE + REPORT)
    url = graph.value(report, URIRef("http://schema.org/url"))
    assert isinstance(url, Literal) and url.datatype == XSD.anyURI
    for page in (f"{REPORT}.html", f"{MEMBER}.html", "organisation/metropolia-poznan.html"):
        text = (site / page).read_text(encoding="utf-8")
        rdfa = extruct.extract(text, base_url=f"https://w3id.org/civicgraph/site/{page}", syntaxes=["rdfa"])["rdfa"]
        about_data = [node for node in rdfa if str(node.get("@id", "")).startswith(BASE)]
        assert about_data == [], page


def _headings(page: html.HtmlElement) -> list[int]:
    return [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]


def test_every_page_has_one_h1_and_headings_that_never_skip_a_level(pages: dict[Path, html.HtmlElement]) -> None:
    wrong = []
    for path, page in pages.items():
        levels = _headings(page)
        if levels[:1] != [1] or levels.count(1) != 1:
            wrong.append(f"{path}: {levels}")
        wrong += [f"{path}: h{a} then h{b}" for a, b in pairwise(levels) if b > a + 1]
    assert wrong == []


def test_each_page_says_its_language_and_marks_polish_quotes_on_english_pages(
    pages: dict[Path, html.HtmlElement],
) -> None:
    for path, page in pages.items():
        expected = "en" if path.name.endswith(".en.html") else "pl"
        assert page.get("lang") == expected, path
        for quote in page.xpath("//blockquote | //*[contains(@class, 'report-text')]"):
            assert quote.get("lang") == "pl", path


def _text_in(page: html.HtmlElement, lang: str) -> str:
    """The text of a page whose language (its nearest ``lang``) is ``lang``, without code and scripts."""
    parts: list[str] = []

    def walk(element: html.HtmlElement, inherited: str) -> None:
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "code"):
            if isinstance(element.tag, str) and element.tail and inherited == lang:
                parts.append(element.tail)
            return
        own = element.get("lang", inherited)
        if element.text and own == lang:
            parts.append(element.text)
        for child in element:
            walk(child, own)
        if element.tail and inherited == lang:
            parts.append(element.tail)

    walk(page, "")
    return " ".join(" ".join(parts).split())


# IRIs and prefixed names (cgv:activity-type, dct:title) are names, not words of a language.
_NAMES = re.compile(r"https?://\S+|\b[a-z]+:[\w./#:-]+|@[a-z]{2}\b")


def _literals(dist: Path, language: str) -> list[str]:
    """The texts in ``language`` of the release's graph and of its ontology."""
    graph = Graph().parse(dist / "graph.nt")
    graph.parse(dist / "ontology" / "civicgraph.ttl")
    return [str(o) for o in graph.objects() if isinstance(o, Literal) and o.language == language]


def _foreign(dist: Path, other: str, lang: str) -> list[str]:
    """Phrases of language ``other`` that must not appear in text in ``lang``: the graph's and ontology's labels,
    titles and definitions in ``other`` and the site's own words in ``other`` (longer than three letters), less
    any that are also text in ``lang`` (a name both languages share, a homograph such as "data", a Polish
    example quoted in an English definition)."""
    index = 0 if other == "pl" else 1
    phrases = set(_literals(dist, other))
    phrases |= {v for k, v in WORDS[other].items() if "{" not in v and k != "switch"}
    phrases |= {labels[index] for labels in EXTERNAL_LABELS.values()}
    phrases |= {form for forms in NOUNS.values() for form in forms[other]}
    own = " | ".join(_literals(dist, lang) + [v for k, v in WORDS[lang].items() if k != "switch"])
    own += " | " + " | ".join(labels[1 - index] for labels in EXTERNAL_LABELS.values())
    own += " | " + " | ".join(form for forms in NOUNS.values() for form in forms[lang])
    return sorted(
        (p for p in phrases if len(p) > 3 and not re.search(rf"(?<!\w){re.escape(p)}(?!\w)", own)),
        key=len,
        reverse=True,
    )


def _pages_in(pages: dict[Path, html.HtmlElement], lang: str) -> Iterator[tuple[Path, str]]:
    for path, page in pages.items():
        if path.name.endswith(".en.html") == (lang == "en"):
            yield path, _NAMES.sub(" ", _text_in(page, lang))


def test_no_english_on_a_polish_page_and_no_polish_on_an_english_one(
    dist: Path, pages: dict[Path, html.HtmlElement]
) -> None:
    """Text in the page's language holds no label, title, definition or site word of the other language (text
    in another language is allowed only inside an element marked with it)."""
    for lang, other in (("pl", "en"), ("en", "pl")):
        foreign = _foreign(dist, other, lang)
        assert len(foreign) > 100
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in foreign))
        found = [f"{path}: {m.group(0)!r}" for path, text in _pages_in(pages, lang) for m in pattern.finditer(text)]
        assert found == [], lang


def test_the_vocab_and_shapes_namespaces_have_documents(site: Path, dist: Path) -> None:
    """``…/vocab/`` and ``…/shapes`` resolve to pages (site/vocab/index, site/shapes) with their RDF beside
    them: the concept schemes, and the shapes the release was validated with, each shape under its anchor."""
    vocabularies = Graph().parse(dist / "ontology" / "vocabularies.ttl")
    assert isomorphic(Graph().parse(site / "vocab" / "index.ttl"), vocabularies)
    assert isomorphic(Graph().parse(site / "vocab" / "index.jsonld", format="json-ld"), vocabularies)
    (shapes_file,) = (dist / "shapes").glob("*.ttl")
    shapes = Graph().parse(shapes_file)
    assert (site / "shapes.ttl").read_bytes() == shapes_file.read_bytes()
    assert isomorphic(Graph().parse(site / "shapes.jsonld", format="json-ld"), shapes)
    named = {
        str(s).split("#", 1)[1] for s in shapes.subjects() if str(s).startswith("https://w3id.org/civicgraph/shapes#")
    }
    assert "FigureShape-value" in named
    for suffix in (".html", ".en.html"):
        page = html.parse(str(site / f"shapes{suffix}")).getroot()
        assert named <= _ids(page)
        schemes = html.parse(str(site / "vocab" / f"index{suffix}")).getroot()
        linked = {(site / "vocab" / href).resolve() for href in schemes.xpath("//h2/a/@href")}
        assert {(site / "vocab" / f"{scheme}{suffix}").resolve() for scheme in ("hedge", "role", "unit")} <= linked


def test_htaccess_answers_iris_with_303_by_accept(dist: Path) -> None:
    """The rules as written into the release; what they answer is tested on a real Apache in
    tests/sparql/test_htaccess_apache.py."""
    rules = (dist / ".htaccess").read_text(encoding="utf-8")
    site = "https://w3id.org/civicgraph/site/"
    page, data = "%{ENV:CG_PAGE}", "%{ENV:CG_SUFFIX}"
    assert f"RewriteRule ^id/(.+)$ {site}$1{page} [R=303,NE,L]" in rules
    assert f"RewriteRule ^id/(.+)$ {site}$1{data} [R=303,L]" in rules
    assert f"RewriteRule ^vocab/(.+)$ {site}vocab/$1{page} [R=303,NE,L]" in rules
    # A resource shown as a section: the page with the anchor (NE: Apache must not escape the '#'), or its data.
    section = "^id/(activity/([^/]+)/([^/]+)/.+)$"
    assert f"RewriteRule {section} {site}report/$2/$3{page}#$1 [R=303,NE,L]" in rules
    assert f"RewriteRule {section} {site}report/$2/$3{data} [R=303,L]" in rules
    # ... and before the rule for resources with a page of their own, which would match them too.
    assert rules.index(f"RewriteRule {section}") < rules.index("RewriteRule ^id/(.+)$")
    assert "Options" not in rules  # a host allowing only AllowOverride FileInfo answers 500 to an Options line


def test_the_site_is_the_same_written_by_one_or_two_workers(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages are shared out between forked workers: every file must come out the same as from one process."""
    from civicgraph.publish.editions import write_editions
    from civicgraph.publish.release import Release
    from civicgraph.publish.site import write_site
    from civicgraph.util import parallel

    release = Release(dataset, built, built.plain)
    outputs = []
    for workers in (1, 2):
        monkeypatch.setattr(parallel, "MAX_WORKERS", workers)
        out = tmp_path / str(workers)
        out.mkdir()
        write_editions(release, out)
        write_site(release, out)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    assert len(outputs[0]) == _files_written_for(dataset)
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []


def _files_written_for(dataset: Dataset) -> int:
    """What write_editions and write_site write for ``dataset``, counted from the data and the shipped ontology.

    A page is made for every local government (members.yaml), organisation (organisations.yaml), report, period
    (one per report year: the data's memberships and reports are dated by year), ontology term (the cg: subjects of
    ontology/civicgraph.ttl) and the ontology itself, concept scheme and concept (ontology/vocabularies.ttl) and
    the schemes' index, and the shapes: each as .html, .en.html, .ttl, .jsonld, .nt and .rdf. The catalogue page,
    the home page and a page per voivodeship (of the members' TERYT codes) are .html and .en.html only (the
    catalogue's descriptions are the catalogue files the publishing step copies beside them). Then sitemap.xml,
    search-index.js and .htaccess, and each report's edition in editions/ (.ttl, .jsonld, .nt). For Poznań 2023:
    (3 + 16 + 1 + 1 + 36 + 1 + 8 + 57 + 1 + 1) × 6 + (1 + 1 + 1) × 2 + 3 + 1 × 3 = 762."""
    ontology = Graph().parse(ROOT / "ontology" / "civicgraph.ttl")
    vocabularies = Graph().parse(ROOT / "ontology" / "vocabularies.ttl")
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(CG_NS)}
    schemes = set(vocabularies.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = set(vocabularies.subjects(RDF.type, SKOS.Concept))
    described = (
        len(dataset.members)
        + len(dataset.organisations)
        + len(dataset.reports)
        + len({report.year for report in dataset.reports})
        + len(terms)
        + 1  # the ontology
        + len(schemes)
        + len(concepts)
        + 1  # vocab/index
        + 1  # shapes
    )
    html_only = 1 + 1 + len({teryt[:2] for teryt in dataset.members})  # catalogue, home, voivodeships
    return described * 6 + html_only * 2 + 3 + len(dataset.reports) * 3


def test_a_members_page_is_dealt_to_the_processes_just_before_its_reports_pages(tmp_path: Path) -> None:
    """The process that reads a report's facts for its member's page then has them for the report's page too (in IRI
    order, the member pages came first, then the organisations', then the reports')."""
    data = tmp_path / "data"
    write_dataset(generate(3, (2022, 2023), 1), data)
    dataset = read_dataset(data)
    built = build_graph(dataset)
    release = Release(dataset, built, built.plain)
    model = SiteModel(release)
    order = [page.path for page in _members_with_their_reports(model, {e.report_iri: e for e in editions(release)})]
    assert sorted(order) == sorted(page.path for page in model.pages.values())
    members = sorted({report.member for report in dataset.reports})
    assert len(members) == 3
    for teryt in members:
        at = order.index(f"member/{teryt}")
        assert order[at : at + 3] == [f"member/{teryt}", f"report/{teryt}/2022", f"report/{teryt}/2023"]
