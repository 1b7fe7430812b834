"""Stage 3 — validate: graph + SHACL shapes → a typed report, each result traced to the source line it concerns.

Two engines run the shapes in ``shapes/`` (SHACL Core only, so any conforming engine gives the same verdict):
``fast`` (the default, ``civicgraph.shacl``: linear in the graph, a million triples in seconds) and ``pyshacl``
(the reference implementation, minutes at that size). Both give the same results, field for field; the tests
compare them on every shape fixture and on synthetic graphs with injected violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, cached_property
from typing import Literal as Choice

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from . import shacl
from .build import BuiltGraph
from .records import Location
from .resources import shapes_files
from .terms import Lit, PlainTriple, plain_triples, term_from_oxigraph

Engine = Choice["fast", "pyshacl"]
ENGINES: tuple[Engine, ...] = ("fast", "pyshacl")


class Severity(Enum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the messages in Polish and English and where the resource came from.

    Results sort by focus node, then path, shape and the other fields in order; a missing path, value or source
    sorts first (a plain ``order=True`` would fail comparing None with a string).
    """

    focus: str
    path: str | None  # a single predicate as its IRI, any other path in SPARQL syntax (^<p>, <p>/<q>, <p>|<q>)
    shape: str
    severity: Severity
    constraint: str
    value: str | None
    message_pl: str
    message_en: str
    source: str | None = None  # "file:line" of the record the focus node was built from

    def message(self, lang: str) -> str:
        return self.message_pl if lang == "pl" else self.message_en

    def _sort_key(self) -> tuple[tuple[bool, str], ...]:
        fields = (self.focus, self.path, self.shape, self.severity.value, self.constraint, self.value)
        return tuple(
            (text is not None, text or "") for text in (*fields, self.message_pl, self.message_en, self.source)
        )

    def __lt__(self, other: ValidationResult) -> bool:
        return self._sort_key() < other._sort_key()


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    make_graph: Callable[[], Graph] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def graph(self) -> Graph | None:
        """The SHACL validation report graph (for ``--format turtle``), built on first use only."""
        return self.make_graph() if self.make_graph is not None else None

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is Severity.VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is Severity.WARNING]

    @property
    def conforms(self) -> bool:
        """Conforming means no violation; warnings are reported but do not block publication."""
        return not self.violations

    def by_focus(self) -> dict[str, list[ValidationResult]]:
        grouped: dict[str, list[ValidationResult]] = {}
        for result in sorted(self.results):
            grouped.setdefault(result.focus, []).append(result)
        return grouped


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def _compiled_default_shapes() -> shacl.CompiledShapes:
    return shacl.compile_shapes(shapes_graph())


def validate_graph(
    data: BuiltGraph | Graph | Sequence[ox.Triple],
    sources: dict[URIRef, Location] | None = None,
    shapes: Graph | None = None,
    *,
    engine: Engine = "fast",
) -> ValidationReport:
    """Validate ``data`` (a built graph, an rdflib graph or Oxigraph triples) against civicgraph's shapes (or
    ``shapes``); the results of a built graph name the source lines of its resources unless ``sources`` is given."""
    if isinstance(data, BuiltGraph) and sources is None:
        sources = data.sources
    if engine == "fast":
        return _validate_fast(_plain_triples(data), sources or {}, shapes)
    if engine == "pyshacl":
        graph = data.graph if isinstance(data, BuiltGraph) else data if isinstance(data, Graph) else _rdflib_graph(data)
        return _validate_pyshacl(graph, sources or {}, shapes)
    raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")


def _plain_triples(data: BuiltGraph | Graph | Sequence[ox.Triple]) -> Iterable[PlainTriple]:
    if isinstance(data, BuiltGraph):
        return data.plain  # made by the build: nothing to read out of Oxigraph's terms
    if isinstance(data, Graph):
        term = shacl.term_from_rdflib
        return ((term(s), term(p), term(o)) for s, p, o in data)  # type: ignore[misc]  # subjects are never literals
    return plain_triples(data)


# --------------------------------------------------------------------------------------------------------------
# The fast engine (civicgraph.shacl)
# --------------------------------------------------------------------------------------------------------------


def _validate_fast(
    triples: Iterable[PlainTriple], sources: dict[URIRef, Location], shapes: Graph | None
) -> ValidationReport:
    compiled = _compiled_default_shapes() if shapes is None else shacl.compile_shapes(shapes)
    findings = sorted(shacl.validate(triples, compiled), key=_finding_order)
    results = sorted(_result(finding, sources) for finding in findings)
    return ValidationReport(results, lambda: _report_graph(findings))


