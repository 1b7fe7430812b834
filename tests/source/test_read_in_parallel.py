"""A national dataset's reports are read by two processes (``util.parallel.map_in_parallel``): the records and the
problems are those of reading them one after the other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.source.synthetic import generate, write_dataset
from civicgraph.util import parallel

from .problems import edit_once, problems_of, stated


@pytest.fixture(scope="module")
def eighty_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 local governments, 2 years each: more reports than the 64 below which they are read in one process."""
    data = tmp_path_factory.mktemp("read") / "data"
    write_dataset(generate(members=40, years=(2022, 2023), seed=7), data)
    return data


def _read_by(monkeypatch: pytest.MonkeyPatch, processes: int, data: Path) -> Dataset:
    monkeypatch.setattr(parallel, "workers", lambda: processes)
    return read_dataset(data)


def test_two_processes_read_the_same_records_as_one(eighty_reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_two = _read_by(monkeypatch, 2, eighty_reports)
    by_one = _read_by(monkeypatch, 1, eighty_reports)
    assert by_two == by_one
    assert len(by_two.reports) == 80


def test_two_processes_find_the_problems_one_finds(
    eighty_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(eighty_reports, data)
    files = sorted((data / "reports").glob("*/*/report.yaml"))
    # reports 1 and 79 go to the child (every other one from the second), report 2 stays in the parent
    for number in (1, 2, 79):
        year = files[number].parent.name
        edit_once(files[number], f"\nyear: {year}\n", "\nyear: 1999\n")
    not_a_year = files[1].parent.parent / "draft"
    not_a_year.mkdir()
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    by_two = problems_of(data)
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert stated(by_two) == stated(problems_of(data))
    # sorted by file (civicgraph.util.errors.InputError)
    assert [(p.file, p.field) for p in by_two] == [
        (files[1], "year"),
        (not_a_year, ""),
        (files[2], "year"),
        (files[79], "year"),
    ]
