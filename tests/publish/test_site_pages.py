"""The pages people read: a member's memberships year by year with what they delivered and where the report
says so, the report's text with its facts marked, an organisation's members, and the home page at national size.

Figures are the report's own (source.txt of Poznań 2023); the changes between years use a made-up earlier year of
a made-up commune (tests/fixtures/site-two-years/).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import html

from civicgraph.graph.build import build_graph
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset
from civicgraph.source.synthetic import generate, write_dataset

from ..conftest import DATA, FIXTURES, poznan_2023_copy

NBSP = "\u00a0"
REPORT = "report/3064011/2023"
MEMBER = "member/3064011"
SOURCE_TEXT = Path(__file__).resolve().parents[2] / "data" / "reports" / "3064011" / "2023" / "source.txt"


def _page(site: Path, path: str) -> html.HtmlElement:
    return html.parse(str(site / path)).getroot()


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().replace(NBSP, " ").split())


def _year_2023(site: Path, path: str) -> html.HtmlElement:
    """The 2023 report's section of a member page (the data may hold other years of the same member)."""
    (section,) = _page(site, path).xpath("//section[h2 = 'Raport za 2023 r.' or h2 = 'The 2023 report']")
    return section


@pytest.fixture(scope="module")
def site(dist: Path) -> Path:
    return dist / "site"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of Poznań 2023 with the made-up Gmina Przykładowa's reports for 2022 and 2023 beside it."""
    data = poznan_2023_copy(tmp_path_factory.mktemp("two-years") / "data")
    second = FIXTURES / "second-member"
    with (data / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (second / "members.yaml").read_text(encoding="utf-8"))
    shutil.copytree(second / "reports" / "3099011", data / "reports" / "3099011")
    shutil.copytree(FIXTURES / "site-two-years" / "reports" / "3099011" / "2022", data / "reports" / "3099011" / "2022")
    dataset = read_dataset(data)
    return publish(dataset, build_graph(dataset), data.parent / "dist").folder / "site"


# -- a member's page -----------------------------------------------------------------------------------------


def test_the_member_page_tells_each_year_by_kind_of_organisation_in_the_reports_order(site: Path) -> None:
    year = _year_2023(site, f"{MEMBER}.html")
    # "Miasto Poznań było członkiem 16 krajowych organizacji i sieci" — stated, and 16 memberships recorded.
    assert "Liczba krajowych organizacji i sieci, których członkiem było miasto: 16. W danych: 16 członkostw." in (
        _text(year)
    )
    assert [_text(h) for h in year.xpath("h3")][:2] == ["Stowarzyszenia", "Związki stowarzyszeń"]
    metropolia = year.xpath(".//article[h4/a[. = 'Metropolia Poznań']]")[0]
    # The activities in the order of the report's paragraph on Metropolia Poznań.
    assert [_text(t) for t in metropolia.xpath(".//li[contains(@class, 'activity')]/p[@class = 'title']")] == [
        "Grupa zakupowa paliwa gazowego",
        "„WłączaMY ZERO WASTE!”",
        "Projekty Zintegrowanych Inwestycji Terytorialnych (ZIT)",
        "Promocja konsultacji społecznych i szkolnych budżetów obywatelskich",
        "Poznańska Kolej Metropolitalna (PKM)",
        "Dodatkowe klasy w szkołach średnich w roku szkolnym 2023/2024",
    ]


def test_a_figure_is_a_large_number_with_its_hedge_in_words(site: Path) -> None:
    # source.txt: "...na łączną kwotę blisko 1,4 mld zł, przy ponad 800 mln zł dotacji ze środków unijnych."
    polish = _year_2023(site, f"{MEMBER}.html")
    big = {
        _text(li.find_class("what")[0]): _text(li.find_class("big")[0])
        for li in polish.xpath(".//ul[@class='figures']/li")
    }
    assert big["Łączna kwota projektów ZIT"] == "blisko 1,4 mld zł"
    assert big["Dotacje ze środków unijnych"] == "ponad 800 mln zł"
    assert big["Liczba zrealizowanych projektów ZIT"] == "139"
    english = _year_2023(site, f"{MEMBER}.en.html")
    big = {
        _text(li.find_class("what")[0]): _text(li.find_class("big")[0])
        for li in english.xpath(".//ul[@class='figures']/li")
    }
    assert big["Total value of the ZIT projects"] == "nearly PLN 1.4 billion"
    assert big["EU grants"] == "more than PLN 800 million"


