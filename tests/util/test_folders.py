"""What a folder holds, told apart before anything in it may be removed (the refusals themselves:
tests/publish/test_output_folder.py)."""

from __future__ import annotations

import os
from pathlib import Path

from civicgraph.util.folders import files_below


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
