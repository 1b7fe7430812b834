"""The build date: ``SOURCE_DATE_EPOCH`` as reproducible-builds.org specifies it (an integer in ASCII digits, as
``date +%s`` prints it), else the ``build_date`` setting, which civicgraph.yaml must give either way.

A malformed value ends the build with exit 3, one line naming the variable and the value, and the earlier release
as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.publish.release import build_date, date_of_source_epoch
from civicgraph.source.records import Dataset, Location, Settings
from civicgraph.util.errors import ExitCode, Failure

NOT_SECONDS = "is not a number of seconds since 1970-01-01 00:00 UTC: give digits 0-9 alone, as `date +%s` prints them"
TOO_LATE = "is a date after 9999-12-31, the last day a release can have: give at most 253402300799 seconds"


def build(data: Path, out: Path, epoch: str | None, lang: str = "en") -> tuple[int, str]:
    args = ["build", "--lang", lang, "--data", str(data), "--out", str(out)]
    result = CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": epoch})
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- what a value means -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("0", date(1970, 1, 1)),
        ("86399", date(1970, 1, 1)),
        ("86400", date(1970, 1, 2)),
        ("1700000000", date(2023, 11, 14)),  # 2023-11-14T22:13:20Z
        ("0001700000000", date(2023, 11, 14)),
        ("253402300799", date(9999, 12, 31)),  # the last second of the last day a date can be
    ],
)
def test_ascii_digits_give_the_utc_day(value: str, day: date) -> None:
    assert date_of_source_epoch(value) == day


@pytest.mark.parametrize(
    "value",
    [
        "-1",  # int() gives 1969-12-31
        "+1700000000",
        "1_700_000_000",
        "１７００００００００",  # full-width digits, which int() reads
        "١٧٠٠٠٠٠٠٠٠",  # Arabic-Indic digits
        "1700000000.5",
        " 1700000000",
        "1700000000\n",
        "0x10",
        "yesterday",
        " ",
    ],
)
def test_anything_but_ascii_digits_is_refused_naming_the_variable_and_the_value(value: str) -> None:
    with pytest.raises(Failure) as refused:
        date_of_source_epoch(value)

    assert refused.value.exit_code == ExitCode.BAD_INPUT == 3
    assert refused.value.message.en == f"SOURCE_DATE_EPOCH={value!r} {NOT_SECONDS}"
    assert refused.value.message.pl == (
        f"SOURCE_DATE_EPOCH={value!r} nie jest liczbą sekund od 1970-01-01 00:00 UTC: podaj same cyfry 0-9, jak "
        "wypisuje je `date +%s`"
    )


@pytest.mark.parametrize("value", ["253402300800", "99999999999999", "9" * 5000])
def test_seconds_past_the_last_day_a_date_can_be_are_refused_as_such(value: str) -> None:
    with pytest.raises(Failure) as refused:
        date_of_source_epoch(value)

    assert refused.value.exit_code == ExitCode.BAD_INPUT
    assert refused.value.message.en == f"SOURCE_DATE_EPOCH={value!r} {TOO_LATE}"
    assert refused.value.message.pl == (
        f"SOURCE_DATE_EPOCH={value!r} to data po 9999-12-31, ostatnim dniu, jaki może mieć wydanie: podaj najwyżej "
        "253402300799 sekund"
    )


def test_the_variable_overrides_the_setting_and_set_empty_counts_as_unset(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dataset.settings.build_date == date(2026, 11, 29)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_date(dataset.settings) == date(2023, 11, 14)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert build_date(dataset.settings) == date(2026, 11, 29)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date(dataset.settings) == date(2026, 11, 29)


def test_settings_made_in_code_without_a_date_are_a_programming_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read from a data folder always have a date (the reader requires it); only code can make them
    without one."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with pytest.raises(ValueError) as raised:
        build_date(Settings("https://example.org/id/", "", Location(Path("civicgraph.yaml"), 1)))
    assert str(raised.value) == "settings without build_date: civicgraph.yaml must give it"


# -- a build ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "why"), [("-1", NOT_SECONDS), ("99999999999999", TOO_LATE)])
def test_a_malformed_value_leaves_the_earlier_release_as_it_was(
    data_copy: Path, tmp_path: Path, value: str, why: str
) -> None:
    out = tmp_path / "dist"
    assert build(data_copy, out, "1700000000")[0] == 0
    before = tree(out)

    code, output = build(data_copy, out, value)

    assert code == ExitCode.BAD_INPUT == 3
    assert output == f"Error: SOURCE_DATE_EPOCH={value!r} {why}\n"
    assert tree(out) == before
    assert not list(tmp_path.glob(".dist.staging-*"))


def test_a_malformed_value_writes_no_new_release(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"

    code, output = build(data_copy, out, "1_700_000_000", lang="pl")

    assert code == 3
    assert output == (
        "Błąd: SOURCE_DATE_EPOCH='1_700_000_000' nie jest liczbą sekund od 1970-01-01 00:00 UTC: podaj same cyfry "
        "0-9, jak wypisuje je `date +%s`\n"
    )
    assert not out.exists()


def test_build_date_is_required_even_when_the_variable_is_set(data_copy: Path, tmp_path: Path) -> None:
    """docs/publishing.md: the setting is required; SOURCE_DATE_EPOCH overrides it, and does not stand in for it."""
    settings = data_copy / "civicgraph.yaml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    settings.write_text("".join(line for line in lines if not line.startswith("build_date:")), encoding="utf-8")

    code, output = build(data_copy, tmp_path / "dist", "1700000000")

    assert code == 3
    assert f"{settings}:" in output and ": build_date: missing field\n" in output
    assert not (tmp_path / "dist").exists()
