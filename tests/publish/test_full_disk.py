"""A disk that fills up while forked writers work: one clean message naming the file, exit 3, no traceback from
the worker process before it, and the previous release untouched. The full disk is simulated: every file a forked
worker writes fails with ENOSPC, as on a full file system."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.util import parallel

from ..conftest import DATA


def test_a_full_disk_in_a_forked_writer_is_one_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capfd.readouterr()

    parent = os.getpid()
    write_bytes = Path.write_bytes

    def full_in_workers(path: Path, data: bytes) -> int:  # type: ignore[override]
        if os.getpid() != parent:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return write_bytes(path, data)

    monkeypatch.setattr(parallel, "workers", lambda: 2)  # fork even on a one-core machine
    monkeypatch.setattr(Path, "write_bytes", full_in_workers)
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and line.endswith(": no space left on the device")
    assert "/.dist.staging-" in line  # the file being written when the disk filled
    assert capfd.readouterr().err == ""  # nothing printed by the worker process
    in_polish = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert in_polish.exit_code == 3
    [line] = in_polish.stderr.splitlines()
    assert line.startswith("Błąd: ") and line.endswith(": brak miejsca na dysku")
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
