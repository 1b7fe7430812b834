"""A report lives in ``reports/{TERYT}/{year}/report.yaml`` and says the member and year of its folder; a report
with no text or no membership is refused, saying what to fill in — the blank report ``scripts/new_report.py``
writes included. Each case: the problems in both languages, exit 3 from ``civicgraph build``, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civicgraph.util.errors import ExitCode, Message, Problem

from ..conftest import ROOT
from .problems import edit_once, problems_of, stated

REPORT = Path("reports/3064011/2023/report.yaml")


def _build(data: Path, out: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civicgraph", "build", "--lang", lang, "--data", str(data), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_year_that_is_not_its_folders_is_refused(data_copy: Path, tmp_path: Path) -> None:
    line = edit_once(data_copy / REPORT, "year: 2023\n", "year: 2021\n")
    folder = data_copy / REPORT.parent
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                line,
                "year",
                Message(
                    f"2021 nie zgadza się z folderem raportu {folder} (2023); popraw `year` albo przenieś raport do "
                    "właściwego folderu",
                    f"2021 does not match the report's folder {folder} (2023); fix `year` or move the report to its "
                    "own folder",
                ),
            )
        ]
    )
    result = _build(data_copy, tmp_path / "dist")
    assert result.returncode == ExitCode.BAD_INPUT
    assert result.stderr.splitlines()[0] == (
        f"{data_copy / REPORT}:{line}: year: 2021 does not match the report's folder {folder} (2023); fix `year` "
        "or move the report to its own folder"
    )
    assert not (tmp_path / "dist").exists()


def test_a_member_that_is_not_its_folders_is_refused(data_copy: Path) -> None:
    line = edit_once(data_copy / REPORT, '\nmember: "3064011"\n', '\nmember: "30"\n') + 1
    [problem] = problems_of(data_copy)
    assert (problem.file, problem.line, problem.field) == (data_copy / REPORT, line, "member")
    assert problem.message.startswith("30 does not match the report's folder")
    assert problem.polish.startswith("30 nie zgadza się z folderem raportu")


@pytest.mark.parametrize(
    ("folder", "what"),
    [
        ("reports/306401/2023", Message("nazwa folderu nie jest kodem TERYT", "the folder name is not a TERYT code")),
        ("reports/3064011/23", Message("nazwa folderu nie jest rokiem", "the folder name is not a year")),
    ],
)
def test_a_report_in_a_folder_not_named_for_a_member_year_is_refused(
    data_copy: Path, folder: str, what: Message
) -> None:
    (data_copy / folder).parent.mkdir(parents=True, exist_ok=True)
    (data_copy / REPORT.parent).rename(data_copy / folder)
    misnamed = data_copy / folder if folder.endswith("/23") else (data_copy / folder).parent
    expected = Message(
        f"{what.pl}: raport mieszka w reports/{{TERYT}}/{{rok}}/report.yaml",
        f"{what.en}: a report lives in reports/{{TERYT}}/{{year}}/report.yaml",
    )
    no_reports = Message(
        "brak raportów: raport mieszka w reports/{TERYT}/{rok}/report.yaml",
        "no reports: a report lives in reports/{TERYT}/{year}/report.yaml",
    )
    problems = stated(problems_of(data_copy))
    assert stated([Problem.of(data_copy / "reports", None, "", no_reports)])[0] in problems
    assert stated([Problem.of(misnamed, None, "", expected)])[0] in problems


def test_an_empty_source_text_is_refused(data_copy: Path) -> None:
    text = data_copy / REPORT.parent / "source.txt"
    text.write_text("\n", encoding="utf-8")
    problems = problems_of(data_copy)
    assert stated(problems[:1]) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                20,
                "text",
                Message(
                    f"tekst źródłowy {text} jest pusty: wklej do niego rozdział raportu o współpracy krajowej, bajt w "
                    "bajt, "
                    "tak jak go opublikowano",
                    f"the source text {text} is empty: paste into it the report's section on national cooperation, "
                    "byte "
                    "for byte as published",
                ),
            )
        ]
    )
    assert len(problems) == 1


def test_a_report_without_memberships_is_refused(data_copy: Path) -> None:
    report = data_copy / REPORT
    text = report.read_text(encoding="utf-8")
    start, end = text.index("memberships:\n"), text.index("activities:\n")
    report.write_text(text[:start] + "memberships: {}\n\n" + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                line,
                "memberships",
                Message(
                    "raport nie podaje żadnego członkostwa: dodaj tu każdą organizację, którą wymienia raport (jej "
                    "klucz "
                    "z organisations.yaml), z cytatem, który ją nazywa (`quote`)",
                    "the report states no membership: add here each organisation the report names (its key in "
                    "organisations.yaml) with the passage naming it (`quote`)",
                ),
            )
        ]
    )


def test_the_blank_report_of_new_report_is_refused_saying_what_to_fill_in(data_copy: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "new_report.py"), "3021", "2024", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = data_copy / "reports" / "3021" / "2024" / "report.yaml"
    text = report.read_text(encoding="utf-8")

    def line_of(start: str) -> int:
        return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(start))

    result = _build(data_copy, tmp_path / "dist", lang="pl")
    assert result.returncode == ExitCode.BAD_INPUT
    assert result.stderr.splitlines() == [
        f"{report}:{line_of('  pl:')}: title.pl: brak wartości: uzupełnij to pole",
        f"{report}:{line_of('text:')}: text: tekst źródłowy {report.parent / 'source.txt'} jest pusty: wklej do "
        "niego rozdział raportu o współpracy krajowej, bajt w bajt, tak jak go opublikowano",
        f"{report}:{line_of('memberships:')}: memberships: raport nie podaje żadnego członkostwa: dodaj tu każdą "
        "organizację, którą wymienia raport (jej klucz z organisations.yaml), z cytatem, który ją nazywa (`quote`)",
        "Błąd: problemy w danych źródłowych: 3; niczego nie zapisano",
    ]
    assert not (tmp_path / "dist").exists()
