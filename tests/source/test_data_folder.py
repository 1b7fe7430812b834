"""Only regular files inside the data folder are read: a path or a link that leads out of it, a named pipe, a folder
in place of a file, and a source text above the size limit are each refused with one located message, and the
build stops with exit 3 without reading them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civicgraph.source.datafolder import MAX_TEXT_BYTES
from civicgraph.source.reader import read_dataset
from civicgraph.util.errors import ExitCode, Message, Problem

from ..conftest import ROOT
from .problems import problems_of, stated

REPORT = Path("reports/3064011/2023/report.yaml")
TEXT = Path("reports/3064011/2023/source.txt")
TEXT_LINE = 20  # `text: source.txt` in data/reports/3064011/2023/report.yaml


def _point_text_at(data: Path, target: str) -> None:
    report = data / REPORT
    text = report.read_text(encoding="utf-8")
    assert text.splitlines()[TEXT_LINE - 1] == "text: source.txt"
    report.write_text(text.replace("\ntext: source.txt\n", f"\ntext: {target}\n"), encoding="utf-8")


def _outside(data: Path, path: Path, resolved: Path) -> Message:
    root = data.resolve()
    return Message(
        f"nie można odczytać tekstu źródłowego {path}: ścieżka prowadzi poza folder danych ({root}) do "
        f"{resolved}; trzymaj wszystkie pliki w folderze danych",
        f"cannot read the source text {path}: the path leads outside the data folder ({root}), to {resolved}; "
        "keep every file inside the data folder",
    )


@pytest.mark.parametrize("target", ["/proc/self/environ", "../../../../etc/passwd", "/dev/zero"])
def test_a_text_outside_the_data_folder_is_refused(data_copy: Path, target: str) -> None:
    _point_text_at(data_copy, target)
    path = data_copy / REPORT.parent / target
    expected = Problem.of(data_copy / REPORT, TEXT_LINE, "text", _outside(data_copy, path, path.resolve()))
    assert stated(problems_of(data_copy)) == stated([expected])


def test_a_link_leading_out_of_the_data_folder_is_refused(data_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET=1\n", encoding="utf-8")
    (data_copy / TEXT).unlink()
    (data_copy / TEXT).symlink_to(secret)
    expected = Problem.of(data_copy / REPORT, TEXT_LINE, "text", _outside(data_copy, data_copy / TEXT, secret))
    assert stated(problems_of(data_copy)) == stated([expected])


def test_a_linked_yaml_file_outside_the_data_folder_is_refused(data_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "members.yaml"
    (data_copy / "members.yaml").rename(elsewhere)
    (data_copy / "members.yaml").symlink_to(elsewhere)
    problems = problems_of(data_copy)
    root = data_copy.resolve()
    assert stated(problems[:1]) == stated(
        [
            Problem.of(
                data_copy / "members.yaml",
                None,
                "",
                Message(
                    f"ścieżka prowadzi poza folder danych ({root}) do {elsewhere}; trzymaj wszystkie pliki w folderze "
                    "danych",
                    f"the path leads outside the data folder ({root}), to {elsewhere}; keep every file inside the "
                    "data folder",
                ),
            )
        ]
    )


def test_a_link_inside_the_data_folder_is_followed(data_copy: Path) -> None:
    moved = data_copy / "texts" / "poznan-2023.txt"
    moved.parent.mkdir()
    (data_copy / TEXT).rename(moved)
    (data_copy / TEXT).symlink_to(moved)
    report = read_dataset(data_copy).reports[0]
    assert report.text_sha256 == hashlib.sha256(moved.read_bytes()).hexdigest()


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(data_copy: Path) -> None:
    (data_copy / TEXT).unlink()
    os.mkfifo(data_copy / TEXT)
    path = data_copy / TEXT
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                TEXT_LINE,
                "text",
                Message(
                    f"nie można odczytać tekstu źródłowego {path}: to nie zwykły plik, lecz potok nazwany (FIFO): "
                    "podaj zwykły plik w folderze danych",
                    f"cannot read the source text {path}: this is not a regular file but a named pipe (FIFO): give a "
                    "regular file in the data folder",
                ),
            )
        ]
    )


def test_a_folder_in_place_of_the_text_is_refused(data_copy: Path) -> None:
    (data_copy / TEXT).unlink()
    (data_copy / TEXT).mkdir()
    [problem] = problems_of(data_copy)
    assert problem.message.endswith("this is not a regular file but a folder: give a regular file in the data folder")
    assert problem.polish.endswith("to nie zwykły plik, lecz folder: podaj zwykły plik w folderze danych")


def test_a_source_text_above_the_limit_is_refused(data_copy: Path) -> None:
    assert MAX_TEXT_BYTES == 16 * 2**20
    with (data_copy / TEXT).open("ab") as text:
        text.truncate(MAX_TEXT_BYTES + 1)  # the real text, then zero bytes up to one byte over the limit
    path = data_copy / TEXT
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                TEXT_LINE,
                "text",
                Message(
                    f"nie można odczytać tekstu źródłowego {path}: tekst źródłowy {path} jest większy niż 16 MiB "
                    "(limit "
                    "tekstu raportu): zachowaj w nim tylko rozdział raportu o współpracy krajowej",
                    f"cannot read the source text {path}: the source text {path} is larger than 16 MiB (the limit for "
                    "a "
                    "report's text): keep in it only the report's section on national cooperation",
                ),
            )
        ]
    )


def test_a_text_of_exactly_the_limit_is_read(data_copy: Path) -> None:
    with (data_copy / TEXT).open("ab") as text:
        text.write(b" " * (MAX_TEXT_BYTES - text.tell()))  # spaces: the quotes still occur once
    assert len(read_dataset(data_copy).reports[0].text.encode()) == MAX_TEXT_BYTES


def test_the_build_refuses_a_named_pipe_with_exit_3_and_writes_nothing(data_copy: Path, tmp_path: Path) -> None:
    (data_copy / TEXT).unlink()
    os.mkfifo(data_copy / TEXT)
    out = tmp_path / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "civicgraph", "build", "--lang", "en", "--data", str(data_copy), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,  # a read of the pipe would block for ever: fail instead of hanging the suite
    )
    assert result.returncode == ExitCode.BAD_INPUT
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{data_copy / REPORT}:{TEXT_LINE}: text: cannot read")
    assert not out.exists()
