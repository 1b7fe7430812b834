"""The output folder: only a new, empty or earlier release is ever replaced, in one step, by one build at a time.

Each refusal test builds a folder a careless `--out` could name (a checkout with `.git`, the data folder, a
folder of notes, a release someone added a file to) and checks that the command exits 2, names what it refused,
and leaves every byte in place.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.graph.build import BuiltGraph
from civicgraph.publish.checksums import RELEASE
from civicgraph.publish.orchestrator import publish
from civicgraph.publish.release import Release, Writer
from civicgraph.source.records import Dataset
from civicgraph.util import folders
from civicgraph.util.errors import ExitCode
from civicgraph.util.folders import FolderRefused, replacing

ROOT = Path(__file__).resolve().parents[2]

# What lies beside a release once a second build went into it: its lock file, the reports read for it, its record
# of reusable files, and (the second build made them) its graph's blocks, its subjects' digests and what its
# validation keeps for the next.
BESIDE_A_RELEASE_BUILT_INTO = [
    ".dist.graph-blocks",
    ".dist.graph-digests",
    ".dist.lock",
    ".dist.reports.pickle",
    ".dist.reuse.json",
    ".dist.validation",
]


# What marks a folder as a release civicgraph wrote (publish.checksums): its release.json names the generator.
RELEASE_INFO = '{"generator": "civicgraph 0.1.0"}\n'


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(data: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(out)])
    return result.exit_code, result.output


def tiny_release(text: str) -> list[Writer]:
    """Writers of a three-file release: enough to be recognised as one, quick enough to publish many times."""

    def write(_release: Release, out: Path) -> None:
        (out / "graph.nt").write_text(text, encoding="utf-8")
        (out / "release.json").write_text(RELEASE_INFO, encoding="utf-8")
        (out / "SHA256SUMS").write_text("0  graph.nt\n0  release.json\n", encoding="utf-8")

    return [write]


# -- refusals ---------------------------------------------------------------------------------------------------


def test_a_checkout_is_never_replaced(data_copy: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / ".git" / "objects").mkdir(parents=True)
    (checkout / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (checkout / "README.md").write_text("# my project\n", encoding="utf-8")
    before = tree(checkout)

    code, output = build(data_copy, checkout)

    assert code == ExitCode.USAGE == 2
    assert output == (
        f"Error: {checkout} is not empty and holds no earlier release (no release.json and SHA256SUMS); "
        "nothing was removed. Give a new or empty folder with --out\n"
    )
    assert tree(checkout) == before


@pytest.mark.parametrize("where", ["data", "parent of data"])
def test_the_data_folder_and_its_ancestors_are_refused(data_copy: Path, where: str) -> None:
    out = data_copy if where == "data" else data_copy.parent
    before = tree(data_copy)

    code, output = build(data_copy, out)

    assert code == 2
    assert output == (
        f"Error: {out}: the output folder would replace {data_copy}, which it contains or is; give another --out\n"
    )
    assert tree(data_copy) == before


def test_a_folder_of_notes_is_refused(data_copy: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ideas.txt").write_text("keep me\n", encoding="utf-8")

    code, _output = build(data_copy, notes)

    assert code == 2
    assert (notes / "ideas.txt").read_text(encoding="utf-8") == "keep me\n"


def test_a_release_with_a_file_the_build_did_not_write_is_refused(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(data_copy, out)[0] == 0
    (out / "site" / "my-notes.md").write_text("mine\n", encoding="utf-8")
    before = tree(out)

    code, output = build(data_copy, out)

    assert code == 2
    assert output == (
        f"Error: {out} holds an earlier release and 1 file(s) or folder(s) it did not write (site/my-notes.md); "
        "nothing was removed. Move them away or give another --out\n"
    )
    assert tree(out) == before


def test_a_link_inside_a_release_is_not_followed_and_refused(data_copy: Path, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "dist", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("x\n", encoding="utf-8")
    assert build(data_copy, out)[0] == 0
    (out / "site" / "linked").symlink_to(elsewhere)

    assert build(data_copy, out)[0] == 2
    assert (elsewhere / "precious.txt").read_text(encoding="utf-8") == "x\n"


def test_a_file_in_place_of_the_folder_is_refused(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.write_text("not a folder\n", encoding="utf-8")

    code, output = build(data_copy, out)

    assert code == 2 and f"Invalid value for '--out': Directory '{out}' is a file." in output
    assert out.read_text(encoding="utf-8") == "not a folder\n"


def test_the_refusal_comes_before_the_build(data_copy: Path, tmp_path: Path) -> None:
    """A refused --out is said at once, not after a national build: a broken data folder is not even read."""
    (data_copy / "members.yaml").write_text("{not yaml", encoding="utf-8")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("a\n", encoding="utf-8")

    code, output = build(data_copy, notes)

    assert code == 2 and "holds no earlier release" in output


# -- what may be replaced ---------------------------------------------------------------------------------------


def test_an_empty_folder_and_an_earlier_release_are_replaced(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    assert build(data_copy, out)[0] == 0
    first = tree(out)
    assert build(data_copy, out)[0] == 0
    assert tree(out) == first
    # Beside the release only what a build keeps for the next one: no staging or previous folder.
    beside = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".dist"))
    assert beside == BESIDE_A_RELEASE_BUILT_INTO


def test_a_link_to_a_release_replaces_the_release_where_it_lives(data_copy: Path, tmp_path: Path) -> None:
    real, link = tmp_path / "www" / "release", tmp_path / "dist"
    real.parent.mkdir()
    assert build(data_copy, real)[0] == 0
    link.symlink_to(real)

    assert build(data_copy, link)[0] == 0
    assert link.is_symlink() and link.resolve() == real
    assert (real / "SHA256SUMS").is_file()


# -- one step, one build at a time, nothing left behind ---------------------------------------------------------


def test_readers_never_see_the_release_missing(dataset: Dataset, built: BuiltGraph, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    publish(dataset, built, out, writers=tiny_release("first\n"))
    seen_missing: list[int] = []
    done = threading.Event()

    def read_continuously() -> None:
        while not done.is_set():
            try:
                (out / "graph.nt").read_bytes()
            except FileNotFoundError:
                seen_missing.append(1)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for round_ in range(150):
            publish(dataset, built, out, writers=tiny_release(f"round {round_}\n"))
    finally:
        done.set()
        reader.join()

    assert seen_missing == []
    assert (out / "graph.nt").read_text(encoding="utf-8") == "round 149\n"


def test_without_an_atomic_exchange_two_renames_give_the_same_release(
    dataset: Dataset, built: BuiltGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folders, "_exchange", lambda _a, _b: False)
    out = tmp_path / "dist"
    publish(dataset, built, out, writers=tiny_release("old\n"))
    publish(dataset, built, out, writers=tiny_release("new\n"))

    assert (out / "graph.nt").read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]


def test_a_run_killed_between_two_renames_is_mended_by_the_next(
    dataset: Dataset, built: BuiltGraph, tmp_path: Path
) -> None:
    """What a kill leaves on a system without the atomic exchange: the release moved aside, a staging folder."""
    out = tmp_path / "dist"
    publish(dataset, built, out, writers=tiny_release("kept\n"))
    out.rename(tmp_path / ".dist.previous-4242")
    (tmp_path / ".dist.staging-4242").mkdir()
    (tmp_path / ".dist.staging-4242" / "graph.nt").write_text("half\n", encoding="utf-8")

    def fail(_release: Release, _out: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        publish(dataset, built, out, writers=[fail])

    assert (out / "graph.nt").read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]


def test_a_killed_build_leaves_the_release_and_the_next_removes_its_staging(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(data_copy, out)[0] == 0
    before = tree(out)
    # A build that kills itself (SIGKILL: no clean-up runs) halfway through writing its staging folder.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from civicgraph.source.reader import read_dataset\n"
        "from civicgraph.graph.build import build_graph\n"
        "from civicgraph.publish.orchestrator import WRITERS, publish\n"
        "dataset = read_dataset(Path(sys.argv[1]))\n"
        "def die(release, out):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "publish(dataset, build_graph(dataset), Path(sys.argv[2]), writers=[*WRITERS[:2], die])\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(data_copy), str(out)], cwd=ROOT, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert tree(out) == before
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist.staging-")]
    assert len(left) == 1 and (tmp_path / left[0] / "graph.nt").is_file()

    assert build(data_copy, out)[0] == 0
    beside = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".dist"))
    assert beside == BESIDE_A_RELEASE_BUILT_INTO


def test_a_second_build_is_refused_while_the_first_holds_the_lock(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    with open(tmp_path / ".dist.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        code, output = build(data_copy, out)

    assert code == 2
    assert (
        output == f"Error: {out} is being written by another civicgraph run (lock .dist.lock); wait for it to finish\n"
    )
    assert not out.exists()


def test_leftovers_of_other_names_are_not_touched(dataset: Dataset, built: BuiltGraph, tmp_path: Path) -> None:
    """Only `.NAME.staging-PID`, `.NAME.previous-PID` and `.NAME.replaced-PID-HEX16` folders are removed; a
    lookalike is someone else's."""
    others = (
        ".dist.staging-x",
        ".dist.staging-12.bak",
        ".distro.staging-12",
        "dist.staging-12",
        ".dist.replaced-12",
        ".dist.replaced-12-0123456789abcdeF",
    )
    for name in (*others, ".dist.replaced-12-0123456789abcdef"):
        (tmp_path / name).mkdir()
    publish(dataset, built, tmp_path / "dist", writers=tiny_release("x\n"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".dist.lock", "dist", *others])