def _result(finding: shacl.Finding, sources: dict[URIRef, Location]) -> ValidationResult:
    shape, focus = finding.shape, finding.focus
    messages = _messages(shape.messages)
    source = sources.get(URIRef(focus)) if type(focus) is str else None
    return ValidationResult(
        focus=focus.lexical if type(focus) is Lit else str(focus),
        path=shacl.path_text(shape.path) if shape.path is not None else None,
        shape=shape.name,
        severity=Severity(str(shape.severity).rsplit("#", 1)[-1]),
        constraint=str(finding.component),
        value=shacl.show(finding.value) if finding.value is not None else None,
        message_pl=messages["pl"],
        message_en=messages["en"],
        source=str(source) if source is not None else None,
    )


def _finding_order(finding: shacl.Finding) -> tuple[str, ...]:
    value = "" if finding.value is None else shacl.show(finding.value)
    return (shacl.show(finding.focus), finding.shape.name, str(finding.component), value)


def _report_graph(findings: list[shacl.Finding]) -> Graph:
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
        graph.add((result, SH.focusNode, shacl.term_to_rdflib(finding.focus)))
        if shape.path is not None:
            graph.add((result, SH.resultPath, shacl.add_path(graph, shape.path, f"result{number}-path")))
        if finding.value is not None:
            graph.add((result, SH.value, shacl.term_to_rdflib(finding.value)))
        graph.add((result, SH.sourceShape, shape.node))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        graph.add((result, SH.resultSeverity, shape.severity))
        for message in shape.messages:
            graph.add((result, SH.resultMessage, message))
    return graph


# --------------------------------------------------------------------------------------------------------------
# pyshacl
# --------------------------------------------------------------------------------------------------------------


class PyshaclStopped(ValueError):
    """pyshacl stopped on a value it cannot compare, where the fast engine reports a result (see civicgraph.shacl)."""


def _validate_pyshacl(data: Graph, sources: dict[URIRef, Location], shapes: Graph | None) -> ValidationReport:
    from pyshacl import validate as pyshacl_validate  # imported only when asked for: it is slow to import

    try:
        _conforms, report_graph, _text = pyshacl_validate(
            data,
            shacl_graph=shapes if shapes is not None else shapes_graph(),
            inference="none",
            advanced=False,
            allow_warnings=True,
        )
    except (ArithmeticError, TypeError) as error:  # decimal.InvalidOperation for "NaN"^^xsd:decimal, TypeError for
        # a gYear against a date: comparisons rdflib refuses and pyshacl lets through
        raise PyshaclStopped(
            f"pyshacl stopped on a value it cannot compare ({type(error).__module__}.{type(error).__name__}), such "
            'as "NaN"^^xsd:decimal against sh:minInclusive; the default engine (--engine fast) reports such a value '
            "as a result with its focus node"
        ) from error
    assert isinstance(report_graph, Graph)
    return ValidationReport(sorted(_results(report_graph, sources)), lambda: report_graph)


def _rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """Oxigraph triples as rdflib reads them, lexical forms kept (``"+5"`` stays ``"+5"``)."""
    graph = Graph()
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        for triple in triples:
            terms = (triple.subject, triple.predicate, triple.object)
            graph.add(tuple(shacl.term_to_rdflib(term_from_oxigraph(t)) for t in terms))  # type: ignore[arg-type]
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph


def _results(report: Graph, sources: dict[URIRef, Location]) -> Iterable[ValidationResult]:
    # Only the report's own results: pyshacl also types the nested sh:detail results of sh:node constraints.
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        severity = report.value(node, SH.resultSeverity)
        messages = _messages(m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal))
        yield ValidationResult(
            focus=str(focus),
            path=shacl.path_text(shacl.read_path(report, path)) if path is not None else None,
            shape=_show(shape) or "",
            severity=Severity(str(severity).rsplit("#", 1)[-1]),
            constraint=_show(report.value(node, SH.sourceConstraintComponent)) or "",
            value=_show(report.value(node, SH.value)),
            message_pl=messages["pl"],
            message_en=messages["en"],
            source=str(sources[focus]) if isinstance(focus, URIRef) and focus in sources else None,
        )


def _messages(messages: Iterable[Literal]) -> dict[str, str]:
    """The Polish and English message; a missing language falls back to the first message in a stable order."""
    ordered = sorted(messages, key=lambda m: (m.language or "", str(m)))
    by_language: dict[str, str] = {}
    for message in ordered:
        by_language.setdefault(message.language or "", str(message))
    fallback = str(ordered[0]) if ordered else ""
    return {lang: by_language.get(lang, fallback) for lang in ("pl", "en")}


def _show(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef | Literal):
        return str(term)
    return term.n3()
