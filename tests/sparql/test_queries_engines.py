"""The whole library gives the same answers on rdflib's engine and on Oxigraph (the default), and the known
traps between them are real and avoided.

Compared order-insensitively, numbers by value (``canonical``). Run on the graph of two reports (Poznań 2023 and
the second member-year fixture) so that parameters really select among several members and years.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from civicgraph.sparql.library import (
    OxigraphEngine,
    QueryExecutionError,
    RdflibEngine,
    Solutions,
    canonical,
    library,
    load_store,
    run_query,
)

from .test_queries import build_two_reports

QUERIES = library()
CASES = [
    pytest.param(name, params, id=f"{name}{'-' if params else ''}{'-'.join(params.values())}")
    for name, query in sorted(QUERIES.items())
    for params in ({}, *query.examples)
    if params or not query.required  # those need their parameters (test_query_guard.py)
]


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_two_reports(tmp_path_factory.mktemp("engines"))


@pytest.fixture(scope="module")
def engines(graph_file: Path) -> tuple[OxigraphEngine, RdflibEngine]:
    return OxigraphEngine.from_file(graph_file), RdflibEngine.from_file(graph_file)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_both_engines_give_the_same_answers(
    engines: tuple[OxigraphEngine, RdflibEngine], name: str, params: dict[str, str]
) -> None:
    oxigraph, rdflib = engines
    expected = canonical(run_query(QUERIES[name], rdflib, params))
    assert canonical(run_query(QUERIES[name], oxigraph, params)) == expected
    assert expected not in ([], False) or name in ("is-member",), "compare on a non-empty answer"


SUM_PER_CURRENCY = """
PREFIX schema: <http://schema.org/>
SELECT ?currency (SUM(?value) AS ?total) WHERE { ?figure schema:value ?value ; schema:currency ?currency }
GROUP BY ?currency
"""
BAD_FIGURE = ("https://example.org/bad-figure", "http://schema.org/value", "n/a")
CURRENCY = "http://schema.org/currency"


@pytest.fixture
def graphs_with_a_non_numeric_value(graph_file: Path) -> tuple[OxigraphEngine, RdflibEngine]:
    subject, predicate, value = BAD_FIGURE
    store = load_store(graph_file)
    store.add(ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), ox.Literal(value)))
    store.add(ox.Quad(ox.NamedNode(subject), ox.NamedNode(CURRENCY), ox.Literal("PLN")))
    rdflib = RdflibEngine.from_file(graph_file)
    rdflib.graph.add((URIRef(subject), URIRef(predicate), Literal(value)))
    rdflib.graph.add((URIRef(subject), URIRef(CURRENCY), Literal("PLN")))
    return OxigraphEngine(store), rdflib


def test_the_sum_trap_is_real(graphs_with_a_non_numeric_value: tuple[OxigraphEngine, RdflibEngine]) -> None:
    """SPARQL 1.1 §18.5: an error in SUM leaves that group's sum unbound; rdflib aborts the whole query."""
    oxigraph, rdflib = graphs_with_a_non_numeric_value
    result = oxigraph.run(SUM_PER_CURRENCY)
    assert isinstance(result, Solutions)
    assert [(row["currency"].value, "total" in row) for row in result.rows] == [("PLN", False)]
    with pytest.raises(QueryExecutionError, match="numeric"):
        rdflib.run(SUM_PER_CURRENCY)


def test_the_library_sum_avoids_the_trap(graphs_with_a_non_numeric_value: tuple[OxigraphEngine, RdflibEngine]) -> None:
    oxigraph, rdflib = graphs_with_a_non_numeric_value
    query = QUERIES["money-per-organisation"]
    assert canonical(run_query(query, oxigraph)) == canonical(run_query(query, rdflib))


SUBQUERY = """
PREFIX cg: <https://w3id.org/civicgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?teryt ?organisation WHERE {
  { SELECT ?organisation WHERE { ?m cg:teryt ?teryt . ?ms org:member ?m ; org:organization ?organisation } }
}
"""


def test_the_binding_trap_is_real(engines: tuple[OxigraphEngine, RdflibEngine]) -> None:
    """rdflib pushes a binding into a sub-query; Oxigraph (SEP-0007) binds only the outer, projected variable.

    The library's rule (parameters are projected and bound in the top-level pattern) keeps queries clear of it.
    """
    oxigraph, rdflib = engines
    voivodeship = {"teryt": ox.Literal("30")}  # a member of no organisation
    assert canonical(rdflib.run(SUBQUERY, voivodeship))[1] == []
    assert len(canonical(oxigraph.run(SUBQUERY, voivodeship))[1]) == 16 + 2
