"""``civicgraph query``: the command wraps the library, with its formats, parameters and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from civicgraph.cli.main import main
from civicgraph.sparql.library import library

from ..conftest import BASE, SOURCE_TEXT

TEXT = " ".join(SOURCE_TEXT.read_text(encoding="utf-8").split())


def civicgraph(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


@pytest.fixture(scope="module")
def graph(dist: Path) -> str:
    """The edition of Poznań 2023: what the shipped report states, whatever other reports the data holds."""
    return str(dist / "editions" / "3064011-2023.nt")


def test_list_shows_every_query_with_its_questions() -> None:
    result = civicgraph("query", "--list")
    assert result.exit_code == 0
    for query in library().values():
        assert f"{query.name}  [" in result.output
        assert f"pl: {query.question_pl}" in result.output
        assert f"en: {query.question_en}" in result.output
    assert "civicgraph query organisations-of-member --param teryt=3064011" in result.output


def test_list_as_json_names_parameters_and_examples() -> None:
    listing = json.loads(civicgraph("query", "--list", "--format", "json").output)
    by_name = {entry["name"]: entry for entry in listing}
    assert set(by_name) == set(library())
    assert by_name["activities-in-year"]["parameters"][0] == {
        "name": "year",
        "type": "gYear",
        "description": "rok raportu, np. 2023 / the report year, e.g. 2023",
    }


def test_table_is_the_default_for_select(graph: str) -> None:
    result = civicgraph("query", "money-figures", "--data", graph, "--param", "teryt=3064011")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["teryt", "year", "figure", "label", "value", "currency", "hedge", "asPrinted"]
    assert lines[-1] == "(2 rows)"
    assert "hedge" in lines[0] and any("1400000000" in line and "nearly" in line for line in lines)


def test_csv_has_the_values_of_the_text(graph: str) -> None:  # no standard CSV results parser: CSV is lossy
    result = civicgraph("query", "money-figures", "--data", graph, "-f", "csv")
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert {(row["value"], row["hedge"]) for row in table} == {("1400000000", "nearly"), ("800000000", "more-than")}
    assert all(" ".join(row["asPrinted"].split()) in TEXT for row in table)


@pytest.mark.parametrize(
    ("output_format", "results_format"),
    [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_result_formats_parse_back_with_a_standard_parser(
    graph: str, output_format: str, results_format: ox.QueryResultsFormat
) -> None:
    result = CliRunner().invoke(main, ["query", "co-financers-by-kind", "--data", graph, "-f", output_format])
    assert result.exit_code == 0
    solutions = ox.parse_query_results(result.stdout_bytes, format=results_format)
    assert isinstance(solutions, ox.QuerySolutions)
    # "Województwo Wielkopolskie, Miasto Poznań i Powiat Poznański, które współfinansują każdą z linii PKM"
    assert sorted(solution["teryt"].value for solution in solutions) == ["30", "3021", "3064011"]


def test_ask_gives_a_boolean(graph: str) -> None:
    result = civicgraph(
        "query", "is-member", "--data", graph, "-p", "teryt=3064011", "-p", "organisation=ump", "-f", "json"
    )
    assert json.loads(result.output) == {"head": {}, "boolean": True}


def test_construct_gives_turtle_by_default(graph: str) -> None:
    figure = BASE + "activity/3064011/2023/zit-projects/figure/eu-grants"
    result = civicgraph("query", "evidence-for-fact", "--data", graph, "-p", f"resource={figure}")
    assert result.exit_code == 0
    triples = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE))
    exact = [t.object.value for t in triples if t.predicate.value == "http://www.w3.org/ns/oa#exact"]
    assert [" ".join(value.split()) for value in exact] == ["ponad 800 mln zł"]


@pytest.mark.parametrize(
    ("output_format", "rdf"), [("jsonld", ox.RdfFormat.JSON_LD), ("ntriples", ox.RdfFormat.N_TRIPLES)]
)
def test_construct_in_other_rdf_formats_gives_the_same_graph(graph: str, output_format: str, rdf: ox.RdfFormat) -> None:
    figure = BASE + "activity/3064011/2023/zit-projects/figure/eu-grants"
    args = ["query", "evidence-for-fact", "--data", graph, "-p", f"resource={figure}"]
    turtle = {q.triple for q in ox.parse(civicgraph(*args).stdout_bytes, format=ox.RdfFormat.TURTLE)}
    other = {q.triple for q in ox.parse(civicgraph(*args, "-f", output_format).stdout_bytes, format=rdf)}
    assert other == turtle and len(turtle) == 15  # link 1, evidence 4, quote 4, position 3, text 2, report 1


def test_inline_query_and_file_and_stdin(graph: str, tmp_path: Path) -> None:
    text = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a <https://w3id.org/civicgraph/ontology#LocalGovernment> }"
    inline = civicgraph("query", "-e", text, "--data", graph, "-f", "csv")
    query_file = tmp_path / "members.rq"
    query_file.write_text(text, encoding="utf-8")
    from_file = civicgraph("query", str(query_file), "--data", graph, "-f", "csv")
    from_stdin = civicgraph("query", "-", "--data", graph, "-f", "csv", stdin=text)
    # Poznań and the two co-financers of PKM named in the text: the voivodeship and the county.
    assert inline.stdout_bytes == from_file.stdout_bytes == from_stdin.stdout_bytes == b"n\r\n3\r\n"


def test_ad_hoc_parameters_bind_strings_and_iris(graph: str) -> None:
    text = "SELECT ?member ?teryt WHERE { ?member <https://w3id.org/civicgraph/ontology#teryt> ?teryt }"
    by_code = civicgraph("query", "-e", text, "--data", graph, "-p", "teryt=3021", "-f", "csv")
    assert by_code.output.splitlines()[1] == f"{BASE}member/3021,3021"
    by_iri = civicgraph("query", "-e", text, "--data", graph, "-p", f"member=<{BASE}member/30>", "-f", "csv")
    assert by_iri.output.splitlines()[1:] == [f"{BASE}member/30,30"]


def test_rdflib_engine_gives_the_same_output(graph: str) -> None:
    args = ["query", "activities-of-type", "--data", graph, "-p", "type=training", "-f", "csv"]
    oxigraph = civicgraph(*args)
    rdflib = civicgraph(*args, "--engine", "rdflib")
    assert sorted(oxigraph.output.splitlines()) == sorted(rdflib.output.splitlines())
    assert len(oxigraph.output.splitlines()) == 1 + 3


def test_a_syntax_error_names_line_and_column_and_exits_2(graph: str) -> None:
    # The faulty construct starts on line 3, column 3: "FILTER(" without an expression.
    result = civicgraph("query", "-e", "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER( }", "--data", graph)
    assert result.exit_code == 2
    assert result.output.startswith("Error: -e:3:3: SPARQL syntax error: near 'FILTER( }'")
    assert "Traceback" not in result.output


def test_a_syntax_error_in_a_file_names_the_file(graph: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rq"
    # Line 2, column 19: a triple pattern with no object.
    broken.write_text("# pl: Zepsute?\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    result = civicgraph("query", str(broken), "--data", graph)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {broken}:2:19: SPARQL syntax error")


def test_an_update_is_refused_as_such(graph: str) -> None:
    result = civicgraph("query", "-e", "DELETE WHERE { ?s ?p ?o }", "--data", graph)
    assert result.exit_code == 2
    assert "this is a SPARQL Update; civicgraph is read-only" in result.output


def test_missing_default_graph_says_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = civicgraph("query", "money-figures")
    assert result.exit_code == 3
    assert "dist/graph.nt: no such file; run `civicgraph build` first" in result.output


def test_unreadable_graph_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "graph.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    result = civicgraph("query", "money-figures", "--data", str(bad))
    assert result.exit_code == 3
    assert "cannot read the graph" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["money-figures", "-p", "colour=red"], "query money-figures has no parameter 'colour'; it takes: teryt, year"),
        (["money-figures", "-p", "year=last"], "parameter year: 'last' is not an xsd:gYear"),
        (["money-figures", "-p", "year"], "--param 'year': write it as NAME=VALUE"),
        (["co-financers-by-kind", "-p", "activity=pkm"], "parameter activity: 'pkm' is not an absolute IRI"),
        (["money-figures", "-f", "turtle"], "--format turtle does not fit this query's result"),
        (
            ["evidence-for-fact", "-p", "resource=https://w3id.org/civicgraph/id/member/3064011", "-f", "csv"],
            "--format csv does not fit a graph result",
        ),
        (["no-such-query"], "no query named 'no-such-query' in the library"),
        ([], "give a query"),
    ],
)
def test_usage_errors_exit_2(graph: str, args: list[str], message: str) -> None:
    result = civicgraph("query", *args, "--data", graph)
    assert result.exit_code == 2
    assert message in result.output


def test_debug_shows_the_traceback(graph: str) -> None:
    result = civicgraph("--debug", "query", "-e", "SELECT", "--data", graph)
    assert result.exception is not None and type(result.exception).__name__ == "QuerySyntaxError"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (("year=2023", "year=2024"), "--param year is given twice (year=2023 and year=2024); give it once"),
        (
            ("year=2023", "teryt=3064011", "year=2023"),
            "--param year is given twice (year=2023 and year=2023); give it once",
        ),
    ],
    ids=["two values", "the same value"],
)
def test_a_parameter_given_twice_is_refused_rather_than_the_last_value_winning(
    tmp_path: Path, params: tuple[str, ...], message: str
) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    options = [part for param in params for part in ("--param", param)]
    result = CliRunner().invoke(main, ["query", "money-figures", *options, "--data", str(graph)])
    assert result.exit_code == 2
    assert (result.stdout, result.stderr) == ("", f"Error: {message}\n")


@pytest.mark.parametrize(
    "args",
    [
        ["evidence-for-fact", "-p", f"resource={BASE}activity/3064011/2023/zit-projects/figure/eu-grants"],
        ["-e", f"DESCRIBE <{BASE}member/3064011>"],
    ],
    ids=["construct", "describe"],
)
def test_a_table_of_a_graph_result_is_one_line_and_exit_2(graph: str, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["query", *args, "--data", graph, "--format", "table"])
    assert result.exit_code == 2
    assert (result.stdout, result.stderr) == (
        "",
        "Error: --format table does not fit a graph result; use one of: turtle, jsonld, ntriples\n",
    )


# A carriage return, control characters XML 1.0 allows (tab, U+007F, U+0085) and a quote, in SPARQL escapes.
AWKWARD = r'SELECT ?y WHERE { BIND("c\r\nd\te\u007Ff\u0085\"" AS ?y) }'
AWKWARD_VALUE = 'c\r\nd\te\x7ff\x85"'


@pytest.mark.parametrize(
    ("output_format", "results_format"),
    [
        ("xml", ox.QueryResultsFormat.XML),
        ("json", ox.QueryResultsFormat.JSON),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_a_carriage_return_and_control_characters_round_trip(
    graph: str, output_format: str, results_format: ox.QueryResultsFormat
) -> None:
    result = CliRunner().invoke(main, ["query", "-e", AWKWARD, "--data", graph, "-f", output_format])
    assert result.exit_code == 0, result.output
    solutions = ox.parse_query_results(result.stdout_bytes, format=results_format)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [solution["y"] for solution in solutions] == [ox.Literal(AWKWARD_VALUE)]


def test_xml_results_read_back_by_a_standard_xml_parser_keep_the_carriage_return(graph: str) -> None:
    from xml.etree import ElementTree

    result = CliRunner().invoke(main, ["query", "-e", AWKWARD, "--data", graph, "-f", "xml"])
    literal = ElementTree.fromstring(result.stdout_bytes).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal is not None and literal.text == AWKWARD_VALUE


def test_json_and_csv_results_escape_control_characters(graph: str) -> None:
    query = r'SELECT ?x ?y WHERE { BIND("a\u0001b" AS ?x) BIND("c\r\nd" AS ?y) }'
    as_json = CliRunner().invoke(main, ["query", "-e", query, "--data", graph, "-f", "json"]).stdout_bytes
    assert b"\r" not in as_json and b"\x01" not in as_json  # JSON (RFC 8259 §7) forbids them raw in strings
    assert json.loads(as_json)["results"]["bindings"] == [
        {"x": {"type": "literal", "value": "a\x01b"}, "y": {"type": "literal", "value": "c\r\nd"}}
    ]
    as_csv = CliRunner().invoke(main, ["query", "-e", query, "--data", graph, "-f", "csv"]).stdout_bytes
    assert list(csv.reader(io.StringIO(as_csv.decode("utf-8"), newline=""))) == [["x", "y"], ["a\x01b", "c\r\nd"]]


@pytest.mark.parametrize("character", ["\\u0001", "\\u001F", "\\uFFFE"])
def test_a_value_xml_cannot_carry_is_one_line_and_exit_2(graph: str, character: str) -> None:
    query = f'SELECT ?x ?y WHERE {{ BIND("fine" AS ?x) BIND("a{character}b" AS ?y) }}'
    result = CliRunner().invoke(main, ["query", "-e", query, "--data", graph, "-f", "xml"])
    assert result.exit_code == 2
    assert (result.stdout, result.stderr) == (
        "",
        f"Error: ?y holds the character U+{character[2:]}, which XML 1.0 cannot carry; ask for the results as "
        "JSON, CSV or TSV instead\n",
    )
