"""`civicgraph draft --force` never overwrites a copy it kept before: a second forced draft over a reviewed report
is refused (exit code 2) before anything is written, and every earlier file's bytes survive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.draft.files import KeptCopyInTheWay, write_draft
from civicgraph.util.errors import ExitCode, Message

EDITION = Path("reports") / "3064011" / "2023"


def draft(text: Path, data: Path) -> Any:
    args = ["draft", str(text), "--member", "3064011", "--year", "2023", "--data", str(data), "--force"]
    return CliRunner().invoke(main, args)


def files_of(folder: Path) -> dict[Path, bytes]:
    """Every file under ``folder`` with its bytes: what a refused run must leave exactly as it was."""
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def review(report: Path) -> bytes:
    """What a person does last when reviewing a draft: remove its marker. The reviewed bytes."""
    drafted = report.read_text(encoding="utf-8")
    assert "status: draft\n" in drafted
    report.write_text(drafted.replace("status: draft\n", ""), encoding="utf-8")
    return report.read_bytes()


def in_the_way(copy: Path, what: str) -> str:
    overwrite = "which this draft would overwrite; move it elsewhere, then draft again"
    return f"{copy}: already keeps an earlier {what}, {overwrite}"


@pytest.fixture
def text(data_copy: Path, tmp_path: Path) -> Path:
    """The shipped Poznań 2023 text, given from outside the data folder."""
    given = tmp_path / "raport.txt"
    given.write_bytes((data_copy / EDITION / "source.txt").read_bytes())
    return given


def test_a_second_forced_draft_keeps_the_first_reviewed_report(data_copy: Path, text: Path) -> None:
    folder = data_copy / EDITION
    report, copy = folder / "report.yaml", folder / "report.yaml.reviewed"
    curated = report.read_bytes()
    first = draft(text, data_copy)
    assert first.exit_code == 0, first.output
    assert copy.read_bytes() == curated
    reviewed_again = review(report)
    before = files_of(data_copy)

    second = draft(text, data_copy)

    assert second.exit_code == ExitCode.USAGE == 2
    assert second.stderr == f"Error: {in_the_way(copy, 'reviewed report.yaml')}\n"
    assert files_of(data_copy) == before  # nothing written: the curated copy and the new review both whole
    assert copy.read_bytes() == curated
    assert report.read_bytes() == reviewed_again


def test_once_the_copy_is_moved_away_the_next_review_is_kept(data_copy: Path, text: Path, tmp_path: Path) -> None:
    folder = data_copy / EDITION
    report, copy = folder / "report.yaml", folder / "report.yaml.reviewed"
    curated = report.read_bytes()
    assert draft(text, data_copy).exit_code == 0
    reviewed_again = review(report)
    assert draft(text, data_copy).exit_code == 2
    moved = tmp_path / "report-curated.yaml"
    copy.rename(moved)

    third = draft(text, data_copy)

    assert third.exit_code == 0, third.output
    assert f"  the reviewed report it replaced is kept as {copy}" in third.stderr.splitlines()
    assert copy.read_bytes() == reviewed_again
    assert moved.read_bytes() == curated


def test_a_draft_replaced_again_leaves_the_kept_copy_alone(data_copy: Path, text: Path) -> None:
    copy = data_copy / EDITION / "report.yaml.reviewed"
    curated = (data_copy / EDITION / "report.yaml").read_bytes()
    assert draft(text, data_copy).exit_code == 0
    again = draft(text, data_copy)  # report.yaml is still a draft: nothing reviewed to keep
    assert again.exit_code == 0, again.output
    assert "kept as" not in again.stderr
    assert copy.read_bytes() == curated


def test_a_copy_holding_the_same_bytes_is_no_reason_to_refuse(data_copy: Path, text: Path) -> None:
    report, copy = data_copy / EDITION / "report.yaml", data_copy / EDITION / "report.yaml.reviewed"
    curated = report.read_bytes()
    assert draft(text, data_copy).exit_code == 0
    report.write_bytes(copy.read_bytes())  # the reviewer went back to the curated report

    again = draft(text, data_copy)

    assert again.exit_code == 0, again.output
    assert f"  the reviewed report it replaced is kept as {copy}" in again.stderr.splitlines()
    assert copy.read_bytes() == curated


def test_a_second_other_text_keeps_the_first_one(data_copy: Path, tmp_path: Path) -> None:
    folder = data_copy / EDITION
    shipped = (folder / "source.txt").read_bytes()
    other, third = tmp_path / "other.txt", tmp_path / "third.txt"
    other.write_bytes("Miasto jest członkiem Związku Miast Polskich.\n".encode())
    third.write_bytes("Miasto jest członkiem Unii Metropolii Polskich.\n".encode())
    assert draft(other, data_copy).exit_code == 0
    assert (folder / "source.txt.previous").read_bytes() == shipped
    before = files_of(data_copy)

    refused = draft(third, data_copy)

    # The report.yaml the first run left is a draft (nothing reviewed to keep): only the text is in the way.
    assert refused.exit_code == 2
    assert refused.stderr == f"Error: {in_the_way(folder / 'source.txt.previous', 'source.txt')}\n"
    assert files_of(data_copy) == before


def test_both_copies_in_the_way_are_named_on_one_line(data_copy: Path, tmp_path: Path) -> None:
    folder = data_copy / EDITION
    curated, shipped = (folder / "report.yaml").read_bytes(), (folder / "source.txt").read_bytes()
    other, third = tmp_path / "other.txt", tmp_path / "third.txt"
    other.write_bytes("Miasto jest członkiem Związku Miast Polskich.\n".encode())
    third.write_bytes("Miasto jest członkiem Unii Metropolii Polskich.\n".encode())
    assert draft(other, data_copy).exit_code == 0
    review(folder / "report.yaml")
    before = files_of(data_copy)

    refused = draft(third, data_copy)

    assert refused.exit_code == 2
    reviewed_copy, text_copy = folder / "report.yaml.reviewed", folder / "source.txt.previous"
    expected = f"{in_the_way(reviewed_copy, 'reviewed report.yaml')}; {in_the_way(text_copy, 'source.txt')}"
    assert refused.stderr == f"Error: {expected}\n"
    assert files_of(data_copy) == before
    assert (reviewed_copy.read_bytes(), text_copy.read_bytes()) == (curated, shipped)


def test_the_refusal_is_said_in_polish_and_english(data_copy: Path, text: Path) -> None:
    raw = text.read_bytes()
    write_draft(raw, "3064011", 2023, data_copy, None, force=True)
    review(data_copy / EDITION / "report.yaml")
    copy = data_copy / EDITION / "report.yaml.reviewed"
    with pytest.raises(KeptCopyInTheWay) as refused:
        write_draft(raw, "3064011", 2023, data_copy, None, force=True)
    assert refused.value.exit_code == ExitCode.USAGE
    assert refused.value.kept == [copy]
    assert refused.value.message == Message(
        f"{copy}: już przechowuje wcześniejszy przejrzany report.yaml, który ten szkic by nadpisał; "
        "przenieś go w inne miejsce, potem uruchom draft ponownie",
        in_the_way(copy, "reviewed report.yaml"),
    )
