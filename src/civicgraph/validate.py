"""Stage 3 — validate: graph + SHACL shapes → a typed report, each result traced to the source line it concerns.

pyshacl runs the shapes in ``shapes/`` (SHACL Core only, so any conforming engine gives the same verdict).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .records import Location
from .resources import shapes_files


class Severity(Enum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result, with the messages in Polish and English and where the resource came from."""

    focus: str
    path: str | None
    shape: str
    severity: Severity
    constraint: str
    value: str | None
    message_pl: str
    message_en: str
    source: str | None = None  # "file:line" of the record the focus node was built from

    def message(self, lang: str) -> str:
        return self.message_pl if lang == "pl" else self.message_en


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph | None = None  # the engine's own SHACL report graph, for ``--format turtle``

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


def validate_graph(
    data: Graph, sources: dict[URIRef, Location] | None = None, shapes: Graph | None = None
) -> ValidationReport:
    """Validate ``data`` against civicgraph's shapes (or ``shapes``) and return a typed report."""
    _conforms, report_graph, _text = pyshacl_validate(
        data,
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    assert isinstance(report_graph, Graph)
    return ValidationReport(sorted(_results(report_graph, sources or {})), report_graph)


def _results(report: Graph, sources: dict[URIRef, Location]) -> Iterable[ValidationResult]:
    # Only the report's own results: pyshacl also types the nested sh:detail results of sh:node constraints.
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        severity = report.value(node, SH.resultSeverity)
        messages = {m.language: str(m) for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)}
        fallback = next(iter(messages.values()), "")
        yield ValidationResult(
            focus=str(focus),
            path=_show(path),
            shape=_show(shape) or "",
            severity=Severity(str(severity).rsplit("#", 1)[-1]),
            constraint=_show(report.value(node, SH.sourceConstraintComponent)) or "",
            value=_show(report.value(node, SH.value)),
            message_pl=messages.get("pl", fallback),
            message_en=messages.get("en", fallback),
            source=str(sources[focus]) if isinstance(focus, URIRef) and focus in sources else None,
        )


def _show(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef | Literal):
        return str(term)
    return term.n3()
