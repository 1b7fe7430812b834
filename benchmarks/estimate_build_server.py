"""What a build server would save: a long-lived process that holds what a build into its release loads first, and
forks one child per build.

    .venv/bin/python benchmarks/estimate_build_server.py --pairs 8 NATIONAL-1

In a copy of the data folder, two releases are built (each twice, so that the second build keeps what a build into
a release takes: see the README, "What lands in dist/"). Before each pair one report is changed or changed back
(:func:`bench_build.one_report_to_change`, ``--change``). This process imports the build's modules, then reads and
unpickles the files a build into the first release loads first: the reports kept beside it, the blocks of the graph
kept beside it, and the record of its last build. The reads keep them by the files' bytes: :mod:`pickle` in
:mod:`civicgraph.source.cache` and :mod:`civicgraph.graph.kept`, and :mod:`orjson` in
:mod:`civicgraph.publish.reuse`, give a forked child the objects held here when it asks for the same bytes. The child
then runs ``civicgraph build`` into the first release; a plain ``civicgraph build`` process builds into the second,
the two in turn, the first pair left out. Prints a Markdown
table of the medians and how many of the loads the child was spared (all of them, or the estimate measures nothing).

An estimate, not a server: nothing here watches the data or keeps its state true to the files.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import pickle
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from bench_build import ROOT, compiled, in_turn, one_report_to_change

import civicgraph.cli.build  # the build's modules, imported before the forks
import civicgraph.graph.kept
import civicgraph.publish.orchestrator
import civicgraph.publish.reuse
import civicgraph.source.cache
from civicgraph.cli.main import run
from civicgraph.util.folders import beside

_HELD: dict[bytes, Any] = {}
_SPARED = [0, 0]  # loads answered from what this process holds, and those that were not


def _held_or_loaded(loads: Callable[[bytes], Any]) -> Callable[..., Any]:
    def held_or_loaded(data: bytes, *args: Any, **kwargs: Any) -> Any:
        held = _HELD.get(data)
        _SPARED[held is None] += 1
        return held if held is not None else loads(data, *args, **kwargs)

    return held_or_loaded


def _with_loads(module: types.ModuleType, loads: Callable[..., Any]) -> types.SimpleNamespace:
    """``module``'s namespace with its ``loads`` replaced."""
    return types.SimpleNamespace(**{**vars(module), "loads": loads})


def _serve_loads() -> None:
    for module, name, real in (
        (civicgraph.source.cache, "pickle", pickle),
        (civicgraph.graph.kept, "pickle", pickle),
        (civicgraph.publish.reuse, "orjson", orjson),
    ):
        if getattr(module, name) is not real:  # raises when the module no longer reads with it
            raise SystemExit(f"{module.__name__}.{name} is not {real.__name__}: the estimate would measure nothing")
        setattr(module, name, _with_loads(real, _held_or_loaded(real.loads)))


def _hold(release: Path) -> float:
    """Read and unpickle what a build into ``release`` loads first; the seconds it took."""
    gc.unfreeze()
    _HELD.clear()
    gc.collect()
    began = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()
    reports = beside(release, "reports.pickle").read_bytes()
    _HELD[reports] = kept = pickle.loads(reports)
    for entry in kept["reports"].values():
        _HELD[entry.pickled] = pickle.loads(entry.pickled)
    blocks = beside(release, "graph-blocks").read_bytes()
    _HELD[blocks] = kept = pickle.loads(blocks)
    for _key, block in kept["blocks"].values():
        _HELD[block] = pickle.loads(block)
    record = beside(release, "reuse.json").read_bytes()
    _HELD[record] = orjson.loads(record)
    gc.freeze()  # as a server would: no collection in a child goes through what is held
    if collecting:
        gc.enable()
    return time.perf_counter() - began


def _served(data: Path, release: Path) -> tuple[float, tuple[int, int]]:
    """A build forked from this process; its seconds, and the loads it was spared and not."""
    reading, writing = os.pipe()
    began = time.perf_counter()
    child = os.fork()
    if child == 0:
        os.close(reading)
        # The build ends its process after running the atexit handlers: none of this process's (the copy of the
        # data is removed by one of them), only the one that sends the counts.
        atexit._clear()
        atexit.register(lambda: os.write(writing, f"{_SPARED[0]} {_SPARED[1]}".encode()))
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        sys.argv = ["civicgraph", "build", "--lang", "en", "--data", str(data), "--out", str(release)]
        try:
            run()  # a build that succeeded ends its process at once, after the atexit handlers
        except SystemExit as ended:
            os._exit(ended.code if isinstance(ended.code, int) else 1)
        os._exit(0)
    os.close(writing)
    _, status = os.waitpid(child, 0)
    seconds = time.perf_counter() - began
    with os.fdopen(reading) as sent:
        counts = sent.read().split()
    if os.waitstatus_to_exitcode(status) != 0 or len(counts) != 2:
        raise SystemExit(f"the served build failed (status {status})")
    return seconds, (int(counts[0]), int(counts[1]))


def _plain(data: Path, release: Path) -> float:
    """A plain build, in a process of its own; its seconds. Not :func:`bench_build.build_once`, whose sampling of
    the processes' memory the served child is spared."""
    command = [sys.executable, "-m", "civicgraph", "build", "--lang", "en", "--data", str(data), "--out", str(release)]
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--change", choices=["url", "figure"], default="figure")
    parser.add_argument("folder", type=Path, help="the data folder to build")
    args = parser.parse_args()
    compiled(ROOT / "src")  # the plain builds then import it as the served child does, compiled
    _serve_loads()
    held: list[float] = []
    seconds: dict[str, list[float]] = {"served": [], "plain": []}
    spared: set[tuple[int, int]] = set()
    with one_report_to_change(args.folder, args.change) as (work, change):
        data, served, plain = work / "data", work / "served", work / "plain"
        for release in (served, plain, served, plain):
            _plain(data, release)
        for pair in range(-1, args.pairs):  # the first pair left out
            change()
            held.append(_hold(served))
            for variant in in_turn(seconds, pair):
                if variant == "served":
                    took, counts = _served(data, served)
                    spared.add(counts)
                else:
                    took = _plain(data, plain)
                if pair >= 0:
                    seconds[variant].append(took)
    faster = sum(s < p for s, p in zip(seconds["served"], seconds["plain"], strict=True))
    print(f"{args.pairs} pairs in turn; holding the loads took this process {min(held):.2f}–{max(held):.2f} s\n")
    print("| build | median | range |\n|---|---:|---:|")
    for name, times in seconds.items():
        print(f"| {name} | {statistics.median(times):.2f} s | {min(times):.2f}–{max(times):.2f} s |")
    ratio = statistics.median(seconds["plain"]) / statistics.median(seconds["served"])
    print(f"\nplain / served: {ratio:.3f}; served faster in {faster} of {args.pairs}")
    print(f"loads the served child was spared, and not: {sorted(spared)}")


if __name__ == "__main__":
    main()
