"""benchmarks/bench_tricks.py turns each trick off by setting a value in civicgraph: each value must still be there
(a renamed one makes the run stop, "no ..."), and each off value must be one Python can make."""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys

import pytest

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
