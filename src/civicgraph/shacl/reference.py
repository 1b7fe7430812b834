"""pyshacl, the reference SHACL engine (``--engine pyshacl``): minutes on a national graph, but the yardstick the
fast engine is compared with."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from civicgraph.graph.terms import term_from_oxigraph
from civicgraph.shacl.paths import path_text, read_path
from civicgraph.shacl.report import Severity, ValidationReport, ValidationResult, messages_by_language
from civicgraph.shacl.terms import term_to_rdflib
from civicgraph.source.records import Location
from civicgraph.util.errors import Failure, Message


class PyshaclStopped(Failure):
    """pyshacl stopped on a value it cannot compare, where the fast engine reports a result (shacl.engine)."""


def validate_with_pyshacl(data: Graph, sources: dict[URIRef, Location], shapes: Graph) -> ValidationReport:
    from pyshacl import validate as pyshacl_validate  # imported only when asked for: it is slow to import
    from pyshacl.errors import ReportableRuntimeError

    try:
        _conforms, report_graph, _text = pyshacl_validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            allow_warnings=True,
        )
    except ReportableRuntimeError as error:  # e.g. "Cannot use sh:lessThan to compare a BlankNode."
        stopped = error.message.rstrip(".")
        raise PyshaclStopped(
            Message(
                f"pyshacl zatrzymał się: {stopped}; domyślny silnik (--engine fast) zgłasza taką wartość jako wynik "
                "walidacji z jej węzłem",
                f"pyshacl stopped: {stopped}; the default engine (--engine fast) reports such a value as a result "
                "with its focus node",
            )
        ) from error
    except (ArithmeticError, TypeError) as error:  # decimal.InvalidOperation for "NaN"^^xsd:decimal, TypeError for
        # a gYear against a date: comparisons rdflib refuses and pyshacl lets through
        kind = f"{type(error).__module__}.{type(error).__name__}"
        raise PyshaclStopped(
            Message(
                f'pyshacl zatrzymał się na wartości, której nie umie porównać ({kind}), np. "NaN"^^xsd:decimal '
                "wobec sh:minInclusive; domyślny silnik (--engine fast) zgłasza taką wartość jako wynik walidacji "
                "z jej węzłem",
                f'pyshacl stopped on a value it cannot compare ({kind}), such as "NaN"^^xsd:decimal against '
                "sh:minInclusive; the default engine (--engine fast) reports such a value as a result with its focus "
                "node",
            )
        ) from error
    assert isinstance(report_graph, Graph)
    return ValidationReport(sorted(_results(report_graph, sources)), lambda: report_graph)


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """Oxigraph triples as rdflib reads them, lexical forms kept (``"+5"`` stays ``"+5"``)."""
    graph = Graph()
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        for triple in triples:
            terms = (triple.subject, triple.predicate, triple.object)
            graph.add(tuple(term_to_rdflib(term_from_oxigraph(t)) for t in terms))  # type: ignore[arg-type]
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
        messages = messages_by_language(m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal))
        yield ValidationResult(
            focus=str(focus),
            path=path_text(read_path(report, path)) if path is not None else None,
            shape=_show(shape) or "",
            severity=Severity(str(severity).rsplit("#", 1)[-1]),
            constraint=_show(report.value(node, SH.sourceConstraintComponent)) or "",
            value=_show(report.value(node, SH.value)),
            message_pl=messages["pl"],
            message_en=messages["en"],
            source=str(sources[focus]) if isinstance(focus, URIRef) and focus in sources else None,
        )


def _show(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef | Literal):
        return str(term)
    return term.n3()
