"""What a folder holds, told apart before anything in it may be removed (the refusals themselves:
tests/publish/test_output_folder.py)."""

from __future__ import annotations

import os
from pathlib import Path

from civicgraph.util.errors import Message
from civicgraph.util.folders import FolderKind, files_below, replacing


def test_regular_files_at_every_depth_are_told_from_links_fifos_and_links_to_folders(tmp_path: Path) -> None:
    (tmp_path / "site" / "report" / "02").mkdir(parents=True)
    (tmp_path / "site" / "report" / "02" / "2023.ttl").write_text("x")
    (tmp_path / "SHA256SUMS").write_text("x")
    (tmp_path / "empty").mkdir()
    os.symlink(tmp_path / "site", tmp_path / "to-a-folder")
    os.symlink(tmp_path / "SHA256SUMS", tmp_path / "site" / "to-a-file")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    os.mkfifo(tmp_path / "site" / "pipe")
    assert files_below(tmp_path) == (
        ["SHA256SUMS", "site/report/02/2023.ttl"],
        ["dangling", "site/pipe", "site/to-a-file", "to-a-folder"],
    )


def test_an_empty_folder_holds_nothing(tmp_path: Path) -> None:
    assert files_below(tmp_path) == ([], [])


def _marked(folder: Path, files: list[str]) -> list[str] | None:
    """A made-up kind: a folder holding ``MARK`` is one of it, and everything in it is its own."""
    return [] if "MARK" in files else None


KIND = FolderKind(Message("wynik", "output"), Message("MARK", "MARK"), _marked)


def test_a_forked_child_still_ending_does_not_keep_the_folder_locked(tmp_path: Path) -> None:
    """A worker forked while the folder is locked may still be ending after the block is left (util.parallel waits
    for a worker's word that its work is done, not for its end); it shared the lock's open file, and the next run
    into the folder was refused as "being written by another civicgraph run" (seen once in CI)."""
    target = tmp_path / "dist"
    go_on, told = os.pipe()
    started, starts = os.pipe()
    with replacing(target, KIND) as staging:
        (staging / "MARK").write_text("1", encoding="utf-8")
        child = os.fork()
        if child == 0:  # the worker: says it runs (the fork's hooks have run), then ends only when told
            os.write(starts, b".")
            os.read(go_on, 1)
            os._exit(0)
        os.read(started, 1)
    try:
        with replacing(target, KIND) as again:  # the child is still alive here
            (again / "MARK").write_text("2", encoding="utf-8")
        assert (target / "MARK").read_text(encoding="utf-8") == "2"
    finally:
        os.write(told, b".")
        os.waitpid(child, 0)
