"""Stage 3 — validate: graph + SHACL shapes → a typed report, each result traced to the source line it concerns.

Two engines run the shapes in ``shapes/`` (SHACL Core only, so any conforming engine gives the same verdict):
``fast`` (the default, ``civicgraph.shacl.engine``: linear in the graph, a million triples in seconds) and ``pyshacl``
(the reference implementation, minutes at that size). Both give the same results, field for field; the tests
compare them on every shape fixture and on synthetic graphs with injected violations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Literal as Choice

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from civicgraph.graph.build import BuiltGraph
from civicgraph.graph.terms import Lit, PlainTriple, plain_triples
from civicgraph.shacl import engine, scoped
from civicgraph.shacl.compiler import compile_shapes
from civicgraph.shacl.paths import add_path, path_text
from civicgraph.shacl.reference import rdflib_graph, validate_with_pyshacl
from civicgraph.shacl.report import Severity, ValidationReport, ValidationResult, messages_by_language
from civicgraph.shacl.shapes import CompiledShapes, Finding
from civicgraph.shacl.terms import show, term_from_rdflib, term_to_rdflib
from civicgraph.source.records import Location
from civicgraph.util.resources import shapes_files

Engine = Choice["fast", "pyshacl"]
ENGINES: tuple[Engine, ...] = ("fast", "pyshacl")


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def _compiled_default_shapes() -> CompiledShapes:
    return compile_shapes(shapes_graph())


def validate_graph(
    data: BuiltGraph | Graph | Sequence[ox.Triple],
    sources: dict[URIRef, Location] | None = None,
    shapes: Graph | None = None,
    *,
    engine: Engine = "fast",
    since: Path | None = None,
) -> ValidationReport:
    """Validate ``data`` (a built graph, an rdflib graph or Oxigraph triples) against civicgraph's shapes (or
    ``shapes``); the results of a built graph name the source lines of its resources unless ``sources`` is given.

    A built graph with its subjects' digests, validated by the fast engine against civicgraph's shapes, is validated
    again only where it changed since the release in the folder ``since``, when what that release's build kept of
    its validation fits (:mod:`civicgraph.shacl.scoped`; the results are the same); its report keeps what the next
    build into the same folder takes (:attr:`ValidationReport.kept`)."""
    if isinstance(data, BuiltGraph) and sources is None:
        sources = data.sources
    if engine == "fast" and isinstance(data, BuiltGraph) and data.digests is not None and shapes is None:
        compiled = _compiled_default_shapes()
        earlier = scoped.earlier_validation(since, compiled) if since is not None else None
        found, kept = scoped.validated(data.plain, data.digests, compiled, earlier)
        return _report(found, sources or {}, kept)
    if engine == "fast":
        return _validate_fast(_plain_triples(data), sources or {}, shapes)
    if engine == "pyshacl":
        graph = data.graph if isinstance(data, BuiltGraph) else data if isinstance(data, Graph) else rdflib_graph(data)
        return validate_with_pyshacl(graph, sources or {}, shapes if shapes is not None else shapes_graph())
    raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")


def validate_triples(triples: Sequence[PlainTriple], *, engine: Engine = "fast") -> ValidationReport:
    """Validate plain triples — a graph file as :func:`civicgraph.graph.rdfio.read_triples` reads it — against
    civicgraph's shapes; nothing is known of source lines here."""
    if engine == "fast":
        return _validate_fast(triples, {}, None)
    if engine == "pyshacl":
        graph = Graph()
        for subject, predicate, obj in triples:
            graph.add((term_to_rdflib(subject), term_to_rdflib(predicate), term_to_rdflib(obj)))
        return validate_with_pyshacl(graph, {}, shapes_graph())
    raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")


def _plain_triples(data: BuiltGraph | Graph | Sequence[ox.Triple]) -> Iterable[PlainTriple]:
    if isinstance(data, BuiltGraph):
        return data.plain  # made by the build: nothing to read out of Oxigraph's terms
    if isinstance(data, Graph):
        term = term_from_rdflib
        return ((term(s), term(p), term(o)) for s, p, o in data)  # type: ignore[misc]  # subjects are never literals
    return plain_triples(data)


# --------------------------------------------------------------------------------------------------------------
# The fast engine (civicgraph.shacl.engine)
# --------------------------------------------------------------------------------------------------------------


def _validate_fast(
    triples: Iterable[PlainTriple], sources: dict[URIRef, Location], shapes: Graph | None
) -> ValidationReport:
    compiled = _compiled_default_shapes() if shapes is None else compile_shapes(shapes)
    return _report(engine.validate(triples, compiled), sources)


def _report(found: list[Finding], sources: dict[URIRef, Location], kept: bytes | None = None) -> ValidationReport:
    findings = sorted(found, key=_finding_order)
    results = sorted(_result(finding, sources) for finding in findings)
    return ValidationReport(results, lambda: _report_graph(findings), kept)


def _result(finding: Finding, sources: dict[URIRef, Location]) -> ValidationResult:
    shape, focus = finding.shape, finding.focus
    messages = messages_by_language(shape.messages)
    source = sources.get(URIRef(focus)) if type(focus) is str else None
    return ValidationResult(
        focus=focus.lexical if type(focus) is Lit else str(focus),
        path=path_text(shape.path) if shape.path is not None else None,
        shape=shape.name,
        severity=Severity(str(shape.severity).rsplit("#", 1)[-1]),
        constraint=str(finding.component),
        value=show(finding.value) if finding.value is not None else None,
        message_pl=messages["pl"],
        message_en=messages["en"],
        source=str(source) if source is not None else None,
    )


def _finding_order(finding: Finding) -> tuple[str, ...]:
    value = "" if finding.value is None else show(finding.value)
    return (show(finding.focus), finding.shape.name, str(finding.component), value)


def _report_graph(findings: list[Finding]) -> Graph:
    """A SHACL validation report (sh:ValidationReport) of the fast engine's results, as pyshacl would write it."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode("report")
    graph.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(finding.shape.severity == SH.Violation for finding in findings)
    graph.add((report, SH.conforms, Literal(conforms)))
    for number, finding in enumerate(findings):
        result = BNode(f"result{number}")  # labels in the order of the sorted results: the same graph every run
        graph.add((report, SH.result, result))
        shape = finding.shape
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, term_to_rdflib(finding.focus)))
        if shape.path is not None:
            graph.add((result, SH.resultPath, add_path(graph, shape.path, f"result{number}-path")))
        if finding.value is not None:
            graph.add((result, SH.value, term_to_rdflib(finding.value)))
        graph.add((result, SH.sourceShape, shape.node))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        graph.add((result, SH.resultSeverity, shape.severity))
        for message in shape.messages:
            graph.add((result, SH.resultMessage, message))
    return graph
