"""Progress lines: written only for a terminal, with the stage's count and rate."""

from __future__ import annotations

import io

from civicgraph.util.errors import Message
from civicgraph.util.progress import Progress, StageCount


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()  # what CI and pipes give: isatty() is False
    progress = Progress(stream)
    with progress.stage("build") as counted:
        counted.count, counted.unit = 1791, "triples"
    assert stream.getvalue() == ""


def test_terminal_gets_one_line_per_stage_with_count_and_rate() -> None:
    stream = _Terminal()
    progress = Progress(stream)
    with progress.stage("build") as counted:
        counted.count, counted.unit = 1791, "triples"
    with progress.stage("publish"):
        pass
    lines = stream.getvalue().split("\n")
    assert lines[0].startswith("build …\rbuild: 1,791 triples in ")
    assert " triples/s (total " in lines[0]
    assert lines[1].startswith("publish …\rpublish: ") and "(total " in lines[1]
    assert lines[2] == ""


def test_a_stage_and_unit_in_both_languages_are_written_in_the_runs() -> None:
    stream = _Terminal()
    with Progress(stream, lang="pl").stage(Message("walidacja", "validate")) as counted:
        counted.count, counted.unit = 2000, Message("trójek", "triples")
    line = stream.getvalue().split("\r")[1]
    assert line.startswith("walidacja: 2,000 trójek w ") and " trójek/s (łącznie " in line


def test_rate_is_count_over_seconds() -> None:
    progress = Progress(io.StringIO(), enabled=True)
    line = progress.line("validate", StageCount(2000, "nodes"), 4.0)
    assert line.startswith("validate: 2,000 nodes in 4.00 s, 500 nodes/s (total ")


def test_a_stage_that_ran_in_another_process_gets_its_line_with_its_own_seconds() -> None:
    stream = _Terminal()
    progress = Progress(stream)
    progress.ended(Message("walidacja", "validate"), StageCount(2000, Message("trójek", "triples")), 4.0)
    assert stream.getvalue().startswith("validate: 2,000 triples in 4.00 s, 500 triples/s (total ")
    quiet = io.StringIO()
    Progress(quiet).ended("validate", StageCount(2000, "triples"), 4.0)
    assert quiet.getvalue() == ""
