"""Progress of long runs on stderr: one line per stage with its count and rate, only for a person at a terminal.

A national build takes tens of seconds; a person watching it should see which stage runs and how fast it goes.
Logs of CI and of scripts stay clean: nothing is written unless stderr is a terminal (or ``enabled`` forces it).
Stage names and units given as a :class:`~civicgraph.util.errors.Message` are written in the run's language.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from civicgraph.util.errors import Message


@dataclass
class StageCount:
    """What a stage reports when it ends: ``count`` things of kind ``unit`` (``triples``, ``files``, ...)."""

    count: int = 0
    unit: str | Message = ""


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, lang: str = "en") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.lang = lang
        self._started = time.perf_counter()

    @contextmanager
    def stage(self, stage: str | Message) -> Iterator[StageCount]:
        """Time the block; when it ends, write ``name: count unit in N s (rate/s)`` if a count was given."""
        name = stage.text(self.lang) if isinstance(stage, Message) else stage
        counted = StageCount()
        if self.enabled:
            self.stream.write(f"{name} …\r")
            self.stream.flush()
        began = time.perf_counter()
        yield counted
        self.ended(stage, counted, time.perf_counter() - began)

    def ended(self, stage: str | Message, counted: StageCount, seconds: float) -> None:
        """Write the line of a stage that took ``seconds``: one of :meth:`stage`'s, or one that ran in another
        process, whose line is written when this one learns it ended."""
        if self.enabled:
            name = stage.text(self.lang) if isinstance(stage, Message) else stage
            self.stream.write(self.line(name, counted, seconds) + "\n")
            self.stream.flush()

    def line(self, name: str, counted: StageCount, seconds: float) -> str:
        total = time.perf_counter() - self._started
        polish = self.lang == "pl"
        all_of_it = f"({'łącznie' if polish else 'total'} {total:.1f} s)"
        if not counted.unit:
            return f"{name}: {seconds:.2f} s {all_of_it}"
        unit = counted.unit.text(self.lang) if isinstance(counted.unit, Message) else counted.unit
        rate = f", {counted.count / seconds:,.0f} {unit}/s" if seconds > 0 else ""
        return f"{name}: {counted.count:,} {unit} {'w' if polish else 'in'} {seconds:.2f} s{rate} {all_of_it}"
