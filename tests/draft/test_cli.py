"""`civicgraph draft` on the command line: what it writes, prints and refuses, with its exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from civicgraph.cli.main import main

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "draft" / "dev"
TEXT = DEV / "3401-2021" / "source.txt"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DEV / "organisations.yaml", folder)
    shutil.copy(DEV / "members.yaml", folder)
    return folder


def draft(*args: str) -> Any:
    return CliRunner().invoke(main, ["draft", *args])


def test_stdout_prints_the_draft_and_writes_nothing(data: Path) -> None:
    result = draft(str(TEXT), "--member", "3401", "--year", "2021", "--data", str(data), "--stdout")
    assert result.exit_code == 0, result.output
    report: Any = yaml.safe_load(result.stdout)
    assert (report["status"], report["member"], report["year"]) == ("draft", "3401", 2021)
    assert list(report["memberships"]) == ["zpp", "sgipp", "lgd-puszcza-borowiecka", "lot-kraina-debow"]
    assert not (data / "reports").exists()


def test_the_folder_is_written_and_the_next_step_said(data: Path) -> None:
    result = draft(str(TEXT), "--member", "3401", "--year", "2021", "--data", str(data), "--url", "https://x.org/r")
    assert result.exit_code == 0, result.output
    assert (data / "reports/3401/2021/source.txt").read_bytes() == TEXT.read_bytes()
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"drafted {data / 'reports/3401/2021/report.yaml'}: 4 memberships (0 proposed), ")
    assert lines[-1] == "  review it (docs/drafting.md), remove `status: draft`, then run `civicgraph validate`"


def test_an_existing_report_is_refused_without_force(data: Path) -> None:
    args = [str(TEXT), "--member", "3401", "--year", "2021", "--data", str(data)]
    assert draft(*args).exit_code == 0
    again = draft(*args)
    assert again.exit_code == 2
    assert "report.yaml already exists; give --force to replace it" in again.stderr
    assert draft(*args, "--force").exit_code == 0


def test_wrong_usage_and_bad_input(data: Path, tmp_path: Path) -> None:
    not_teryt = draft(str(TEXT), "--member", "34011", "--year", "2021", "--data", str(data))
    assert not_teryt.exit_code == 2
    # cli/draft.py's click.BadParameter, as click words it ("Invalid value for {param_hint}: {message}").
    assert not_teryt.stderr.splitlines()[-1] == (
        "Error: Invalid value for --member: '34011' is not a TERYT code (2, 4 or 7 digits)"
    )
    no_data = draft(str(TEXT), "--member", "3401", "--year", "2021", "--data", str(tmp_path / "none"))
    assert no_data.exit_code == 2
    assert no_data.stderr == f"Error: {tmp_path / 'none'}: no such data folder (give one with --data)\n"
    assert not (tmp_path / "none").exists()
    latin2 = tmp_path / "raport.txt"
    latin2.write_bytes("Gmina należy".encode("cp1250"))
    result = draft(str(latin2), "--member", "3401", "--year", "2021", "--data", str(data))
    assert result.exit_code == 3
    assert f"{latin2}: the text is not UTF-8 (byte 10); save it as UTF-8" in result.stderr
