"""A build stopped from outside: a worker process killed while the build writes (as the system kills the largest
process when memory runs out), or the build interrupted (Ctrl-C). One clean message, the documented exit code, no
traceback, and the previous release untouched."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli import build as build_module
from civicgraph.cli.main import main
from civicgraph.util import parallel

from ..conftest import DATA
from .test_output_folder import tree


def test_a_worker_killed_while_writing_is_one_clean_error_and_the_release_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    before = tree(out)
    capfd.readouterr()

    parent = os.getpid()
    write_bytes = Path.write_bytes

    def killed_in_workers(path: Path, data: bytes) -> int:  # type: ignore[override]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return write_bytes(path, data)

    monkeypatch.setattr(parallel, "workers", lambda: 2)  # fork even on a one-core machine
    monkeypatch.setattr(Path, "write_bytes", killed_in_workers)
    for lang, expected in (
        (
            "en",
            "Error: a worker process was killed by signal SIGKILL before finishing its work (the system kills "
            "processes so when it runs out of memory)",
        ),
        (
            "pl",
            "Błąd: proces roboczy został zabity sygnałem SIGKILL, zanim skończył pracę (tak system kończy procesy, "
            "gdy brakuje mu pamięci)",
        ),
    ):
        result = CliRunner().invoke(main, ["build", "--lang", lang, "--data", str(DATA), "--out", str(out), "--full"])
        assert (result.exit_code, result.stderr.splitlines()) == (5, [expected])
        assert capfd.readouterr().err == ""  # nothing printed by the killed process or on its account
    monkeypatch.undo()
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.staging-", ".dist.replaced-"))] == []


def test_an_interrupted_build_exits_130_and_leaves_the_release_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the graph is built ends with click's "Aborted!" and exit code 130, as a shell reports SIGINT:
    not 1, which is a graph that violates the shapes."""
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    before = tree(out)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "build_graph", interrupted)
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(DATA), "--out", str(out), "--full"])
    assert (result.exit_code, result.stderr) == (130, "\nAborted!\n")
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.staging-", ".dist.replaced-"))] == []
