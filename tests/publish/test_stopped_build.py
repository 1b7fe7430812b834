"""A build stopped from outside: a worker process killed while the build writes (as the system kills the largest
process when memory runs out), the build interrupted (Ctrl-C) or terminated (SIGTERM, as a service manager or
``timeout`` stops it). One clean message, the documented exit code, no traceback, and the previous release
untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli import build as build_module
from civicgraph.cli.main import main
from civicgraph.util import parallel

from .test_output_folder import tree


def test_a_worker_killed_while_writing_is_one_clean_error_and_the_release_is_untouched(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)]).exit_code == 0
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
        result = CliRunner().invoke(
            main, ["build", "--lang", lang, "--data", str(data_copy), "--out", str(out), "--full"]
        )
        assert (result.exit_code, result.stderr.splitlines()) == (5, [expected])
        assert capfd.readouterr().err == ""  # nothing printed by the killed process or on its account
    monkeypatch.undo()
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.staging-", ".dist.replaced-"))] == []


def test_an_interrupted_build_exits_130_and_leaves_the_release_as_it_was(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the graph is built ends with click's "Aborted!" and exit code 130, as a shell reports SIGINT:
    not 1, which is a graph that violates the shapes."""
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)]).exit_code == 0
    before = tree(out)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "build_graph", interrupted)
    for lang, expected in (("en", "\nAborted!\n"), ("pl", "\nPrzerwano!\n")):
        result = CliRunner().invoke(
            main, ["build", "--lang", lang, "--data", str(data_copy), "--out", str(out), "--full"]
        )
        assert (result.exit_code, result.stderr) == (130, expected)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.staging-", ".dist.replaced-"))] == []


# A build through the console script, as a service manager runs it, in a session of its own (so that a signal to
# its process group reaches no other process), which a patch given as Python code stops from within at a known
# point.
_CONSOLE_SCRIPT = """
import os, signal
from pathlib import Path
from civicgraph.cli import build as build_module
from civicgraph.cli.main import run
from civicgraph.util import parallel

parallel.workers = lambda: 2  # fork even on a one-core machine
{patch}
run()
"""


def _stopped_console_script(patch: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = _CONSOLE_SCRIPT.format(patch=textwrap.dedent(patch))
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, start_new_session=True, timeout=300
    )


# SIGTERM sent to the build's whole process group while its graph is built, as a service manager sends it to
# every process of the service, and ``timeout`` to its command's group.
_TERMINATED_WHILE_BUILDING = """
built = build_module.build_graph

def terminated(*args, **kwargs):
    os.killpg(0, signal.SIGTERM)
    return built(*args, **kwargs)

build_module.build_graph = terminated
"""

# SIGTERM sent to a forked worker alone, as it writes a file: the worker sends it to the build as it sends an error.
_WORKER_TERMINATED_WHILE_WRITING = """
parent, write_bytes = os.getpid(), Path.write_bytes

def terminated_in_workers(path, data):
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)
    return write_bytes(path, data)

Path.write_bytes = terminated_in_workers
"""


@pytest.mark.parametrize("patch", [_TERMINATED_WHILE_BUILDING, _WORKER_TERMINATED_WHILE_WRITING])
def test_a_terminated_build_exits_143_and_leaves_the_release_as_it_was(
    data_copy: Path, tmp_path: Path, patch: str
) -> None:
    """SIGTERM stops a build as Ctrl-C does (not where it stands, its staging folder left behind): its message in
    the build's language, exit code 143 (128 + SIGTERM's 15, as shells report it), nothing else on stderr."""
    out = tmp_path / "dist"
    assert CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(out)]).exit_code == 0
    before = tree(out)
    for lang, expected in (("en", "Terminated (SIGTERM).\n"), ("pl", "Zakończono (SIGTERM).\n")):
        args = ("build", "--lang", lang, "--data", str(data_copy), "--out", str(out), "--full")
        run = _stopped_console_script(patch, *args)
        assert (run.returncode, run.stderr) == (143, expected)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".dist.staging-", ".dist.replaced-"))] == []