def test_the_source_passage_is_shown_on_demand_highlighted_in_its_paragraph_with_its_year(site: Path) -> None:
    year = _year_2023(site, f"{MEMBER}.html")
    (zit,) = year.xpath(".//li[p[@class='title'] = 'Projekty Zintegrowanych Inwestycji Terytorialnych (ZIT)']")
    (details,) = zit.xpath(".//details")
    assert _text(details.find("summary")) == "Gdzie raport za 2023 r. o tym mówi"
    (paragraph,) = details.xpath(".//blockquote[@lang='pl']/p")
    line = next(line for line in SOURCE_TEXT.read_text(encoding="utf-8").splitlines() if "139 projektów" in line)
    assert paragraph.text_content() == line  # the whole paragraph, character for character
    (activity,) = paragraph.xpath("mark[@class='m-activity']")
    assert activity.text_content().startswith("Stowarzyszone samorządy zrealizowały 139 projektów")
    assert [m.text_content() for m in activity.xpath("mark[@class='m-figure']")] == [
        "139 projektów",
        "blisko 1,4 mld zł",
        "ponad 800 mln zł",
    ]
    (link,) = details.xpath(".//a")
    assert link.get("href") == f"../{REPORT}.html#{REPORT}/text/chars/1102-1285"


def test_partners_of_a_joint_project_are_named_and_its_participants_charted(site: Path) -> None:
    # "…48 samorządów – Województwo Wielkopolskie, Miasto Poznań i Powiat Poznański, które współfinansują każdą
    # z linii PKM, a także 9 powiatów i 36 gmin."
    year = _year_2023(site, f"{MEMBER}.html")
    (pkm,) = year.xpath(".//li[p[@class='title'] = 'Poznańska Kolej Metropolitalna (PKM)']")
    assert _text(pkm.find_class("partners")[0]) == (
        "Partnerzy — współfinansujący: Województwo Wielkopolskie, Miasto Poznań, Powiat Poznański"
    )
    (chart,) = pkm.xpath(".//figure[contains(@class, 'chart')]")
    assert _text(chart.find("figcaption")) == "Uczestnicy: Poznańska Kolej Metropolitalna (PKM)"
    rows = [(_text(r.xpath("th")[0]), _text(r.xpath("td")[0])) for r in chart.xpath(".//tbody/tr")]
    assert rows == [
        ("Samorządy zaangażowane w PKM", "48"),
        ("Powiaty zaangażowane w PKM (poza współfinansującymi każdą linię)", "9"),
        ("Gminy zaangażowane w PKM (poza współfinansującymi każdą linię)", "36"),
        ("wymienieni z nazwy partnerzy", "3"),
    ]
    widths = [r.get("width") for r in chart.xpath(".//rect")]
    assert widths == ["100", "18.8", "75", "6.3"]  # 9/48, 36/48, 3/48 of the longest bar


def test_the_member_name_is_declined_where_polish_needs_it(site: Path, two_years: Path) -> None:
    """members.yaml types "Miasta Poznania" (genitive) and "Mieście Poznaniu" (locative); a member without them
    gets sentences that need neither."""
    poznan = _page(site, f"{MEMBER}.html")
    assert "Członkostwa Miasta Poznania" in [_text(h) for h in poznan.iter("h2")]
    assert "Dane o Mieście Poznaniu dla maszyn" in [_text(h) for h in poznan.iter("h2")]
    report = _page(site, f"{REPORT}.html")
    assert _text(report.find_class("lead")[0]).startswith(
        "Rozdział „Współpraca krajowa” raportu Miasta Poznania za 2023 r."
    )
    example = _page(two_years, "member/3099011.html")
    headings = [_text(h) for h in example.iter("h2")]
    assert "Członkostwa" in headings and "Dane dla maszyn" in headings
    report = _page(two_years, "report/3099011/2023.html")
    assert _text(report.find_class("lead")[0]) == "Raport, który opublikował samorząd Gmina Przykładowa, rok 2023."


def test_a_name_that_exists_only_in_polish_is_marked_polish_on_the_english_page(two_years: Path) -> None:
    # The made-up 2022 report has a Polish title only.
    page = _page(two_years, "report/3099011/2022.en.html")
    (h1,) = page.iter("h1")
    assert (h1.get("lang"), _text(h1)) == ("pl", "Raport o stanie Gminy Przykładowej za 2022 rok")
    assert page.find("head/title").get("lang") == "pl"


