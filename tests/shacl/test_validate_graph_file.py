"""``validate --graph``: a graph file read by Oxigraph gives the results the build gives for the same graph, and
those rdflib's reading of the file gave."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Graph
from rdflib.namespace import SH

from civicgraph.graph.build import build_graph
from civicgraph.graph.rdfio import read_triples, to_oxigraph, write_ntriples, write_turtle
from civicgraph.publish.orchestrator import publish
from civicgraph.shacl.report import report_as_json
from civicgraph.shacl.validate import validate_graph, validate_triples
from civicgraph.source.reader import read_dataset
from civicgraph.source.synthetic import generate, write_dataset

from ..conftest import ROOT
from ..shapes.test_shapes import FIXTURES
from .test_shacl_fast import INJECTIONS
from .test_validate_cli import _drop_english_name_of_the_voivodeship

SHAPES = "https://w3id.org/civicgraph/shapes#"


def validate_file(graph_file: Path) -> tuple[int, dict[str, Any]]:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "civicgraph",
            "validate",
            "--graph",
            str(graph_file),
            "--format",
            "json",
            "--lang",
            "en",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stderr == ""
    return run.returncode, json.loads(run.stdout)


def without_sources(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "results": [{**result, "source": None} for result in report["results"]]}


def test_each_file_of_a_release_gives_the_builds_results_without_the_source_lines(
    data_copy: Path, tmp_path: Path
) -> None:
    line = _drop_english_name_of_the_voivodeship(data_copy)
    dataset = read_dataset(data_copy)
    built = build_graph(dataset)
    by_build = report_as_json(validate_graph(built), "en")
    # The build knows where each resource comes from; a graph file does not.
    assert [(r["sourceShape"], r["source"]) for r in by_build["results"]] == [
        (SHAPES + "LocalGovernmentShape-prefLabelEn", f"{data_copy / 'members.yaml'}:{line}")
    ]
    release = publish(dataset, built, tmp_path / "dist").folder
    for name in ("graph.nt", "graph.ttl", "graph.jsonld"):
        assert validate_file(release / name) == (0, without_sources(by_build)), name


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, set[tuple[str, str, str]]]:
    """A synthetic graph (12 members, two years) with every violation of tests/shacl/test_shacl_fast.py injected,
    and the results the injections must give: (focus, shape, constraint component)."""
    folder = tmp_path_factory.mktemp("synth") / "data"
    write_dataset(generate(members=12, years=(2022, 2023), seed=7), folder)
    graph = build_graph(read_dataset(folder)).graph
    return graph, set().union(*(inject(graph) for inject in INJECTIONS))


@pytest.mark.parametrize("writer", ["nt", "ttl", "jsonld"])
def test_a_file_with_every_injected_violation_gives_the_results_of_the_graph_itself(
    injected: tuple[Graph, set[tuple[str, str, str]]], tmp_path: Path, writer: str
) -> None:
    graph, expected = injected
    in_memory = validate_graph(graph).results
    found = {(r.focus, r.shape.removeprefix(SHAPES), r.constraint.removeprefix(str(SH))) for r in in_memory}
    assert expected <= found, sorted(expected - found)
    # one injection adds a blank node: written with its label, which Oxigraph keeps, as results show it
    triples = sorted(
        (ox.Triple(*(to_oxigraph(term, allow_blank=True) for term in triple)) for triple in graph), key=str
    )
    path = tmp_path / f"graph.{writer}"
    if writer == "nt":
        write_ntriples(triples, path)
    elif writer == "ttl":
        write_turtle(triples, path)
    else:  # civicgraph's JSON-LD writer refuses blank nodes: Oxigraph's writes them
        path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"")
    assert validate_triples(read_triples(path)).results == in_memory


def read_as_rdflib_did(path: Path) -> Graph:
    """How ``validate --graph`` read a Turtle file before: rdflib's parser, lexical forms kept."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(path, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


@pytest.mark.parametrize("fixture", sorted(path.name for path in FIXTURES.glob("*.ttl")))
def test_every_shape_fixture_read_by_oxigraph_gives_the_results_it_gave_read_by_rdflib(fixture: str) -> None:
    path = FIXTURES / fixture
    before = validate_graph(read_as_rdflib_did(path)).results
    assert validate_triples(read_triples(path)).results == before


def test_pyshacl_reads_the_same_triples_from_a_file() -> None:
    path = FIXTURES / "FigureShape-invalid-kind.ttl"
    fast = validate_triples(read_triples(path)).results
    assert fast, "the fixture breaks a shape"
    assert validate_triples(read_triples(path), engine="pyshacl").results == fast


NODE = "https://w3id.org/civicgraph/id/member/9999999"
LOCAL_GOVERNMENT = "<https://w3id.org/civicgraph/ontology#LocalGovernment>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def test_of_an_nquads_file_the_default_graph_is_validated(tmp_path: Path) -> None:
    """As rdflib read it into a graph: named graphs are not part of it."""
    path = tmp_path / "graph.nq"
    path.write_text(
        f"<{NODE}> {RDF_TYPE} {LOCAL_GOVERNMENT} .\n"
        f"<{NODE}-other> {RDF_TYPE} {LOCAL_GOVERNMENT} <https://example.org/named> .\n",
        encoding="utf-8",
    )
    results = validate_triples(read_triples(path)).results
    assert {r.focus for r in results} == {NODE}


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "graph.nt"
    path.write_text(f"<{NODE}> {RDF_TYPE} {LOCAL_GOVERNMENT} .\n<{NODE}> {RDF_TYPE} <not an iri> .\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "civicgraph", "validate", "--lang", "en", "--graph", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 3
    assert run.stderr.startswith(f"Error: {path}: not valid nt: Parser error at line 2 ")
    assert len(run.stderr.splitlines()) == 1
