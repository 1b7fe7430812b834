"""Every query of the library answers its question: results compared, order-insensitively, with what the source
texts say (data/reports/3064011/2023/source.txt and the second member-year fixture), never with a past run.

A query file without a ``test_query_<name>`` test here fails ``test_every_library_query_has_a_test``.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from civicgraph.graph.build import build_graph
from civicgraph.graph.rdfio import sorted_triples, write_ntriples
from civicgraph.source.reader import read_dataset
from civicgraph.sparql.library import (
    Boolean,
    LibraryQuery,
    OxigraphEngine,
    QueryResult,
    Solutions,
    Triples,
    library,
    run_query,
)
from civicgraph.util.resources import resource_dir

from ..conftest import BASE, FIXTURES, SOURCE_TEXT, add_second_member, poznan_2023_copy

TEXT = SOURCE_TEXT.read_text(encoding="utf-8")
SECOND_TEXT = (FIXTURES / "second-member" / "reports" / "3099011" / "2023" / "source.txt").read_text("utf-8")
REPORT = BASE + "report/3064011/2023"
CG = "https://w3id.org/civicgraph/ontology#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def plain(text: str) -> str:
    """White space as ordinary spaces: the report text has non-breaking ones."""
    return " ".join(text.split())


def span_in(text: str, phrase: str) -> tuple[int, int]:
    """Where ``phrase`` (typed with ordinary spaces) occurs in ``text``: the one expected passage."""
    matches = list(re.finditer(r"\s+".join(re.escape(word) for word in phrase.split()), text))
    assert len(matches) == 1, phrase
    return matches[0].span()


# The bullet list of the text: "Miasto Poznań było członkiem 16 krajowych organizacji i sieci [...]: • ...".
LISTED = [plain(line.strip(" •\u00a0")) for line in TEXT.splitlines() if line.strip().startswith("•")]
LISTED_NAMES = {line.rstrip(";.") for line in LISTED}


def test_the_text_lists_sixteen_organisations() -> None:
    assert "16 krajowych organizacji i sieci" in plain(TEXT)
    assert len(LISTED) == 16


# -- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def poznan(dist: Path) -> OxigraphEngine:
    """What the shipped Poznań 2023 report states — its edition, which no other report of the data changes
    (tests/publish/test_editions.py) — in the default engine."""
    return OxigraphEngine.from_file(dist / "editions" / "3064011-2023.nt")


def build_two_reports(target: Path) -> Path:
    """Poznań 2023 (data/) plus the second member-year fixture (Gmina Przykładowa 2023), built and written as
    N-Triples."""
    data = poznan_2023_copy(target / "data")
    add_second_member(data)
    graph = target / "graph.nt"
    write_ntriples(sorted_triples(build_graph(read_dataset(data)).graph), graph)
    return graph


@pytest.fixture(scope="module")
def two_reports_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_two_reports(tmp_path_factory.mktemp("two-reports"))


@pytest.fixture(scope="module")
def two_reports(two_reports_file: Path) -> OxigraphEngine:
    return OxigraphEngine.from_file(two_reports_file)


QUERIES = library()


def run(engine: OxigraphEngine, name: str, **params: str) -> QueryResult:
    return run_query(QUERIES[name], engine, params)


def rows(result: QueryResult) -> list[dict[str, str]]:
    assert isinstance(result, Solutions)
    return [{name: term.value for name, term in row.items()} for row in result.rows]


def column(result: QueryResult, name: str) -> list[str]:
    return [row[name] for row in rows(result) if name in row]


# -- the library itself -----------------------------------------------------------------------------------------


def test_every_library_query_has_a_test() -> None:
    tested = {name.removeprefix("test_query_") for name in globals() if name.startswith("test_query_")}
    untested = {name for name in QUERIES if name.replace("-", "_") not in tested}
    assert not untested, f"library queries without a test_query_<name> test: {sorted(untested)}"
    # The files queries/*.rq (queries/federated/ is not part of the library).
    assert set(QUERIES) == {
        "activities-in-year",
        "activities-of-type",
        "co-financers-by-kind",
        "count-figures",
        "evidence-for-fact",
        "figure-evidence",
        "is-member",
        "members-of-organisation",
        "money-figures",
        "money-per-organisation",
        "not-recorded",
        "organisations-of-member",
        "organisations-without-wikidata",
        "report-diff",
    }


def test_federated_queries_are_not_part_of_the_offline_library() -> None:
    federated = {path.stem for path in (resource_dir("queries") / "federated").glob("*.rq")}
    assert not federated & set(QUERIES)


def _body(query: LibraryQuery) -> str:
    return "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_each_query_states_its_question_in_polish_and_english(name: str) -> None:
    query = QUERIES[name]
    assert query.question_pl.endswith("?") and query.question_en.endswith("?")
    if query.parameters:
        assert query.examples, "a query with parameters shows how to call it (# example: name=value)"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_parameters_are_projected_variables_never_assigned_in_the_query(name: str) -> None:
    """The rule under which rdflib, Oxigraph and a trailing VALUES bind parameters the same way."""
    query = QUERIES[name]
    body = _body(query)
    assert "VALUES" not in body.upper().split()
    algebra = prepareQuery(query.text).algebra
    for parameter in query.parameters:
        assert not re.search(rf"AS\s+\?{parameter.name}\b", body), f"?{parameter.name} is assigned"
        if algebra.name == "SelectQuery":
            projected = {str(variable) for variable in algebra["PV"]}
            assert parameter.name in projected, f"?{parameter.name} is not projected"


# -- one test per query -----------------------------------------------------------------------------------------


def test_query_organisations_of_member(poznan: OxigraphEngine) -> None:
    result = run(poznan, "organisations-of-member", teryt="3064011")
    found = rows(result)
    # Each membership rests on its own line of the bullet list, quoted word for word.
    assert sorted(plain(row["quote"]) for row in found) == sorted(LISTED)
    assert {row["name"] for row in found} <= {n.removeprefix("PLOT – ") for n in LISTED_NAMES}
    assert {row["report"] for row in found} == {REPORT}
    # The text does not say since when Poznań belongs to any of them.
    assert not any("since" in row or "until" in row for row in found)


def test_query_organisations_of_member_gives_known_dates(two_reports: OxigraphEngine) -> None:
    found = {row["organisation"]: row for row in rows(run(two_reports, "organisations-of-member", teryt="3099011"))}
    # "Gmina Przykładowa była członkiem 2 organizacji: Związku Miast Polskich oraz Stowarzyszenia Metropolia Poznań"
    assert set(found) == {"zmp", "metropolia-poznan"}
    assert (found["zmp"]["since"], found["zmp"].get("until")) == ("2010", None)
    assert (found["metropolia-poznan"]["since"], found["metropolia-poznan"]["until"]) == ("2011-05-01", "2024-12-31")


def test_query_members_of_organisation(poznan: OxigraphEngine, two_reports: OxigraphEngine) -> None:
    only_poznan = rows(run(poznan, "members-of-organisation", organisation="zmp"))
    assert [(r["teryt"], r["memberName"], r["kind"]) for r in only_poznan] == [
        ("3064011", "Miasto Poznań", "city-with-county-rights")
    ]
    both = rows(run(two_reports, "members-of-organisation", organisation="zmp"))
    assert {(r["teryt"], r["kind"], r.get("since")) for r in both} == {
        ("3064011", "city-with-county-rights", None),
        ("3099011", "rural-commune", "2010"),
    }
    assert {r["organisationName"] for r in both} == {"Związek Miast Polskich"}


def test_query_activities_in_year(poznan: OxigraphEngine) -> None:
    found = rows(run(poznan, "activities-in-year", year="2023", teryt="3064011"))
    per_organisation: dict[str, int] = {}
    for row in found:
        per_organisation[row["organisation"]] = per_organisation.get(row["organisation"], 0) + 1
    # Metropolia Poznań: gas purchasing group, „WłączaMY ZERO WASTE!”, 139 ZIT projects, consultations promotion,
    # PKM, extra secondary-school classes; ZMP: „Rozwój lokalny”, conferences/meetings/webinars; UMP: guides,
    # 4 trainings, the turnout campaign, 60 trainings, „Polskie Miasta Ukrainie” and the Mariupol conference.
    assert per_organisation == {"metropolia-poznan": 6, "zmp": 2, "ump": 6}
    titles = {row["title"] for row in found}
    for printed in (
        "„WłączaMY ZERO WASTE!”",
        "„Rozwój lokalny”",
        "„Nie Śpij, bo Cię przegłosują”",
        "„Polskie Miasta Ukrainie”",
        "„Mariupol – Reborn – cztery koncepcje odbudowy miasta”",
    ):
        assert printed in plain(TEXT) and printed in titles
    # "jednym z ważniejszych wydarzeń projektu była konferencja": the conference is part of the project.
    part_of = {row["activity"]: row["partOf"] for row in found if "partOf" in row}
    assert part_of == {
        BASE + "activity/3064011/2023/mariupol-reborn-conference": BASE
        + "activity/3064011/2023/polskie-miasta-ukrainie"
    }


def test_query_activities_in_year_has_nothing_for_a_year_without_report(poznan: OxigraphEngine) -> None:
    assert rows(run(poznan, "activities-in-year", year="2022")) == []


def test_query_money_figures(poznan: OxigraphEngine, two_reports: OxigraphEngine) -> None:
    found = rows(run(poznan, "money-figures", teryt="3064011", year="2023"))
    # "na łączną kwotę blisko 1,4 mld zł, przy ponad 800 mln zł dotacji ze środków unijnych"
    assert {(r["value"], r["currency"], r["hedge"], plain(r["asPrinted"])) for r in found} == {
        ("1400000000", "PLN", "nearly", "blisko 1,4 mld zł"),
        ("800000000", "PLN", "more-than", "ponad 800 mln zł"),
    }
    result = run(poznan, "money-figures", teryt="3064011", year="2023")
    assert isinstance(result, Solutions)
    assert {row["value"].datatype.value for row in result.rows} == {XSD + "decimal"}
    second = rows(run(two_reports, "money-figures", teryt="3099011"))
    # "wspólny zakup energii kosztował blisko 2,5 mln zł"
    assert [(r["value"], r["hedge"], r["asPrinted"]) for r in second] == [("2500000", "nearly", "blisko 2,5 mln zł")]


# (value, unit, hedge, words printed in the text)
COUNTS = {
    ("16", "organisation", "exact", "16 krajowych organizacji i sieci"),
    ("139", "project", "exact", "139 projektów"),
    ("5", "year", "exact", "5 lat funkcjonowania"),
    ("48", "local-government", "exact", "48 samorządów"),
    ("9", "county", "exact", "9 powiatów"),
    ("36", "commune", "exact", "36 gmin"),
    ("14025", "pupil", "exact", "możliwość nauki dla 14 025 uczniów"),
    ("2", "times", "nearly", "blisko dwukrotnie wyższej liczby uczniów"),
    ("2", "guide", "exact", "dwa poradniki"),
    ("4", "training", "exact", "4 szkolenia"),
    ("2000", "participant", "more-than", "ponad 2 tys. uczestników"),
    ("60", "training", "exact", "60 szkoleń"),
    ("7233", "person", "exact", "przeszkolono 7233 osoby"),
}


def test_query_count_figures(poznan: OxigraphEngine) -> None:
    assert all(printed in plain(TEXT) for *_, printed in COUNTS)
    found = rows(run(poznan, "count-figures", teryt="3064011", year="2023"))
    assert {(r["value"], r["unit"], r["hedge"], plain(r["asPrinted"])) for r in found} == COUNTS
    trainings = rows(run(poznan, "count-figures", unit="training"))
    assert sorted(r["value"] for r in trainings) == ["4", "60"]


def test_query_figure_evidence(poznan: OxigraphEngine) -> None:
    found = rows(run(poznan, "figure-evidence", teryt="3064011", year="2023"))
    printed = {p for *_, p in COUNTS} | {"blisko 1,4 mld zł", "ponad 800 mln zł"}
    expected = {(phrase, *span_in(TEXT, phrase)) for phrase in printed}
    assert {(plain(r["asPrinted"]), int(r["start"]), int(r["end"])) for r in found} == expected
    for row in found:
        assert TEXT[int(row["start"]) : int(row["end"])] == row["exact"]
        assert row["text"] == REPORT + "/text"


def test_query_co_financers_by_kind(poznan: OxigraphEngine) -> None:
    # "Województwo Wielkopolskie, Miasto Poznań i Powiat Poznański, które współfinansują każdą z linii PKM"
    assert "Województwo Wielkopolskie, Miasto Poznań i Powiat Poznański, które współfinansują" in plain(TEXT)
    found = rows(run(poznan, "co-financers-by-kind", activity=BASE + "activity/3064011/2023/pkm"))
    assert {(r["kind"], r["teryt"], r["name"]) for r in found} == {
        ("voivodeship", "30", "Województwo Wielkopolskie"),
        ("city-with-county-rights", "3064011", "Miasto Poznań"),
        ("county", "3021", "Powiat Poznański"),
    }
    assert {r["title"] for r in found} == {"Poznańska Kolej Metropolitalna (PKM)"}


def test_query_organisations_without_wikidata(poznan: OxigraphEngine) -> None:
    found = rows(run(poznan, "organisations-without-wikidata"))
    # No organisation's Wikidata item has been verified: all 16 organisations of the text lack a link.
    assert len(found) == 16
    for row in found:
        assert any(row["name"] in name for name in LISTED_NAMES)


def test_query_report_diff(two_reports: OxigraphEngine) -> None:
    params = {"from_teryt": "3064011", "from_year": "2023", "to_teryt": "3099011", "to_year": "2023"}
    found = rows(run_query(QUERIES["report-diff"], two_reports, params))
    changes: dict[str, set[str]] = {}
    for row in found:
        changes.setdefault(row["change"], set()).add(row["name"])
    # The second text: "członkiem 2 organizacji: Związku Miast Polskich oraz Stowarzyszenia Metropolia Poznań".
    assert "Związku Miast Polskich oraz Stowarzyszenia Metropolia Poznań" in SECOND_TEXT
    assert changes["kept"] == {"Związek Miast Polskich", "Metropolia Poznań"}
    assert changes["removed"] == {name.removeprefix("PLOT – ") for name in LISTED_NAMES} - changes["kept"]
    assert "added" not in changes
    backwards = {"from_teryt": "3099011", "from_year": "2023", "to_teryt": "3064011", "to_year": "2023"}
    reverse = rows(run_query(QUERIES["report-diff"], two_reports, backwards))
    assert sorted(r["change"] for r in reverse) == ["added"] * 14 + ["kept"] * 2


def test_the_report_diff_example_finds_the_16_memberships_of_the_shipped_report(poznan: OxigraphEngine) -> None:
    """`civicgraph query --list` shows this example: on the shipped data it compares Poznań 2023 with itself."""
    (example,) = QUERIES["report-diff"].examples
    assert example == {"from_teryt": "3064011", "from_year": "2023", "to_teryt": "3064011", "to_year": "2023"}
    found = rows(run_query(QUERIES["report-diff"], poznan, example))
    assert {row["change"] for row in found} == {"kept"}
    assert {row["name"] for row in found} == {name.removeprefix("PLOT – ") for name in LISTED_NAMES}


def test_query_money_per_organisation(poznan: OxigraphEngine, two_reports: OxigraphEngine) -> None:
    (row,) = rows(run(poznan, "money-per-organisation"))
    # blisko 1,4 mld zł + ponad 800 mln zł: a sum of a "nearly" and a "more than" figure is approximate.
    assert row == {
        "organisation": "metropolia-poznan",
        "currency": "PLN",
        "total": str(Decimal(1_400_000_000) + 800_000_000),
        "figures": "2",
        "approximate": "true",
        "exact": "0",
        "nearly": "1",
        "moreThan": "1",
        "about": "0",
        "notNumeric": "0",
    }
    (both,) = rows(run(two_reports, "money-per-organisation"))
    # plus the second report's "blisko 2,5 mln zł" within its Metropolia Poznań membership
    assert (both["total"], both["figures"], both["nearly"], both["moreThan"]) == ("2202500000", "3", "2", "1")


def test_query_activities_of_type(poznan: OxigraphEngine) -> None:
    trainings = rows(run(poznan, "activities-of-type", type="training"))
    # "projektu szkoleniowo-doradczego [...] „Rozwój lokalny”" (ZMP), "4 szkolenia" and "60 szkoleń" (UMP)
    assert {(r["activity"].removeprefix(BASE + "activity/3064011/2023/"), r["organisation"]) for r in trainings} == {
        ("rozwoj-lokalny", "zmp"),
        ("e-delivery-trainings", "ump"),
        ("competence-workshop-trainings", "ump"),
    }
    conferences = rows(run(poznan, "activities-of-type", type="conference"))
    # "zorganizowano wiele konferencji" (ZMP) and "konferencja: „Mariupol – Reborn [...]”" (UMP)
    assert {r["organisation"] for r in conferences} == {"zmp", "ump"}
    assert {r["year"] for r in trainings + conferences} == {"2023"}


def test_query_evidence_for_fact(poznan: OxigraphEngine) -> None:
    figure = BASE + "activity/3064011/2023/zit-projects/figure/total-value"
    result = run(poznan, "evidence-for-fact", resource=figure)
    assert isinstance(result, Triples)
    graph = {(t.subject.value, t.predicate.value): t.object for t in result.triples}
    start, end = span_in(TEXT, "blisko 1,4 mld zł")
    evidence = f"{REPORT}/text/chars/{start}-{end}"
    assert graph[(figure, CG + "evidence")] == ox.NamedNode(evidence)
    assert graph[(evidence + "/position", OA + "start")].value == str(start)
    assert graph[(evidence + "/position", OA + "end")].value == str(end)
    assert graph[(evidence + "/quote", OA + "exact")].value == TEXT[start:end]
    assert TEXT[:start].endswith(graph[(evidence + "/quote", OA + "prefix")].value)
    assert TEXT[end:].startswith(graph[(evidence + "/quote", OA + "suffix")].value)
    sha256 = hashlib.sha256(SOURCE_TEXT.read_bytes()).hexdigest()
    assert graph[(REPORT + "/text", CG + "sha256")].value == sha256
    assert graph[(REPORT, "http://schema.org/url")].value.startswith("https://badam.poznan.pl/2023/")
    assert {t.subject.value for t in result.triples if t.predicate.value == CG + "evidence"} == {figure}


def test_query_not_recorded(poznan: OxigraphEngine) -> None:
    starts = rows(run(poznan, "not-recorded", field="start-date"))
    # The text dates none of the 16 memberships.
    assert {r["resource"] for r in starts if "/membership/3064011/" in r["resource"]} == {r["resource"] for r in starts}
    assert len(starts) == 16
    legal_forms = rows(run(poznan, "not-recorded", field="legal-form"))
    # Of the printed names, only these three do not say what kind of body it is (association, foundation, ...).
    assert {r["label"] for r in legal_forms} == {
        "Związek Miast Polskich",
        "Unia Metropolii Polskich",
        "Wielkopolski Ośrodek Kształcenia i Studiów Samorządowych",
    }


def test_query_is_member(poznan: OxigraphEngine) -> None:
    def ask(**params: str) -> bool:
        result = run(poznan, "is-member", **params)
        assert isinstance(result, Boolean)
        return result.value

    assert ask(teryt="3064011", organisation="zmp")  # "Związek Miast Polskich;" in the list
    assert not ask(teryt="30", organisation="zmp")  # the voivodeship is named only as a PKM co-financer
    assert not ask(teryt="3064011", organisation="no-such-organisation")
