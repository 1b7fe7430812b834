"""benchmarks/bench_tricks.py turns each trick off by setting a value in civicgraph: each value must still be there
(a renamed one makes the run stop, "no ..."), and each off value must be one Python can make."""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
bench_tricks = importlib.import_module("bench_tricks")


@pytest.mark.parametrize("name", sorted(bench_tricks.TRICKS))
def test_each_trick_turns_off_a_value_civicgraph_has(name: str) -> None:
    trick = bench_tricks.TRICKS[name]
    module = importlib.import_module(f"civicgraph.{trick.module}")
    assert hasattr(module, trick.name), f"{trick.where} is gone: the trick {name} would not run"
    off = eval(trick.off, {"m": module, "contextlib": contextlib, "functools": functools})  # as its prelude does
    current = getattr(module, trick.name)
    assert type(off) is type(current) or (callable(off) and callable(current))  # a value for a value, a call for a call
    if inspect.isfunction(current):  # the off call takes each parameter the build passes, by the same name
        required = {
            parameter.name: None
            for parameter in inspect.signature(current).parameters.values()
            if parameter.default is parameter.empty and parameter.kind is not parameter.VAR_POSITIONAL
        }
        inspect.signature(off).bind(**required)


bench_build = importlib.import_module("bench_build")


def test_the_figure_change_corrects_one_amount_where_it_is_printed_and_undoes_it(tmp_path: Path) -> None:
    """``--change figure`` corrects the first amount in złoty of the first report printing one by a grosz, in its
    value, its quote and its source text, so that the build it measures publishes a valid graph whose tables
    change; changed again, the report is as it was."""
    synthetic = tmp_path / "synthetic"
    assert CliRunner().invoke(main, ["synth", "--out", str(synthetic), "--members", "16"]).exit_code == 0
    with bench_build.one_report_to_change(synthetic, "figure") as (work, change):
        reports = sorted((work / "data" / "reports").glob("*/*/report.yaml"))
        report = next(r for r in reports if "currency: PLN" in r.read_text(encoding="utf-8"))
        files = [report, report.parent / "source.txt"]
        before = [path.read_text(encoding="utf-8") for path in files]
        change()
        after = [path.read_text(encoding="utf-8") for path in files]
        changed = [
            (old, new)
            for one, other in zip(before, after, strict=True)
            for old, new in zip(one.splitlines(), other.splitlines(), strict=True)
            if old != new
        ]
        assert len(changed) == 3  # the value, the quote, the sentence of the source text
        (old_value, new_value), *printed = changed
        old_amount, new_amount = (Decimal(line.split("value: ")[1]) for line in (old_value, new_value))
        assert abs(new_amount - old_amount) == Decimal("0.01")
        old_last, new_last = (f"{amount:.2f}".replace(".", ",")[-6:] for amount in (old_amount, new_amount))
        assert all(old_last in old and new_last in new for old, new in printed)  # "879,51" for 143 879,51 zł
        validated = CliRunner().invoke(main, ["validate", "--data", str(work / "data")])
        assert validated.exit_code == 0, validated.output
        change()
        assert [path.read_text(encoding="utf-8") for path in files] == before


def test_the_removed_change_takes_the_last_report_out_and_puts_it_back(tmp_path: Path) -> None:
    """``--change removed`` takes the last report's folder (a commune's) out of the data folder, which then still
    validates, one report fewer; changed again, the report is back as it was."""
    synthetic = tmp_path / "synthetic"
    assert CliRunner().invoke(main, ["synth", "--out", str(synthetic), "--members", "16"]).exit_code == 0
    with bench_build.one_report_to_change(synthetic, "removed") as (work, change):
        reports = work / "data" / "reports"
        before = sorted(reports.glob("*/*/report.yaml"))
        last = before[-1].read_bytes()
        change()
        assert sorted(reports.glob("*/*/report.yaml")) == before[:-1]
        validated = CliRunner().invoke(main, ["validate", "--data", str(work / "data")])
        assert validated.exit_code == 0, validated.output
        change()
        assert sorted(reports.glob("*/*/report.yaml")) == before
        assert before[-1].read_bytes() == last