def test_changes_between_years_list_memberships_joined_and_left_and_figures_changed(two_years: Path) -> None:
    page = _page(two_years, "member/3099011.html")
    (changes,) = page.xpath("//section[h2 = 'Zmiany między raportami']")
    assert _text(changes.find("h3")) == "2022 → 2023"
    assert [_text(li) for li in changes.xpath("ul/li")] == [
        "Nowe członkostwa: Metropolia Poznań",
        "Nie wymienione już w raporcie: Stowarzyszenie Gmin i Powiatów Wielkopolski",
        "Zmienione liczby: Koszt zakupu: blisko 2 mln zł (2022) → blisko 2,5 mln zł (2023)",
    ]
    (years,) = page.xpath("//figure[@aria-labelledby='chart-years']")
    assert [[_text(c) for c in r.xpath("th|td")] for r in years.xpath(".//tbody/tr")] == [
        ["2022", "2", ""],
        ["2023", "2", ""],
    ]
    assert [_text(h) for h in page.xpath("//section/h2[starts-with(., 'Raport za')]")] == [
        "Raport za 2023 r.",
        "Raport za 2022 r.",
    ]
    table = page.xpath("//section[h2 = 'Członkostwa']//table[not(ancestor::figure)]")[0]
    rows = [[_text(c) for c in r.xpath("th|td")] for r in table.xpath("tbody/tr")]
    assert rows == [
        ["Metropolia Poznań", "2023", "2011-05-01 – 2024-12-31"],
        ["Stowarzyszenie Gmin i Powiatów Wielkopolski", "2022", "nie podano"],
        ["Związek Miast Polskich", "2022, 2023", "od 2010"],
    ]


def test_the_money_chart_shows_each_amount_without_adding_them_up(site: Path) -> None:
    page = _page(site, f"{MEMBER}.html")
    (chart,) = page.xpath("//figure[@aria-labelledby='chart-money']")
    rows = [[_text(c) for c in r.xpath("th|td")] for r in chart.xpath(".//tbody/tr")]
    of_2023 = [row for row in rows if row[0].endswith("(2023)")]
    assert of_2023 == [
        ["Metropolia Poznań: Łączna kwota projektów ZIT (2023)", "blisko 1,4 mld zł", ""],
        ["Metropolia Poznań: Dotacje ze środków unijnych (2023)", "ponad 800 mln zł", ""],
    ]
    if len(rows) == 2:  # the bars of these two alone (another year's amounts may be larger)
        assert [r.get("width") for r in chart.xpath(".//rect")] == ["100", "57.1"]  # 800 / 1400


# -- a report's page -------------------------------------------------------------------------------------------


