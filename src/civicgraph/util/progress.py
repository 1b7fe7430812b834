"""Progress of long runs on stderr: one line per stage with its count and rate, only for a person at a terminal.

A national build takes tens of seconds; a person watching it should see which stage runs and how fast it goes.
Logs of CI and of scripts stay clean: nothing is written unless stderr is a terminal (or ``enabled`` forces it).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO


@dataclass
class StageCount:
    """What a stage reports when it ends: ``count`` things of kind ``unit`` (``triples``, ``files``, ...)."""

    count: int = 0
    unit: str = ""


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[StageCount]:
        """Time the block; when it ends, write ``name: count unit in N s (rate/s)`` if a count was given."""
        counted = StageCount()
        if self.enabled:
            self.stream.write(f"{name} …\r")
            self.stream.flush()
        began = time.perf_counter()
        yield counted
        if self.enabled:
            self.stream.write(self.line(name, counted, time.perf_counter() - began) + "\n")
            self.stream.flush()

    def line(self, name: str, counted: StageCount, seconds: float) -> str:
        total = time.perf_counter() - self._started
        if not counted.unit:
            return f"{name}: {seconds:.2f} s (total {total:.1f} s)"
        rate = f", {counted.count / seconds:,.0f} {counted.unit}/s" if seconds > 0 else ""
        return f"{name}: {counted.count:,} {counted.unit} in {seconds:.2f} s{rate} (total {total:.1f} s)"
