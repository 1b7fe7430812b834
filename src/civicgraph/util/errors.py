"""Errors that are part of civicgraph's interface: exit codes, messages in Polish and English, and problems
located in source files.

Every message a person reads from ``build`` or ``validate`` is written in both languages where it is made: a
:class:`Message` (``Message(pl=..., en=...)``), and the command's ``--lang`` picks one when it prints. An expected
failure is raised as a :class:`Failure` with its message and exit code; problems in the source data are
:class:`Problem` s (``Problem.of(file, line, field, Message(...))``), collected and raised together in an
:class:`InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as attribute
from enum import IntEnum
from pathlib import Path
from typing import Any

LANGUAGES = ("pl", "en")


class ExitCode(IntEnum):
    """Process exit codes, documented in the README's exit-code table."""

    OK = 0
    VIOLATIONS = 1  # the graph does not conform to the shapes
    USAGE = 2  # wrong command-line usage, or a SPARQL syntax error
    BAD_INPUT = 3  # source data unreadable or inconsistent; nothing was written
    EXTERNAL = 4  # an external service (triple store, Wikidata) failed or answered something unusable
    WORKER_ENDED = 5  # a process the command worked in ended before finishing (killed: out of memory, say)
    INTERRUPTED = 130  # stopped by Ctrl-C (SIGINT), as shells report it: 128 + the signal's number
    TERMINATED = 143  # stopped by SIGTERM (a service manager, ``timeout``, ``kill``): 128 + 15


@dataclass(frozen=True, order=True)
class Message:
    """One message for a person, in Polish and in English."""

    pl: str
    en: str

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``pl`` or ``en``)."""
        return self.pl if lang == "pl" else self.en

    def __str__(self) -> str:  # where no language is chosen (logs, tracebacks): English
        return self.en


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the source data, located so that a person can fix it."""

    file: Path
    line: int | None  # 1-based; None when the problem concerns the whole file
    field: str  # dotted path of the field, e.g. "activities.pkm.figures.communes.value"
    message: str  # in English
    polish: str | None = attribute(default=None, compare=False)  # the message in Polish, where it has been written

    @classmethod
    def of(cls, file: Path, line: int | None, field: str, message: Message) -> Problem:
        """The problem with its message in both languages."""
        return cls(file, line, field, message.en, message.pl)

    @property
    def bilingual(self) -> Message:
        """The message in both languages (English twice where no Polish is written)."""
        return Message(self.polish or self.message, self.message)

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

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a forked worker sends its error to the parent) with its problems, not the text ``args`` hold.
        return InputError, (self.problems,), self.__dict__


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the console script's process (:func:`civicgraph.util.signals.terminated_as_interrupt`) as
    Ctrl-C raises :class:`KeyboardInterrupt`, so that a command stops as it does on Ctrl-C: every ``except
    BaseException`` clean-up runs (a build's staging folder removed, the earlier release left as it was) and the
    command ends with :attr:`ExitCode.TERMINATED`. An interrupt, not an error: no ``except Exception`` catches it."""


class Failure(Exception):
    """An expected failure: what went wrong in both languages, and the exit code the command ends with."""

    def __init__(self, message: Message, exit_code: ExitCode = ExitCode.BAD_INPUT) -> None:
        super().__init__(message.en)
        self.message = message
        self.exit_code = exit_code

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a forked worker sends its error to the parent) as its kind, message and code: made again from
        # ``args``, which hold the English text alone, it would fail to unpickle.
        return _failure_again, (type(self), self.message, self.exit_code), self.__dict__


def _failure_again(kind: type[Failure], message: Message, exit_code: ExitCode) -> Failure:
    """A failure of ``kind`` with its message and exit code, whatever arguments ``kind`` itself takes."""
    failure = kind.__new__(kind)
    Failure.__init__(failure, message, exit_code)
    return failure
