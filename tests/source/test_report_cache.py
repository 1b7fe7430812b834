"""Reports read by an earlier build are taken again only while the files they were read from are unchanged
(``civicgraph.source.cache``): the records are those a fresh read gives, after a report, its source text, the
organisations are changed, a report is removed, the cache file is damaged, or a link leads out of the folder."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.source import cache as cache_module
from civicgraph.source import reader as reader_module
from civicgraph.source.cache import ReportCache
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.util import parallel
from civicgraph.util.errors import InputError
from tests.conftest import add_poznan_2022, add_second_member

from .problems import edit_once

POZNAN_2023 = Path("reports/3064011/2023/report.yaml")
POZNAN_2022 = Path("reports/3064011/2022/report.yaml")
SECOND_2023 = Path("reports/3099011/2023/report.yaml")


@pytest.fixture
def three_reports(data_copy: Path) -> Path:
    """Poznań 2023 and 2022 and the made-up member 3099011's 2023 report."""
    add_poznan_2022(data_copy)
    add_second_member(data_copy)
    return data_copy


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The report files parsed from now on (in this process: fewer than 64 reports are read in one)."""
    files: list[Path] = []
    report = reader_module._Reader.report

    def counted(self: reader_module._Reader, file: Path, *args: object) -> object:
        files.append(file)
        return report(self, file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(reader_module._Reader, "report", counted)
    return files


def read_kept(data: Path, kept: Path, full: bool = False) -> Dataset:
    """A read with the cache kept in ``kept``."""
    return read_dataset(data, ReportCache(kept, full))


def relative(files: list[Path], data: Path) -> list[Path]:
    return sorted(file.relative_to(data) for file in files)


def test_a_second_read_takes_every_report_and_gives_the_records_of_a_fresh_read(
    three_reports: Path, tmp_path: Path, parsed: list[Path]
) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    first = read_kept(three_reports, kept)
    assert relative(parsed, three_reports) == [POZNAN_2022, POZNAN_2023, SECOND_2023]
    parsed.clear()
    written = kept.stat()

    second = read_kept(three_reports, kept)

    assert parsed == []
    assert second == first
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # not rewritten
    assert [(r.member, r.year) for r in second.reports] == [("3064011", 2022), ("3064011", 2023), ("3099011", 2023)]


def test_a_changed_report_is_read_again_and_the_others_taken(
    three_reports: Path, tmp_path: Path, parsed: list[Path]
) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    edit_once(
        three_reports / SECOND_2023,
        "Raport o stanie Gminy Przykładowej za 2023 rok",
        "Raport o stanie gminy za rok 2023",
    )
    parsed.clear()

    changed = read_kept(three_reports, kept)

    assert relative(parsed, three_reports) == [SECOND_2023]
    assert changed.reports[2].title.pl == "Raport o stanie gminy za rok 2023"
    assert read_dataset(three_reports) == changed  # a read without the cache
    parsed.clear()
    assert read_kept(three_reports, kept) == changed
    assert parsed == []  # the changed report was kept in turn


def test_a_changed_source_text_reads_its_report_again(three_reports: Path, tmp_path: Path, parsed: list[Path]) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    text = three_reports / POZNAN_2022.parent / "source.txt"
    with text.open("a", encoding="utf-8") as appended:
        appended.write("\n")
    parsed.clear()

    changed = read_kept(three_reports, kept)

    assert relative(parsed, three_reports) == [POZNAN_2022]
    assert changed == read_dataset(three_reports)
    assert changed.reports[0].text.endswith("\n\n")


def test_changed_organisations_read_every_report_again(three_reports: Path, tmp_path: Path, parsed: list[Path]) -> None:
    """A report's quotes are checked against the organisations' names: another organisations.yaml is another
    read, even when no report changed."""
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    with (three_reports / "organisations.yaml").open("a", encoding="utf-8") as organisations:
        organisations.write("# a comment changes the file, not the records\n")
    parsed.clear()

    again = read_kept(three_reports, kept)

    assert relative(parsed, three_reports) == [POZNAN_2022, POZNAN_2023, SECOND_2023]
    assert again == read_dataset(three_reports)


def test_full_reads_every_report_again_and_keeps_them(three_reports: Path, tmp_path: Path, parsed: list[Path]) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    parsed.clear()
    read_kept(three_reports, kept, full=True)
    assert relative(parsed, three_reports) == [POZNAN_2022, POZNAN_2023, SECOND_2023]
    parsed.clear()
    read_kept(three_reports, kept)
    assert parsed == []


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])  # empty, garbage, the int 1
def test_a_damaged_cache_is_ignored_and_written_anew(
    three_reports: Path, tmp_path: Path, parsed: list[Path], damage: bytes
) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    kept.write_bytes(damage)

    dataset = read_kept(three_reports, kept)

    assert relative(parsed, three_reports) == [POZNAN_2022, POZNAN_2023, SECOND_2023]
    assert dataset == read_dataset(three_reports)
    parsed.clear()
    read_kept(three_reports, kept)
    assert parsed == []


def test_a_removed_report_is_no_longer_kept(three_reports: Path, tmp_path: Path, parsed: list[Path]) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    folder = three_reports / POZNAN_2022.parent
    aside = tmp_path / "aside"
    shutil.move(folder, aside)
    parsed.clear()

    without = read_kept(three_reports, kept)

    assert parsed == []
    assert [(r.member, r.year) for r in without.reports] == [("3064011", 2023), ("3099011", 2023)]
    shutil.move(aside, folder)
    read_kept(three_reports, kept)
    assert relative(parsed, three_reports) == [POZNAN_2022]  # back, and read: it had been dropped


def test_a_report_with_a_problem_is_not_kept_and_the_cache_is_left_as_it_was(
    three_reports: Path, tmp_path: Path, parsed: list[Path]
) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    written = kept.read_bytes()
    report = three_reports / POZNAN_2023
    original = report.read_text(encoding="utf-8")
    edit_once(report, "        quote: 36 gmin\n", "        quote: 37 gmin\n")
    parsed.clear()

    with pytest.raises(InputError) as failed:
        read_kept(three_reports, kept)

    assert [(p.file, p.field) for p in failed.value.problems] == [(report, "activities.pkm.figures.communes.quote")]
    assert relative(parsed, three_reports) == [POZNAN_2023]
    assert kept.read_bytes() == written
    report.write_text(original, encoding="utf-8")
    parsed.clear()
    read_kept(three_reports, kept)
    assert parsed == []  # as it was read before the problem


def test_a_source_text_linked_out_of_the_data_folder_is_refused_though_its_bytes_are_those_kept(
    three_reports: Path, tmp_path: Path
) -> None:
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(three_reports, kept)
    text = three_reports / POZNAN_2022.parent / "source.txt"
    outside = tmp_path / "outside.txt"
    shutil.copyfile(text, outside)
    text.unlink()
    os.symlink(outside, text)

    with pytest.raises(InputError) as failed:
        read_kept(three_reports, kept)

    [problem] = failed.value.problems
    assert (problem.file, problem.field) == (three_reports / POZNAN_2022, "text")
    assert f"leads outside the data folder ({three_reports.resolve()}), to {outside.resolve()}" in problem.message


def test_reports_read_by_two_processes_are_kept_as_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[Path]
) -> None:
    """More than 64 reports: each process pickles the reports it reads (the child sends them pickled); the file
    is the one a read in one process writes, and the next read takes every report from it."""
    from civicgraph.source.synthetic import generate, write_dataset

    data = tmp_path / "data"
    write_dataset(generate(members=40, years=(2022, 2023), seed=7), data)
    by_two, by_one = tmp_path / ".two.reports.pickle", tmp_path / ".one.reports.pickle"
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    read_two = read_kept(data, by_two)
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    read_one = read_kept(data, by_one)

    assert read_two == read_one
    assert by_two.read_bytes() == by_one.read_bytes()
    parsed.clear()
    assert read_kept(data, by_two) == read_one  # in this process (one worker): any report read would be counted
    assert parsed == []


@pytest.mark.parametrize("cores", [2, 1])
def test_from_64_kept_reports_their_files_are_checked_in_a_child_while_they_are_unpickled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[Path], cores: int
) -> None:
    """With two cores and at least 64 kept reports, a forked child checks the reports' files while this process
    unpickles them: a report whose source text changed is read again, the others are taken, and the records are
    those of a fresh read, as with one core, where the files are checked here."""
    from civicgraph.source.synthetic import generate, write_dataset

    data = tmp_path / "data"
    write_dataset(generate(members=40, years=(2022, 2023), seed=7), data)
    kept = tmp_path / ".dist.reports.pickle"
    read_kept(data, kept)
    changed = sorted(data.glob("reports/*/2023/report.yaml"))[5]
    with (changed.parent / "source.txt").open("a", encoding="utf-8") as text:
        text.write("\n")
    checked_by = tmp_path / "checked-by"
    fitting = cache_module._fitting

    def recorded(*args: Any) -> set[Path]:
        checked_by.write_text(str(os.getpid()))
        return fitting(*args)

    monkeypatch.setattr(cache_module, "_fitting", recorded)
    monkeypatch.setattr(cache_module, "workers", lambda: cores)
    parsed.clear()

    read_again = read_kept(data, kept)

    assert parsed == [changed]
    assert read_again == read_dataset(data)
    assert len(read_again.reports) == 80
    assert (int(checked_by.read_text()) != os.getpid()) is (cores == 2)


def test_build_keeps_the_reports_beside_the_release_and_reads_none_again(
    three_reports: Path, tmp_path: Path, parsed: list[Path]
) -> None:
    out = tmp_path / "dist"
    for _ in range(2):
        result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(three_reports), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert relative(parsed, three_reports) == [POZNAN_2022, POZNAN_2023, SECOND_2023]  # the first build's
    assert (tmp_path / ".dist.reports.pickle").is_file()


def test_a_cache_that_cannot_be_written_leaves_no_partial_file(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: Path, target: Path) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "replace", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        read_kept(three_reports, tmp_path / ".dist.reports.pickle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