def _tiny_release_into(folder: Path, text: str) -> None:
    (folder / "graph.nt").write_text(text, encoding="utf-8")
    (folder / "release.json").write_text(RELEASE_INFO, encoding="utf-8")
    (folder / "SHA256SUMS").write_text("0  graph.nt\n0  release.json\n", encoding="utf-8")


def test_a_replaced_release_is_removed_by_a_process_of_its_own_when_asked(tmp_path: Path) -> None:
    """As the console script, a build leaves the release it replaced to a process of its own, under a name no later
    run gives its own folder; in the meantime the new release is in place."""
    out = tmp_path / "dist"
    for text in ("old\n", "new\n"):
        with replacing(out, RELEASE, removed_after=True) as staging:
            _tiny_release_into(staging, text)
    assert (out / "graph.nt").read_text(encoding="utf-8") == "new\n"
    remover = folders._REMOVERS[-1]
    replaced = Path(remover.args[-1])
    assert re.fullmatch(rf"\.dist\.replaced-{os.getpid()}-[0-9a-f]{{16}}", replaced.name)
    assert replaced.parent == tmp_path
    assert remover.wait(timeout=60) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]


def test_a_replaced_release_is_removed_before_returning_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    started = len(folders._REMOVERS)
    for text in ("old\n", "new\n"):
        with replacing(out, RELEASE) as staging:
            _tiny_release_into(staging, text)
    assert len(folders._REMOVERS) == started
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]


