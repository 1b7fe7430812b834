"""Queries refused before any parser sees them: nested too deeply, or too long.

The deep cases crash pyoxigraph's parser with SIGSEGV (exit 139 of ``civicgraph query -e``) when they reach it, so
the command runs here as a real process: a crash would show as a negative return code, not as an exception.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civicgraph.sparql.guard import MAX_DEPTH, QueryTooComplex, check_query_shape

# 5,000 nested groups (10 KB): the query of the report that crashed a worker and `query -e`.
BRACES = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
PARENTHESES = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
NEGATIONS = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 10000 + "true) }"
BLANK_NODES = "SELECT * WHERE { ?s ?p " + "[ <http://example.org/p> " * 1000 + "1" + " ]" * 1000 + " }"


def run_query(graph: Path, query: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "civicgraph", "query", "--data", str(graph), "-e", query]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("guard") / "graph.nt"
    path.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("query", "column", "what"),
    [
        (BRACES, 15 + MAX_DEPTH + 1, "brackets open at once"),
        (PARENTHESES, 33 + MAX_DEPTH - 1, "brackets open at once"),
        (NEGATIONS, 33 + MAX_DEPTH + 1, "unary operators in a row"),
        (BLANK_NODES, 24 + 25 * (MAX_DEPTH - 1), "brackets open at once"),  # each level is "[ <http://example.org/p> "
    ],
    ids=["braces", "parentheses", "negations", "blank-nodes"],
)
def test_query_e_refuses_deep_nesting_with_a_message_and_exit_2(
    graph: Path, query: str, column: int, what: str
) -> None:
    result = run_query(graph, query)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: -e:1:{column}: the query nests too deeply (more than {MAX_DEPTH} {what}); refused before parsing\n"
    )


def test_a_query_at_the_limit_runs(graph: Path) -> None:
    depth = MAX_DEPTH - 1  # the WHERE group itself is the first level
    query = "SELECT (COUNT(*) AS ?n) WHERE " + "{" * (depth + 1) + " ?s ?p ?o " + "}" * (depth + 1)
    result = run_query(graph, query)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].strip() == "1"  # header, rule, the one triple counted


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "' + "(" * 200 + '" }',  # brackets in a string are text
        "SELECT * WHERE { ?s ?p ?o } # " + "{" * 200,  # and in a comment
        "SELECT * WHERE { ?s ?p <http://example.org/" + "(" * 200 + "> }",  # and in an IRI
        "SELECT * WHERE { ?s ?p ?o FILTER(" + " && ".join(["(?o != 1)"] * 200) + ") }",  # long, not deep
    ],
    ids=["string", "comment", "iri", "long-not-deep"],
)
def test_brackets_that_are_text_or_closed_do_not_count(query: str) -> None:
    check_query_shape(query)


def test_a_query_over_the_size_limit_is_refused() -> None:
    with pytest.raises(QueryTooComplex) as refused:
        check_query_shape("SELECT * WHERE { ?s ?p ?o } #" + "x" * 100, "query.rq", max_bytes=100)
    assert str(refused.value) == "query.rq: the query is 129 bytes, more than the 100 allowed"


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("evidence-for-fact", "--param resource=…"),
        ("report-diff", "--param from_teryt=… --param from_year=… --param to_teryt=… --param to_year=…"),
    ],
)
def test_library_queries_that_would_read_the_whole_graph_need_their_parameters(
    graph: Path, name: str, needs: str
) -> None:
    """Without parameters these two took 387 s (evidence-for-fact) and over 10 minutes (report-diff) on the
    national graph; they are refused at once instead."""
    command = [sys.executable, "-m", "civicgraph", "query", name, "--data", str(graph)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: query {name} needs {needs}: without it, it would read every fact of the graph (minutes on a "
        "national one)\n"
    )
