"""Errors that are part of civicgraph's interface: exit codes and problems located in source files."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as attribute
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes, documented in the README's exit-code table."""

    OK = 0
    VIOLATIONS = 1  # the graph does not conform to the shapes
    USAGE = 2  # wrong command-line usage, or a SPARQL syntax error
    BAD_INPUT = 3  # source data unreadable or inconsistent; nothing was written
    EXTERNAL = 4  # an external service (triple store, Wikidata) failed or answered something unusable


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the source data, located so that a person can fix it."""

    file: Path
    line: int | None  # 1-based; None when the problem concerns the whole file
    field: str  # dotted path of the field, e.g. "activities.pkm.figures.communes.value"
    message: str  # in English
    polish: str | None = attribute(default=None, compare=False)  # the message in Polish, where it has been written

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """``file:line: field: message`` in Polish (``pl``) or English; English where no Polish is written."""
        message = self.polish if lang == "pl" and self.polish else self.message
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        return f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"


class InputError(Exception):
    """Raised with every problem found in the source data, so that one run reports them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (str(p.file), p.line or 0, p.field, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
