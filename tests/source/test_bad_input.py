"""Bad input gets one clear message per problem, naming file, line and field — and loses nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civicgraph.util.errors import ExitCode, Message, Problem

from ..conftest import ROOT
from .problems import edit_once, problems_of, stated

REPORT = Path("reports/3064011/2023/report.yaml")


CASES = {
    # name: (file, old, new, line offset of the problem from the edit, field, message)
    "malformed YAML": (
        "members.yaml",
        "  kind: county\n",
        "  kind: county\n   oops: [\n",
        1,
        "",
        Message(
            "błędna składnia YAML: mapping values are not allowed in this context",
            "malformed YAML: mapping values are not allowed in this context",
        ),
    ),
    "unknown field": (
        "organisations.yaml",
        "ump:\n",
        "ump:\n  colour: red\n",
        1,
        "ump.colour",
        Message(
            "nieznane pole; pola w tym miejscu to: name, type, krs, wikidata, abbreviation, variants",
            "unknown field; the fields here are: name, type, krs, wikidata, abbreviation, variants",
        ),
    ),
    "missing field": (
        "members.yaml",
        '"30":\n  name: {pl: Województwo Wielkopolskie, en: Greater Poland Voivodeship}\n  kind: voivodeship\n',
        '"30":\n  name: {pl: Województwo Wielkopolskie, en: Greater Poland Voivodeship}\n',
        1,
        "30.kind",
        Message(
            "brak pola",
            "missing field",
        ),
    ),
    "unknown organisation": (
        REPORT,
        "  wkt:\n",
        "  wktt:\n",
        0,
        "memberships.wktt",
        Message(
            "'wktt' nie jest zdefiniowany w organisations.yaml; dodaj go tam albo popraw pisownię",
            "'wktt' is not defined in organisations.yaml; add it there or fix the spelling",
        ),
    ),
    "duplicate key": (
        "organisations.yaml",
        "wkt:\n",
        "wkt:\n  name: {pl: X}\n  type: null\n  krs: null\n  wikidata: null\nwkt:\n",
        5,
        "wkt",
        Message(
            "powtórzony klucz (pierwszy raz w wierszu {line})",
            "duplicate key (first defined on line {line})",
        ),
    ),
    "impossible date": (
        REPORT,
        "  zmp:\n    quote: Związek Miast Polskich;\n",
        "  zmp:\n    start: 2023-02-30\n    quote: Związek Miast Polskich;\n",
        1,
        "memberships.zmp.start",
        Message(
            "dzień 2023-02-30 nie istnieje",
            "2023-02-30 is not a date that exists",
        ),
    ),
    "malformed TERYT": (
        "members.yaml",
        '"3021":',
        '"302":',
        0,
        "302",
        Message(
            "kod TERYT ma 2 (województwo), 4 (powiat) lub 7 (gmina) cyfr",
            "a TERYT code has 2 (voivodeship), 4 (county) or 7 (commune) digits",
        ),
    ),
    "malformed KRS": (
        "organisations.yaml",
        "  abbreviation: ZMP\n  type: null   # the 2023 report does not state the legal form\n  krs: null",
        "  abbreviation: ZMP\n  type: null\n  krs: '12345'",
        2,
        "zmp.krs",
        Message(
            "'12345' ma błędną postać: oczekiwano: 10 cyfr (numer KRS)",
            "'12345' is malformed: expected 10 digits (a KRS number)",
        ),
    ),
    "malformed QID": (
        "members.yaml",
        "  kind: voivodeship\n  wikidata: null",
        '  kind: voivodeship\n  wikidata: {qid: "268", method: manual, by: test, date: 2026-01-01}',
        1,
        "30.wikidata.qid",
        Message(
            "'268' ma błędną postać: identyfikator elementu Wikidanych to Q i liczba od 1 do 2147483647 bez zer na "
            "początku (tyle dopuszcza Wikibase), np. Q268",
            "'268' is malformed: a Wikidata item identifier is Q and a number from 1 to 2147483647 without leading "
            "zeros (what Wikibase allows), such as Q268",
        ),
    ),
    "negative amount": (
        REPORT,
        "        value: 800000000\n",
        "        value: -800000000\n",
        0,
        "activities.zit-projects.figures.eu-grants.value",
        Message(
            "-800000000 jest liczbą ujemną; kwoty i liczności nigdy nie są mniejsze od zera",
            "-800000000 is negative; amounts and counts are never below zero",
        ),
    ),
    "non-numeric amount": (
        REPORT,
        "        value: 1400000000\n",
        "        value: 1,4 mld\n",
        0,
        "activities.zit-projects.figures.total-value.value",
        Message(
            "'1,4 mld' nie jest liczbą; wpisz same cyfry, np. 1400000000 (nie '1,4 mld')",
            "'1,4 mld' is not a number; write digits only, e.g. 1400000000 (not '1,4 mld')",
        ),
    ),
    "quote not found": (
        REPORT,
        "        quote: 36 gmin\n",
        "        quote: 37 gmin\n",
        0,
        "activities.pkm.figures.communes.quote",
        Message(
            "fragmentu '37 gmin' nie ma w tekście źródłowym",
            "the passage '37 gmin' does not occur in the source text",
        ),
    ),
    "ambiguous quote": (
        REPORT,
        "        quote: blisko 1,4 mld zł\n",
        "        quote: blisko\n",
        0,
        "activities.zit-projects.figures.total-value.quote",
        Message(
            "fragment 'blisko' występuje w tekście źródłowym 2 razy; wydłuż go",
            "the passage 'blisko' occurs 2 times in the source text; lengthen it",
        ),
    ),
    "unknown hedge": (
        REPORT,
        "        hedge: more-than\n        quote: ponad 800 mln zł",
        "        hedge: roughly\n        quote: ponad 800 mln zł",
        0,
        "activities.zit-projects.figures.eu-grants.hedge",
        Message(
            "'roughly' nie jest żadną z wartości: about, at-least, exact, more-than, nearly",
            "'roughly' is not one of: about, at-least, exact, more-than, nearly",
        ),
    ),
    "activity outside the report's memberships": (
        REPORT,
        "  e-delivery-guides:\n    membership: ump\n",
        "  e-delivery-guides:\n    membership: plott\n",
        1,
        "activities.e-delivery-guides.membership",
        Message(
            "'plott' nie należy do członkostw tego raportu; najpierw dodaj je pod `memberships`",
            "'plott' is not among this report's memberships; add it under `memberships` first",
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_input_gets_one_located_message(data_copy: Path, case: str) -> None:
    """One message per problem (a malformed key also leaves its references dangling: a second problem)."""
    file, old, new, offset, field, message = CASES[case]
    line = edit_once(data_copy / file, old, new) + offset
    if "{line}" in message.en:
        text = (data_copy / file).read_text(encoding="utf-8")
        first = text[: text.index("wkt:\n")].count("\n") + 1
        message = Message(message.pl.format(line=first), message.en.format(line=first))
    problems = problems_of(data_copy)
    expected = [Problem.of(data_copy / file, line, field, message)]
    if case == "malformed TERYT":
        report_text = (data_copy / REPORT).read_text(encoding="utf-8")
        reference = report_text[: report_text.index('member: "3021"')].count("\n") + 1
        expected.append(
            Problem.of(
                data_copy / REPORT,
                reference,
                "activities.pkm.participants[2].member",
                Message(
                    "'3021' nie jest zdefiniowany w members.yaml; dodaj go tam albo popraw pisownię",
                    "'3021' is not defined in members.yaml; add it there or fix the spelling",
                ),
            )
        )
    assert stated(problems) == stated(expected)


def test_several_problems_are_reported_together(data_copy: Path) -> None:
    edit_once(data_copy / REPORT, "        quote: 36 gmin\n", "        quote: 37 gmin\n")
    edit_once(data_copy / REPORT, "        value: 1400000000\n", "        value: lots\n")
    fields = [p.field for p in problems_of(data_copy)]
    assert fields == [
        "activities.zit-projects.figures.total-value.value",
        "activities.pkm.figures.communes.quote",
    ]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_cli_reports_bad_input_without_traceback_and_keeps_dist(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert _run("build", "--data", str(data_copy), "--out", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    reports_read = (tmp_path / ".dist.reports.pickle").read_bytes()
    line = edit_once(data_copy / REPORT, "        quote: 36 gmin\n", "        quote: 37 gmin\n")
    result = _run("build", "--data", str(data_copy), "--out", str(out))  # --lang pl is the default
    assert result.returncode == ExitCode.BAD_INPUT == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{data_copy / REPORT}:{line}: activities.pkm.figures.communes.quote: "
        "fragmentu '37 gmin' nie ma w tekście źródłowym",
        "Błąd: problemy w danych źródłowych: 1; niczego nie zapisano",
    ]
    assert result.stdout == ""
    in_english = _run("build", "--lang", "en", "--data", str(data_copy), "--out", str(out))
    assert in_english.returncode == ExitCode.BAD_INPUT
    assert in_english.stderr.splitlines() == [
        f"{data_copy / REPORT}:{line}: activities.pkm.figures.communes.quote: "
        "the passage '37 gmin' does not occur in the source text",
        "Error: 1 problem in the source data; nothing was written",
    ]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # no staging folder left, only the lock file, the reports read for the release (as they were) and the record
    # of its reusable files
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".dist")) == [
        ".dist.lock",
        ".dist.reports.pickle",
        ".dist.reuse.json",
    ]
    assert (tmp_path / ".dist.reports.pickle").read_bytes() == reports_read


def test_debug_shows_the_traceback(data_copy: Path, tmp_path: Path) -> None:
    edit_once(data_copy / REPORT, "        quote: 36 gmin\n", "        quote: 37 gmin\n")
    result = _run("--debug", "build", "--data", str(data_copy), "--out", str(tmp_path / "dist"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "InputError" in result.stderr


def test_missing_data_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("build", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "dist"))
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.strip() == f"Błąd: {tmp_path / 'nowhere'}: nie ma takiego folderu danych (podaj go w --data)"
    result = _run("build", "--lang", "en", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "dist"))
    assert result.stderr.strip() == f"Error: {tmp_path / 'nowhere'}: no such data folder (give one with --data)"
