"""Parameters bound as a VALUES block that opens the WHERE group (what lets Oxigraph plan from the bound value)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from civicgraph.sparql.library import OxigraphEngine, Solutions, where_group_start, with_leading_values

CG = "https://w3id.org/civicgraph/ontology#"


@pytest.mark.parametrize(
    ("query", "opening"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {"),
        ("select ?s { ?s ?p ?o }", "select ?s {"),
        ("ASK { ?s ?p ?o }", "ASK {"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "DESCRIBE ?s WHERE {"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
        ("CONSTRUCT { ?s ?p ?o } FROM <http://e/g> { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } FROM <http://e/g> {"),
        # Braces and keywords inside comments, strings, IRIs, prefixed names and expressions are not the group.
        ("# SELECT { a comment\nSELECT ?s WHERE { ?s ?p '{' }", "# SELECT { a comment\nSELECT ?s WHERE {"),
        ('PREFIX ex: <http://e/>\nSELECT ?where { ?s ex:select "}" }', "PREFIX ex: <http://e/>\nSELECT ?where {"),
        (
            "SELECT (EXISTS { ?s ?p ?o } AS ?any) (?a<?b AS ?less) WHERE { ?s ?p ?o }",
            "SELECT (EXISTS { ?s ?p ?o } AS ?any) (?a<?b AS ?less) WHERE {",
        ),
        ('SELECT * WHERE { ?s ?p """{\n"""}', "SELECT * WHERE {"),
    ],
)
def test_where_group_start_finds_the_brace_of_the_top_level_pattern(query: str, opening: str) -> None:
    assert where_group_start(query) == len(opening)


@pytest.mark.parametrize("query", ["CONSTRUCT WHERE { ?s ?p ?o }", "INSERT DATA { <http://e/s> <http://e/p> 1 }", ""])
def test_no_group_to_open_gives_none(query: str) -> None:
    assert where_group_start(query) is None


def test_values_block_is_written_by_the_term_serializer() -> None:
    hostile = ox.Literal('x" } ; DROP ALL ; #')
    bound = with_leading_values("SELECT ?name WHERE { ?s ?p ?name }", {"name": hostile})
    assert bound == 'SELECT ?name WHERE {\nVALUES (?name) { ("x\\" } ; DROP ALL ; #") }\n ?s ?p ?name }'


def _store() -> OxigraphEngine:
    store = ox.Store()
    for name, teryt in (("a", "1"), ("b", "2")):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{name}"), ox.NamedNode(f"{CG}teryt"), ox.Literal(teryt)))
    return OxigraphEngine(store)


def test_bound_parameter_restricts_the_answer() -> None:
    query = f"SELECT ?member ?teryt WHERE {{ ?member <{CG}teryt> ?teryt }} ORDER BY ?member"
    result = _store().run(query, {"teryt": ox.Literal("2")})
    assert isinstance(result, Solutions)
    assert result.rows == ({"member": ox.NamedNode("http://e/b"), "teryt": ox.Literal("2")},)


def test_construct_where_short_form_falls_back_to_substitution() -> None:
    result = _store().run(f"CONSTRUCT WHERE {{ ?member <{CG}teryt> ?teryt }}", {"teryt": ox.Literal("1")})
    assert {str(t.subject) for t in result.triples} == {"<http://e/a>"}  # type: ignore[union-attr]
