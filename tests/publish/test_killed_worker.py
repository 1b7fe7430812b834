"""A worker process killed while a build writes (as the system kills the largest process when memory runs out): one
clean message saying so, exit 5, no traceback, and the previous release untouched. The kill is real: the worker
sends itself SIGKILL as it starts writing a file."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.util import parallel

from ..conftest import DATA


def test_a_worker_killed_while_writing_is_one_clean_error_and_the_release_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
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
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.staging-", ".dist.replaced-"))] == []
