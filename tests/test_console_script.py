"""The ``civicgraph`` console script (:func:`civicgraph.cli.main.run`): a build that succeeded ends its process at
once, its output flushed; every other ending is click's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli import main as main_module
from civicgraph.cli.common import end_at_once, run_as_command
from civicgraph.cli.main import main, run
from civicgraph.util import folders
from civicgraph.util.errors import Terminated
from civicgraph.util.signals import terminated_as_interrupt

from .conftest import DATA


class _Ended(Exception):
    """Raised in place of ending the process, which would end the test run."""


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One True for each time ``run()`` ended the process at once (its exit code is 0), none when it did not."""
    endings: list[bool] = []

    def end_process() -> None:  # neither os._exit nor this test process's atexit handlers
        endings.append(True)
        raise _Ended

    monkeypatch.setattr(main_module, "_end_process", end_process)
    return endings


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["civicgraph", *args])
    run()


def test_a_build_that_succeeded_ends_at_once_after_its_last_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ended: list[bool]
) -> None:
    out = tmp_path / "dist"
    with pytest.raises(_Ended):
        _run(monkeypatch, "build", "--data", str(DATA), "--out", str(out), "--lang", "en")
    assert ended == [True]
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"wrote {out.resolve()} (")
    listed = (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert all((out / line.split("  ", 1)[1]).is_file() for line in listed)  # the whole release is in place


def test_only_the_console_script_leaves_the_release_it_replaced_to_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ended: list[bool]
) -> None:
    """Through ``run()``, a build into a release does not wait for the release it replaced to be removed; within
    another program (CliRunner), which may look at the folder next, the build removes it itself."""
    out = tmp_path / "dist"
    build = ["build", "--data", str(DATA), "--out", str(out), "--lang", "en"]
    assert CliRunner().invoke(main, build).exit_code == 0
    started = len(folders._REMOVERS)
    assert CliRunner().invoke(main, build).exit_code == 0
    assert len(folders._REMOVERS) == started
    with pytest.raises(_Ended):
        _run(monkeypatch, *build)
    assert ended == [True] and len(folders._REMOVERS) == started + 1 and not run_as_command()
    remover = folders._REMOVERS[-1]
    assert Path(remover.args[-1]).parent == tmp_path and remover.wait(timeout=60) == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.replaced-", ".dist.staging-"))] == []


def test_a_build_that_failed_exits_with_its_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ended: list[bool]
) -> None:
    missing = tmp_path / "no-data"
    with pytest.raises(SystemExit) as exited:
        _run(monkeypatch, "build", "--data", str(missing), "--out", str(tmp_path / "dist"), "--lang", "en")
    assert exited.value.code == 2 and ended == []
    assert capsys.readouterr().err == f"Error: {missing}: no such data folder (give one with --data)\n"
    assert not (tmp_path / "dist").exists()


def test_only_the_command_that_ran_may_ask_to_end_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ended: list[bool]
) -> None:
    """A request left by a build run within this process before (a test's CliRunner) is not this command's."""
    end_at_once()
    with pytest.raises(SystemExit) as exited:
        _run(monkeypatch, "--version")
    assert exited.value.code == 0 and ended == []
    assert capsys.readouterr().out.startswith("civicgraph, version ")


def test_a_build_through_a_pipe_exits_0_with_its_last_message_written(tmp_path: Path) -> None:
    """``python -m civicgraph build`` through a pipe, as CI and scripts run it, so through :func:`_end_process`:
    exit 0, the last message there. (That it ended without freeing its objects is not seen from outside: the
    tests above check that ``run()`` ends it so.)"""
    out = tmp_path / "dist"
    command = [sys.executable, "-m", "civicgraph", "build", "--data", str(DATA), "--out", str(out), "--lang", "en"]
    ran = subprocess.run(command, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.splitlines()[-1].startswith(f"wrote {out.resolve()} (")
    assert (out / "SHA256SUMS").is_file()


def test_sigterm_in_the_console_script_is_an_interrupt_and_a_second_one_ends_the_process() -> None:
    """Within :func:`terminated_as_interrupt` SIGTERM raises :class:`Terminated` (a :class:`KeyboardInterrupt`,
    which no ``except Exception`` catches); the handler is then the default one, so that a second SIGTERM ends the
    process during the first one's clean-up; after the block the handler found before is back."""
    found = signal.getsignal(signal.SIGTERM)
    during_clean_up: list[object] = []
    with pytest.raises(Terminated), terminated_as_interrupt():
        # the handler is in place, or the signal below would end the test run itself
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, found)
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # interrupted by the handler at once
        finally:
            during_clean_up.append(signal.getsignal(signal.SIGTERM))
    assert during_clean_up == [signal.SIG_DFL]
    assert signal.getsignal(signal.SIGTERM) == found
    assert issubclass(Terminated, KeyboardInterrupt) and not issubclass(Terminated, Exception)


def test_a_sigterm_the_caller_ignores_stays_ignored() -> None:
    found = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with terminated_as_interrupt():
            assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGTERM)  # nothing happens
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, found)
