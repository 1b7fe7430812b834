"""benchmarks/timeline.py: the CPU seconds sampled are summed per stretch between two stage lines, the building
process apart from the others, and what the cores could have done beyond them is the idle time."""

from __future__ import annotations

import importlib
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
timeline = importlib.import_module("timeline")

BUILDING, CHILD = 100, 200


def test_each_stretch_sums_the_seconds_sampled_until_its_stage_line() -> None:
    samples = [
        timeline.Sample(0.1, 0.1, {BUILDING: 0.10}),
        timeline.Sample(0.2, 0.1, {BUILDING: 0.10, CHILD: 0.05}),
        timeline.Sample(0.3, 0.1, {BUILDING: 0.09, CHILD: 0.10}),
        timeline.Sample(0.4, 0.1, {BUILDING: 0.10}),
        timeline.Sample(0.5, 0.1, {BUILDING: 0.04}),
    ]
    lines = [
        (0.25, "read: 2 reports in 0.21 s, 9 reports/s (total 0.2 s)"),
        (0.42, "publish: write_site: 0.17 s (total 0.4 s)"),
    ]
    rows = timeline.stretches(timeline.Timeline(BUILDING, samples, lines), cores=2)
    names = [row[0] for row in rows]
    assert names == ["read", "publish: write_site", "the end: SHA256SUMS written to the process's end"]
    # read: the samples at 0.1 and 0.2 s; 0.2 s of two cores is 0.4 core-seconds, 0.25 of them used
    assert rows[0][1:] == pytest.approx((0.2, 0.20, 0.05, 0.15))
    # the site: the samples at 0.3 and 0.4 s, from the read's last sample (0.2 s) to its own last (0.4 s)
    assert rows[1][1:] == pytest.approx((0.2, 0.19, 0.10, 0.11))
    # the rest: the sample at 0.5 s
    assert rows[2][1:] == pytest.approx((0.1, 0.04, 0.0, 0.16))


def test_a_process_sampled_at_work_on_more_than_one_core_leaves_no_negative_idle_time() -> None:
    """SHA256SUMS hashes in two threads of the building process: its share of a core passes 1."""
    samples = [timeline.Sample(0.1, 0.1, {BUILDING: 0.15, CHILD: 0.08})]
    rows = timeline.stretches(timeline.Timeline(BUILDING, samples, []), cores=2)
    assert rows == [("the end: SHA256SUMS written to the process's end", pytest.approx(0.1), 0.15, 0.08, 0.0)]