def test_the_report_page_shows_the_text_as_published_with_every_fact_marked(site: Path, dist: Path) -> None:
    page = _page(site, f"{REPORT}.html")
    (text,) = page.xpath("//div[contains(@class, 'report-text')]")
    for note in text.xpath(".//sup"):  # the passages' numbers are not part of the text
        note.drop_tree()
    lines = [line for line in SOURCE_TEXT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [p.text_content() for p in text.xpath("p")] == lines
    # Every passage a fact rests on is marked once, under its anchor (the evidence IRI's path).
    evidence = set(
        re.findall(
            r"<(https://w3id.org/civicgraph/id/report/3064011/2023/text/chars/\d+-\d+)>",
            (dist / "graph.nt").read_text(),
        )
    )
    marked = {m.get("id") for m in text.xpath(".//mark[@id]")}
    assert marked == {e.removeprefix("https://w3id.org/civicgraph/id/") for e in evidence}
    (figure,) = text.xpath(".//mark[@id='report/3064011/2023/text/chars/1216-1233']")
    assert (figure.text_content(), figure.get("class")) == ("blisko 1,4 mld zł", "m-figure")
    assert figure.getparent().get("class") == "m-activity"  # inside the ZIT sentence


def test_each_passage_number_leads_to_its_fact_and_back(site: Path) -> None:
    page = _page(site, f"{REPORT}.html")
    (mark,) = page.xpath("//mark[@id='report/3064011/2023/text/chars/1216-1233']")
    (note,) = mark.xpath("following-sibling::*[1][self::sup]/a")
    assert note.get("href") == "#activity/3064011/2023/zit-projects/figure/total-value"
    assert _text(note.find_class("vh")[0]) == "— fakt: Łączna kwota projektów ZIT"
    (fact,) = page.xpath("//*[@id='activity/3064011/2023/zit-projects/figure/total-value']")
    assert _text(fact.find_class("big")[0]) == "blisko 1,4 mld zł"
    (back,) = fact.xpath(".//sup/a")
    assert back.get("href") == "#report/3064011/2023/text/chars/1216-1233" and back.text == note.text
    # A membership's passage leads to its row on the member's page.
    (zmp,) = page.xpath("//mark[@id='report/3064011/2023/text/chars/125-148']")
    assert zmp.text_content() == "Związek Miast Polskich;"
    (link,) = zmp.xpath("following-sibling::*[1][self::sup]/a")
    assert link.get("href") == "../../member/3064011.html#membership/3064011/zmp"


def test_the_report_page_states_how_much_of_its_text_the_facts_cover(site: Path) -> None:
    """The share is of characters inside at least one passage, computed from the passages' positions."""
    page = _page(site, f"{REPORT}.html")
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    spans = sorted(
        {(int(a), int(b)) for a, b in (m.split("-") for m in page.xpath("//mark/@id") for m in [m.rsplit("/", 1)[1]])}
    )
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    share = round(100 * len(covered) / len(text))
    assert f"Zaznaczono {share}% tekstu ({len(covered):,} z {len(text):,} znaków).".replace(",", " ") == _text(
        page.xpath("//section[h2 = 'Tekst raportu']/p[@class='note'][2]")[0]
    )


# -- an organisation's page ------------------------------------------------------------------------------------


def test_the_organisation_page_lists_its_members_since_which_report_and_what_they_delivered(two_years: Path) -> None:
    page = _page(two_years, "organisation/metropolia-poznan.html")
    rows = {
        _text(r.xpath("th")[0]): [_text(c) for c in r.xpath("td")]
        for r in page.xpath("//section[h2 = 'Członkowie']//tbody/tr")
    }
    assert rows["Gmina Przykładowa"] == ["2023", "2011-05-01 – 2024-12-31"]  # its 2022 report names no Metropolia
    assert "2023" in rows["Miasto Poznań"][0]
    (year,) = page.xpath("//section[h2 = 'Co dało członkostwo, według lat']/h3[. = '2023 r.']")
    activities = year.xpath("following-sibling::ul[1]/li")
    reported_by = {_text(a.find("p[@class='title']")): _text(a.xpath("p[@class='meta']/a")[0]) for a in activities}
    assert reported_by["Szkolenia urzędników"] == "Gmina Przykładowa"
    assert reported_by["Wspólny zakup energii"] == "Gmina Przykładowa"
    assert reported_by["Poznańska Kolej Metropolitalna (PKM)"] == "Miasto Poznań"


# -- the home page -------------------------------------------------------------------------------------------


def test_the_home_page_lists_a_few_members_itself_grouped_by_voivodeship(two_years: Path) -> None:
    page = _page(two_years, "index.html")
    (regions,) = page.xpath("//figure[@aria-labelledby='chart-regions']")
    assert "województwo wielkopolskie" in [_text(r.xpath("th")[0]) for r in regions.xpath(".//tbody/tr")]
    (wielkopolskie,) = page.xpath("//section[h2 = 'Samorządy']/h3[. = 'województwo wielkopolskie']")
    rows = {
        _text(r.xpath("th/a")[0]): [_text(c) for c in r.xpath("th/span | td")]
        for r in wielkopolskie.xpath("following-sibling::table[1]/tbody/tr")
    }
    # Gmina Przykładowa (TERYT 30…): its reports, newest first, and the memberships of the newest (2023: 2).
    assert rows["Gmina Przykładowa"] == ["gmina wiejska", "2023, 2022", "2"]
    assert rows["Powiat Poznański"] == ["powiat", "—", "—"]  # named in a report, publishing none
    assert rows["Miasto Poznań"][0] == "miasto na prawach powiatu" and "2023" in rows["Miasto Poznań"][1]


def test_at_national_size_the_home_page_shows_voivodeships_and_each_has_its_page(tmp_path: Path) -> None:
    """More local governments than the home page lists: their voivodeships, a page per voivodeship, and the
    search index naming every one."""
    from civicgraph.publish.site.index import LISTED_ON_HOME

    data = tmp_path / "data"
    write_dataset(generate(LISTED_ON_HOME + 20, (2023,), 1), data)
    dataset = read_dataset(data)
    site = publish(dataset, build_graph(dataset), tmp_path / "dist").folder / "site"
    page = _page(site, "index.html")
    assert page.xpath("//section[h2 = 'Samorządy']/h3") == []
    by_code: dict[str, int] = {}
    for teryt in dataset.members:
        by_code[teryt[:2]] = by_code.get(teryt[:2], 0) + 1
    rows = page.xpath("//figure[@aria-labelledby='chart-regions']//tbody/tr")
    assert [(r.xpath("th/a/@href")[0], _text(r.xpath("td")[0])) for r in rows] == [
        (f"voivodeship/{code}.html", str(count)) for code, count in sorted(by_code.items())
    ]
    for code, count in by_code.items():
        region = _page(site, f"voivodeship/{code}.html")
        assert len(region.xpath("//tbody/tr")) == count
    # Every member here has one report: the changes will show with the next.
    member = next(iter(sorted(t for t in dataset.members if len(t) == 7)))
    changes = _page(site, f"member/{member}.html").xpath("//section[h2 = 'Zmiany między raportami']/p")
    assert [_text(p) for p in changes] == [
        "Dane obejmują jeden raport (2023 r.); zmiany będzie widać po dodaniu kolejnego."
    ]
    search = (site / "search-index.js").read_text(encoding="utf-8")
    assert search.startswith("window.civicgraphSearch=[")
    assert all(f'"{teryt}"]' in search for teryt in dataset.members)


def test_the_wikidata_check_says_what_was_found_not_who_checked(site: Path, dist: Path) -> None:
    """Who made a check (``dct:creator``) is provenance for machines: the page says what was found, when and
    how, under the check's anchor."""
    from rdflib import Graph, URIRef

    graph = Graph().parse(dist / "graph.nt")
    check = URIRef("https://w3id.org/civicgraph/id/member/3064011/wikidata-check")
    creator = str(graph.value(check, URIRef("http://purl.org/dc/terms/creator")))
    page = _page(site, f"{MEMBER}.html")
    (line,) = page.xpath("//p[@id='member/3064011/wikidata-check']")
    assert _text(line) == "Element Wikidanych: Q268 (sprawdzone 2026-11-29, metoda: ręcznie)."
    shown = " ".join(page.xpath("//body//text()[not(ancestor::script)]"))
    assert creator not in shown


# -- the linked-data view --------------------------------------------------------------------------------------


def test_links_from_elsewhere_are_bounded_per_property(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A concept named by many resources lists a sample and says how many there are."""
    from rdflib import Graph, URIRef

    from civicgraph.publish.release import Release
    from civicgraph.publish.site import generic
    from civicgraph.publish.site.model import SiteModel
    from civicgraph.publish.site.parts import View

    dataset = read_dataset(DATA)
    built = build_graph(dataset)
    model = SiteModel(Release(dataset, built, built.plain))
    exact = "https://w3id.org/civicgraph/vocab/hedge/exact"
    hedge = "https://w3id.org/civicgraph/ontology#hedge"
    named = len(set(Graph().parse(dist / "graph.nt").subjects(URIRef(hedge), URIRef(exact))))
    # Every figure of the reports that says `hedge: exact` (11 in data/reports/3064011/2023/report.yaml): more than
    # the 3 shown below.
    figures = [f for r in dataset.reports for f in (*r.figures, *(g for a in r.activities for g in a.figures))]
    assert named == sum(figure.hedge == "exact" for figure in figures) > 3

    def shown(links: int) -> html.HtmlElement:
        monkeypatch.setattr(generic, "LINKS_SHOWN", links)
        page = generic.incoming_html(View(model, model.pages[exact], "en"))
        (cell,) = html.fragment_fromstring(page, create_parent="div").xpath(
            "//tr[th/a/@href='../../ontology/hedge.en.html']/td"  # the row of cg:hedge
        )
        return cell

    every = [_text(a) for a in shown(named).xpath("./a")]
    assert len(every) == named and every == sorted(every, key=str.casefold)  # all of them, by name
    cell = shown(3)
    assert [_text(a) for a in cell.xpath("./a")] == every[:3]  # the first three by name
    assert _text(cell.xpath("./small[@class='more']")[0]) == (
        f"3 of {named} shown; the full list: a SPARQL query or the CSV files"
    )


def test_a_name_the_report_printed_for_an_organisation_is_marked_and_listed(site: Path) -> None:
    """organisations.yaml: Metropolia Poznań was printed "Stowarzyszenie Metropolia Poznań" in the 2023 report
    ("W ramach współpracy ze Stowarzyszeniem Metropolia Poznań")."""
    report = _page(site, f"{REPORT}.html")
    (mark,) = report.xpath("//mark[. = 'ze\u00a0Stowarzyszeniem Metropolia Poznań']")
    assert mark.get("class") == "m-name"
    (listed,) = report.xpath("//li[starts-with(@id, 'report/3064011/2023/printed-name/metropolia-poznan/')]")
    assert _text(listed).startswith("„Stowarzyszenie Metropolia Poznań” — Metropolia Poznań")
    assert listed.xpath(".//sup/a/@href") == [f"#{mark.get('id')}"]
    organisation = _page(site, "organisation/metropolia-poznan.html")
    (names,) = organisation.xpath("//p[starts-with(., 'Inne nazwy')]")
    link = names.xpath(".//a[. = 'Raport za 2023 r.']/@href")
    assert link == [f"../{REPORT}.html#{mark.get('id')}"]
