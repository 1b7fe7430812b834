"""Writing a draft into a data folder: the text byte for byte, nothing reviewed lost, proposals appended once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.draft.files import NotUtf8, ReportExists, is_draft, write_draft

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "draft" / "dev"
CASE = DEV / "3402-2022" / "source.txt"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DEV / "organisations.yaml", folder / "organisations.yaml")
    shutil.copy(DEV / "members.yaml", folder / "members.yaml")
    return folder


def test_the_folder_holds_the_text_byte_for_byte_and_a_draft(data: Path) -> None:
    raw = CASE.read_bytes() + "\u00a0\r\n".encode()  # white space as received is kept too
    written = write_draft(raw, "3402", 2022, data, "https://example.org/raport/2022/", force=False)
    folder = data / "reports" / "3402" / "2022"
    assert written.folder == folder
    assert (folder / "source.txt").read_bytes() == raw
    assert "- Online: https://example.org/raport/2022/" in (folder / "SOURCE.md").read_text(encoding="utf-8")
    report: Any = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    assert (report["status"], report["member"], report["year"]) == ("draft", "3402", 2022)
    assert report["url"] == "https://example.org/raport/2022/"
    assert is_draft(folder / "report.yaml")


def test_proposals_are_appended_once_marked_as_drafts(data: Path) -> None:
    before = (data / "organisations.yaml").read_text(encoding="utf-8")
    written = write_draft(CASE.read_bytes(), "3402", 2022, data, None, force=False)
    assert written.proposed == [
        "stowarzyszenie-pojezierski-klaster-edukacyjny",
        "fundacja-wspierania-szkolnictwa-zawodowego",
    ]
    after = (data / "organisations.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # what was there is untouched
    organisations: Any = yaml.safe_load(after)
    assert organisations["fundacja-wspierania-szkolnictwa-zawodowego"]["status"] == "draft"
    again = write_draft(CASE.read_bytes(), "3402", 2022, data, None, force=True)
    assert again.proposed == []
    assert (data / "organisations.yaml").read_text(encoding="utf-8") == after


def test_an_existing_report_is_replaced_only_when_asked(data: Path) -> None:
    write_draft(CASE.read_bytes(), "3402", 2022, data, None, force=False)
    report = data / "reports" / "3402" / "2022" / "report.yaml"
    drafted = report.read_bytes()
    with pytest.raises(ReportExists):
        write_draft(b"Inny tekst.", "3402", 2022, data, None, force=False)
    assert report.read_bytes() == drafted


def test_a_reviewed_report_is_kept_before_it_is_replaced(data: Path) -> None:
    write_draft(CASE.read_bytes(), "3402", 2022, data, None, force=False)
    report = data / "reports" / "3402" / "2022" / "report.yaml"
    reviewed = report.read_text(encoding="utf-8").replace("status: draft\n", "")
    report.write_text(reviewed, encoding="utf-8")
    written = write_draft(CASE.read_bytes(), "3402", 2022, data, None, force=True)
    assert written.kept == report.with_name("report.yaml.reviewed")
    assert written.kept.read_text(encoding="utf-8") == reviewed
    assert is_draft(report)


def test_a_text_that_is_not_utf8_writes_nothing(data: Path) -> None:
    with pytest.raises(NotUtf8, match="byte 10"):  # "Gmina nale" is 10 bytes, then "ż" in cp1250
        write_draft("Gmina należy".encode("cp1250"), "3402", 2022, data, None, force=False)
    assert not (data / "reports").exists()


MISSING_MEMBER_TEXT = b"Gmina jest cz\xc5\x82onkiem Zwi\xc4\x85zku Powiat\xc3\xb3w Polskich."


def test_a_member_missing_from_members_yaml_is_said(data: Path, tmp_path: Path) -> None:
    written = write_draft(MISSING_MEMBER_TEXT, "0201011", 2023, data, None, force=False)
    assert written.unknown_member
    assert [m.key for m in written.draft.memberships] == ["zpp"]
    # ... and said on the command line (cli/draft.py), just before the next step.
    text = tmp_path / "source.txt"
    text.write_bytes(MISSING_MEMBER_TEXT)
    result = CliRunner().invoke(
        main, ["draft", str(text), "--member", "0201011", "--year", "2023", "--data", str(data), "--force"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-2:] == [
        "  0201011 is not in members.yaml yet: add it before validating",
        "  review it (docs/drafting.md), remove `status: draft`, then run `civicgraph validate`",
    ]


def test_a_known_member_is_not_said_to_be_missing(data: Path) -> None:
    """The line above is no constant: for a member members.yaml has, it is not printed."""
    result = CliRunner().invoke(main, ["draft", str(CASE), "--member", "3402", "--year", "2022", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "is not in members.yaml" not in result.stderr


def test_a_filled_in_citation_and_another_text_are_kept(data: Path) -> None:
    write_draft(CASE.read_bytes(), "3402", 2022, data, None, force=False)
    folder = data / "reports" / "3402" / "2022"
    citation = "# Source of `source.txt`\n\nRaport o stanie Powiatu, rozdział 7.\n"
    (folder / "SOURCE.md").write_text(citation, encoding="utf-8")
    written = write_draft(b"Powiat jest cz\xc5\x82onkiem ZPP.", "3402", 2022, data, None, force=True)
    assert (folder / "SOURCE.md").read_text(encoding="utf-8") == citation
    assert written.kept_text == folder / "source.txt.previous"
    assert written.kept_text.read_bytes() == CASE.read_bytes()
    assert (folder / "source.txt").read_bytes() == "Powiat jest członkiem ZPP.".encode()
