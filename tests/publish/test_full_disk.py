"""A disk that fills up while forked writers work: one clean message naming the file, exit 3, no traceback from
the worker process before it, and the previous release untouched. The full disk is simulated: every file a forked
worker writes fails with ENOSPC, as on a full file system."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli import build as build_module
from civicgraph.cli.main import main
from civicgraph.graph import splice as splice_module
from civicgraph.graph.build import build_graph
from civicgraph.publish import editions as editions_module
from civicgraph.util import parallel

from ..conftest import add_poznan_2022, add_second_member


def test_a_full_disk_in_a_forked_writer_is_one_clean_error(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)]).exit_code == 0
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
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data_copy), "--out", str(out)])
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and line.endswith(": no space left on the device")
    assert "/.dist.staging-" in line  # the file being written when the disk filled
    assert capfd.readouterr().err == ""  # nothing printed by the worker process
    in_polish = CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)])
    assert in_polish.exit_code == 3
    [line] = in_polish.stderr.splitlines()
    assert line.startswith("Błąd: ") and line.endswith(": brak miejsca na dysku")
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_full_disk_while_editions_are_written_ahead_is_one_clean_error(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The child that keys the editions while the graph is built writes some in a first build: its full disk is
    the same one message, and the folder it wrote into is removed."""
    parent = os.getpid()
    write_edition = editions_module._write_edition
    tried = tmp_path / "the child tried"  # outside the release folder's staging

    def full_in_the_child(out: Path, *rest: Any) -> None:
        if os.getpid() != parent:
            tried.touch()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out / "editions" / "3064011-2023.ttl"))
        write_edition(out, *rest)

    def built_once_the_child_tried(*args: Any, **kwargs: Any) -> Any:
        """The graph's build ends once the child has tried to write its edition: a build quicker than the child's
        keys (one report) would otherwise end the writing before it starts, and nothing would fail."""
        built = build_graph(*args, **kwargs)
        waited = 0.0
        while not tried.exists() and waited < 60:
            time.sleep(0.01)
            waited += 0.01
        return built

    monkeypatch.setattr(editions_module, "workers", lambda: 2)
    monkeypatch.setattr(editions_module, "SHARED_FROM", 1)
    monkeypatch.setattr(editions_module, "_write_edition", full_in_the_child)
    monkeypatch.setattr(build_module, "build_graph", built_once_the_child_tried)
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data_copy), "--out", str(out)])

    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {tmp_path}/.dist.staging-") and line.endswith(
        "/editions/3064011-2023.ttl: no space left on the device"
    )
    assert capfd.readouterr().err == ""  # nothing printed by the child
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".dist.lock",
        ".dist.reports.pickle",
        "data",
        "the child tried",
    ]


def test_a_full_disk_while_a_file_is_spliced_is_one_clean_error(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an earlier release graph.nt and the catalogue are written from their earlier files, mapped into memory,
    their pieces views of the map: a disk that fills up after the first piece (of graph.nt, spliced first) is the
    same one message, not an error about the views left when the map is closed."""
    add_poznan_2022(data_copy)
    add_second_member(data_copy)
    out = tmp_path / "dist"
    for _build in range(2):  # the second one keeps the notes the catalogue is spliced with
        assert CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    report = data_copy / "reports" / "3099011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("Raport o stanie Gminy Przykładowej za 2023 rok", "Raport za rok 2023", 1), "utf-8")
    splice = splice_module.splice
    spliced: list[str] = []

    def full_after_the_first_piece(*args: Any) -> None:
        *blocks, into = args

        class Filling:
            written = 0

            def write(self, data: bytes) -> int:
                self.written += 1
                if self.written > 2:  # the header and the first piece fit
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), into.name)
                return int(into.write(data))

        spliced.append(Path(into.name).name)
        splice(*blocks, Filling())

    monkeypatch.setattr(splice_module, "splice", full_after_the_first_piece)
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data_copy), "--out", str(out)])
    assert spliced == ["graph.nt"]
    assert result.exit_code == 3, result.output
    *validation, line = result.stderr.splitlines()  # the made-up report's warning (no English title), then the error
    assert validation[-1] == "0 violations, 1 warnings" and "Traceback" not in result.stderr
    assert line.startswith("Error: ") and line.endswith("/graph.nt: no space left on the device")
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