def test_the_next_run_finishes_a_removal_and_does_not_mind_it_running_alongside(
    dataset: Dataset, built: BuiltGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replaced release whose removal was killed is removed by the next run; files its removal takes away while
    that run removes them too are no error."""
    left = tmp_path / ".dist.replaced-4242-0123456789abcdef"
    (left / "site").mkdir(parents=True)
    for name in ("graph.nt", "site/a.html"):
        (left / name).write_text("x\n", encoding="utf-8")
    unlink = os.unlink

    def removed_meanwhile(path: Any, *, dir_fd: int | None = None) -> None:
        unlink(path, dir_fd=dir_fd)  # the other process was first
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)

    monkeypatch.setattr(os, "unlink", removed_meanwhile)
    publish(dataset, built, tmp_path / "dist", writers=tiny_release("x\n"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]


def test_the_release_kind_names_what_its_checksums_do_not_list(tmp_path: Path) -> None:
    (tmp_path / "release.json").write_text(RELEASE_INFO, encoding="utf-8")
    (tmp_path / "SHA256SUMS").write_text("ab  graph.nt\nab  site/a b.html\n", encoding="utf-8")
    files = ["SHA256SUMS", "graph.nt", "notes.txt", "release.json", "site/a b.html"]
    assert RELEASE.foreign_files(tmp_path, files) == ["notes.txt", "release.json"]
    with pytest.raises(FolderRefused):
        folders.check_replaceable(tmp_path, RELEASE)


def test_synth_guards_its_folder_the_same_way(tmp_path: Path) -> None:
    out = tmp_path / "synthetic"
    assert CliRunner().invoke(main, ["synth", "--out", str(out), "--members", "3"]).exit_code == 0
    (out / "reports" / "my-notes.txt").write_text("mine\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["synth", "--out", str(out), "--members", "3", "--force"])

    assert result.exit_code == 2
    assert "1 file(s) or folder(s) it did not write (reports/my-notes.txt)" in result.output
    assert (out / "reports" / "my-notes.txt").read_text(encoding="utf-8") == "mine\n"
