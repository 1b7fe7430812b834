"""What a build server would save: a long-lived process that holds what a build into its release loads first, and
forks one child per build.

    .venv/bin/python benchmarks/estimate_build_server.py --pairs 8 DATA SERVED PLAIN

``SERVED`` and ``PLAIN`` are two releases of ``DATA``, each built twice beforehand (the second build makes what a
build into a release takes: see the README, "What bounds the build"). Before each pair, one amount in złoty of the
first report under ``DATA/reports/`` is corrected by a grosz (in its report.yaml and its source text), or restored.

This process imports the build's modules, then reads and unpickles the files a build into ``SERVED`` loads first: the
reports kept beside it, the blocks of the graph kept beside it, and the record of its last build. The reads keep
them by the files' bytes: :mod:`pickle` in :mod:`civicgraph.source.cache` and :mod:`civicgraph.graph.kept`, and
:mod:`orjson` in :mod:`civicgraph.publish.reuse`, give a forked child the objects held here when it asks for the same
bytes. The child then runs ``civicgraph build`` into ``SERVED``; a plain ``civicgraph build`` process builds into
``PLAIN``, the two alternating, the first pair left out. Prints a Markdown table of the medians and how many of the
loads the child was spared (all of them, or the estimate measures nothing).

An estimate, not a server: nothing here watches the data or keeps its state true to the files.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import pickle
import re
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

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
    with_gc_paused = gc.isenabled()
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
    if with_gc_paused:
        gc.enable()
    return time.perf_counter() - began


def _served(data: Path, release: Path) -> tuple[float, tuple[int, int]]:
    """A build forked from this process; its seconds, and the loads it was spared and not."""
    reading, writing = os.pipe()
    began = time.perf_counter()
    child = os.fork()
    if child == 0:
        os.close(reading)
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
    command = [sys.executable, "-m", "civicgraph", "build", "--lang", "en", "--data", str(data), "--out", str(release)]
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - began


def _toggle_amount(data: Path) -> None:
    """Correct the first amount in złoty of the first report by a grosz, in its report.yaml and source text, or
    restore both (kept beside them as ``*.orig``)."""
    folder = min(path.parent for path in (data / "reports").glob("*/*/report.yaml"))
    files = [folder / "report.yaml", folder / "source.txt"]
    if all(Path(f"{file}.orig").exists() for file in files):
        for file in files:
            Path(f"{file}.orig").replace(file)
        return
    report, source = (file.read_text(encoding="utf-8") for file in files)
    found = re.search(r"value: (\d+)\.(\d\d)\n    currency: PLN\n", report)
    if found is None:
        raise SystemExit(f"{files[0]}: no amount in złoty to correct")
    whole, grosze = found.groups()
    corrected = f"{int(grosze) + 1:02d}" if grosze != "99" else "98"
    printed, reprinted = f"{whole[-3:]},{grosze}", f"{whole[-3:]},{corrected}"
    if printed not in source:
        raise SystemExit(f"{files[1]}: the amount {printed} is not printed")
    for file in files:
        file.with_name(f"{file.name}.orig").write_bytes(file.read_bytes())
    value = found[0].replace(f"{whole}.{grosze}", f"{whole}.{corrected}")
    files[0].write_text(report.replace(found[0], value, 1).replace(printed, reprinted, 1), encoding="utf-8")
    files[1].write_text(source.replace(printed, reprinted, 1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("data", type=Path)
    parser.add_argument("served", type=Path)
    parser.add_argument("plain", type=Path)
    args = parser.parse_args()
    _serve_loads()
    held, served, plain, spared = [], [], [], []
    try:
        for pair in range(-1, args.pairs):  # the first pair left out: a build may make what the next ones take
            _toggle_amount(args.data)
            held.append(_hold(args.served))
            if pair % 2 == 0:
                seconds, counts = _served(args.data, args.served)
                plain.append(_plain(args.data, args.plain))
            else:
                plain.append(_plain(args.data, args.plain))
                seconds, counts = _served(args.data, args.served)
            if pair < 0:
                held, plain = [], []
                continue
            served.append(seconds)
            spared.append(counts)
    finally:
        if any(args.data.glob("reports/*/*/report.yaml.orig")):
            _toggle_amount(args.data)  # restored
    faster = sum(s < p for s, p in zip(served, plain, strict=True))
    print(f"{args.pairs} alternating pairs; holding the loads took this process {min(held):.2f}–{max(held):.2f} s\n")
    print("| build | median | range |\n|---|---:|---:|")
    for name, times in (("served by a forked child", served), ("plain", plain)):
        print(f"| {name} | {statistics.median(times):.2f} s | {min(times):.2f}–{max(times):.2f} s |")
    ratio = statistics.median(plain) / statistics.median(served)
    print(f"\nplain / served: {ratio:.3f}; served faster in {faster} of {len(served)}")
    print(f"loads the served child was spared, and not: {sorted(set(spared))}")


if __name__ == "__main__":
    main()
