"""The validation report both engines give: typed results with their messages in Polish and English, each traced
to the source line of its resource, and the report as text for people or JSON for programs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any

from rdflib import Graph, Literal


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
    # What the next validation of a graph built into the same release takes from this one, to keep beside the
    # release (:mod:`civicgraph.shacl.scoped`): made for a built graph with its subjects' digests only.
    kept: bytes | None = field(default=None, repr=False, compare=False)

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


def messages_by_language(messages: Iterable[Literal]) -> dict[str, str]:
    """The Polish and English message; a missing language falls back to the first message in a stable order."""
    ordered = sorted(messages, key=lambda m: (m.language or "", str(m)))
    by_language: dict[str, str] = {}
    for message in ordered:
        by_language.setdefault(message.language or "", str(message))
    fallback = str(ordered[0]) if ordered else ""
    return {lang: by_language.get(lang, fallback) for lang in ("pl", "en")}


_WORDS = {
    "pl": {
        "ok": "Dane są zgodne z kształtami SHACL.",
        "Violation": "błąd",
        "Warning": "ostrzeżenie",
        "Info": "informacja",
        "source": "źródło",
        "path": "właściwość",
        "value": "wartość",
        "summary": "{v} błędów, {w} ostrzeżeń",
    },
    "en": {
        "ok": "The data conforms to the SHACL shapes.",
        "Violation": "violation",
        "Warning": "warning",
        "Info": "info",
        "source": "source",
        "path": "property",
        "value": "value",
        "summary": "{v} violations, {w} warnings",
    },
}


def format_text(report: ValidationReport, lang: str) -> str:
    """The report grouped per resource, each group headed by the source record it was built from."""
    words = _WORDS[lang]
    if not report.results:
        return words["ok"] + "\n"
    lines: list[str] = []
    for focus, results in report.by_focus().items():
        source = next((r.source for r in results if r.source), None)
        lines.append(f"{focus}" + (f"  ({words['source']}: {source})" if source else ""))
        for result in results:
            detail = f"  - {words[result.severity.value]}: {result.message(lang)}"
            if result.path:
                detail += f" [{words['path']}: {result.path}]"
            if result.value is not None:
                detail += f" [{words['value']}: {result.value}]"
            lines.append(detail)
    lines.append(words["summary"].format(v=len(report.violations), w=len(report.warnings)))
    return "\n".join(lines) + "\n"


def report_as_json(report: ValidationReport, lang: str) -> dict[str, Any]:
    return {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "results": [
            {
                "focusNode": r.focus,
                "source": r.source,
                "severity": r.severity.value,
                "path": r.path,
                "sourceShape": r.shape,
                "constraint": r.constraint,
                "value": r.value,
                "message": r.message(lang),
            }
            for r in report.results
        ],
    }
