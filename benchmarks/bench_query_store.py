"""Benchmarks of ``civicgraph query`` and ``civicgraph validate --graph`` on a release (not a test): prints Markdown
tables of medians.

1. ``query``, whole process: the code of an earlier revision (``--before``, default a5d63ce: the graph loaded in
   memory by every command) against now — in memory, and on the cached store cold (built by the command) and warm —
   in alternating rounds, so that the load of a shared machine falls on every variant alike.
2. ``validate --graph``, whole process: before (rdflib parsing) against now (Oxigraph into plain terms).
3. Finding a graph's digest (what keys the cache): hashing the file, the release's SHA256SUMS, a remembered file.
4. Each library query in-process on the on-disk store against the in-memory one: what the cached store costs per
   query (and why ``civicgraph serve``, which loads its graph once for every query it answers, keeps memory).
5. Where the cache starts to pay: whole-process ``query`` on the first N MB of the release's graph.nt, in memory
   against the warm cached store (``CACHE_FROM_BYTES``).

    .venv/bin/python benchmarks/bench_query_store.py --release dist-national1 [--rounds 5] [--before a5d63ce]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from civicgraph.sparql.library import OxigraphEngine, bind_parameters, library
from civicgraph.sparql.storecache import CACHE_FROM_BYTES, StoreCache, release_digest

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [("organisations-of-member", "teryt=3064011"), ("activities-in-year", "year=2023")]


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def seconds(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f}"


def checkout(revision: str, into: Path) -> Path:
    """The source tree of ``revision`` (git archive), to run with this environment's dependencies."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


class Command:
    """``civicgraph`` run as its own process from a source tree, timed from start to exit."""

    def __init__(self, source: Path | None, cache: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CIVICGRAPH_STORE_CACHE")}
        self.env["CIVICGRAPH_STORE_CACHE"] = str(cache)
        if source is not None:
            self.env["PYTHONPATH"] = str(source / "src")
        self.cache = cache

    def run(self, *args: str) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "civicgraph", *args], env=self.env, capture_output=True, check=False, cwd="/"
        )
        took = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise SystemExit(f"civicgraph {' '.join(args)} failed ({done.returncode}): {done.stderr.decode()}")
        return took

    def clear_cache(self) -> None:
        self.run("query", "--clear-store-cache")


def rounds(variants: dict[str, Callable[[], float]], count: int) -> dict[str, list[float]]:
    """Each variant once per round, in the same order, ``count`` rounds."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(count):
        for name, run in variants.items():
            times[name].append(run())
    return times


def table(times: dict[str, list[float]], reference: str) -> None:
    print("| variant | median (s) | runs (s) | before / variant |")
    print("|---|---:|---|---:|")
    base = statistics.median(times[reference])
    for name, values in times.items():
        runs = ", ".join(f"{value:.2f}" for value in values)
        print(f"| {name} | {seconds(values)} | {runs} | {base / statistics.median(values):.1f}× |")


# -- 1, 2: the commands --------------------------------------------------------------------------------------------


def bench_query(graph: Path, before: Path, work: Path, count: int) -> None:
    print(f"\n## 1. `civicgraph query` on {graph} (whole process)\n")
    old = Command(before, work / "unused-cache")
    memory = Command(None, work / "unused-cache")
    cold = Command(None, work / "cold-cache")
    warm = Command(None, work / "warm-cache")
    for name, params in QUERIES:
        args = ("query", name, "--param", params, "--data", str(graph))
        warm.run(*args, "--store", "cached")  # built once, before the rounds

        def cold_run(args: tuple[str, ...] = args) -> float:
            cold.clear_cache()
            return cold.run(*args, "--store", "cached")

        print(f"### `{name} --param {params}` ({load()})\n")
        times = rounds(
            {
                "before (in memory)": lambda args=args: old.run(*args),
                "now, in memory (--store memory)": lambda args=args: memory.run(*args, "--store", "memory"),
                "now, cached store, cold (built by the command)": cold_run,
                "now, cached store, warm (the default at this size)": lambda args=args: warm.run(*args),
            },
            count,
        )
        table(times, "before (in memory)")
        print(f"\n({load()})\n")


def bench_validate(graph: Path, before: Path, work: Path, count: int) -> None:
    print(f"\n## 2. `civicgraph validate --graph {graph}` (whole process)\n")
    print(f"({load()})\n")
    old, new = Command(before, work / "unused-cache"), Command(None, work / "unused-cache")
    args = ("validate", "--graph", str(graph))
    variants = {"before (rdflib)": lambda: old.run(*args), "now (Oxigraph, plain terms)": lambda: new.run(*args)}
    times = rounds(variants, count)
    table(times, "before (rdflib)")
    print(f"\n({load()})\n")


# -- 3, 4: in-process ----------------------------------------------------------------------------------------------


def median_of(action: Callable[[], object], count: int) -> float:
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def bench_digest(graph: Path, work: Path, count: int) -> None:
    print(f"\n## 3. Finding the digest of {graph.name} ({graph.stat().st_size / 2**20:.0f} MB), in-process\n")
    cache = StoreCache(work / "warm-cache")
    cache.open(graph).close()

    def hash_file() -> str:
        with open(graph, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()

    rows = {
        "SHA-256 of the file (hashlib)": median_of(hash_file, count),
        "the release's SHA256SUMS": median_of(lambda: release_digest(graph, graph.stat()), count),
        "opening the warm cached store, digest remembered (all of it)": median_of(
            lambda: cache.open(graph).close(), count
        ),
    }
    print("| how | median (ms) |")
    print("|---|---:|")
    for how, took in rows.items():
        print(f"| {how} | {took * 1000:.1f} |")


def bench_engines(graph: Path, work: Path, count: int) -> None:
    print(f"\n## 4. Library queries on the on-disk store against memory ({graph.name}), in-process\n")
    started = time.perf_counter()
    memory = OxigraphEngine.from_file(graph)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    cached = StoreCache(work / "warm-cache").open(graph)
    opened = time.perf_counter() - started
    disk = OxigraphEngine(cached.store, cached)
    print(f"Load in memory {loaded:.2f} s; open the cached store {opened * 1000:.0f} ms ({load()}).\n")
    print("| query | memory (ms) | on disk (ms) | disk / memory |")
    print("|---|---:|---:|---:|")
    for query in library().values():
        bindings = bind_parameters(query, dict(query.examples[0]) if query.examples else {})
        times: dict[str, list[float]] = {"memory": [], "disk": []}
        for _ in range(count):
            for name, engine in (("memory", memory), ("disk", disk)):
                times[name].append(median_of(lambda e=engine, q=query.text, b=bindings: e.run(q, b), 1))
        in_memory, on_disk = statistics.median(times["memory"]), statistics.median(times["disk"])
        print(f"| {query.name} | {in_memory * 1000:.1f} | {on_disk * 1000:.1f} | {on_disk / in_memory:.1f}× |")


# -- 5: where the cache pays ---------------------------------------------------------------------------------------


def bench_sizes(graph: Path, work: Path, count: int) -> None:
    print(f"\n## 5. Where the cached store starts to pay: the first N MB of {graph.name}, whole process\n")
    print(f"`CACHE_FROM_BYTES` is {CACHE_FROM_BYTES / 2**20:.0f} MiB ({load()}).\n")
    print("| graph | triples | in memory (s) | cached, warm (s) | memory / cached |")
    print("|---|---:|---:|---:|---:|")
    command = Command(None, work / "sizes-cache")
    for megabytes in (1, 4, 8, 16, 32):
        part = work / f"first-{megabytes}mb.nt"
        with open(graph, "rb") as source, open(part, "wb") as out:
            lines = source.readlines(megabytes * 2**20)
            out.writelines(lines)
        args = ("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }", "--data", str(part))
        command.run(*args, "--store", "cached")
        times = rounds(
            {
                "memory": lambda args=args: command.run(*args, "--store", "memory"),
                "cached": lambda args=args: command.run(*args, "--store", "cached"),
            },
            count,
        )
        memory, cached = statistics.median(times["memory"]), statistics.median(times["cached"])
        print(f"| {megabytes} MB | {len(lines):,} | {memory:.2f} | {cached:.2f} | {memory / cached:.1f}× |")
    command.clear_cache()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, required=True, help="a release folder (graph.nt and SHA256SUMS)")
    parser.add_argument("--before", default="a5d63ce", help="the revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[], choices=["query", "validate", "digest", "engines", "sizes"])
    options = parser.parse_args()
    graph = options.release.resolve() / "graph.nt"
    print(f"# The query store and validate --graph: {graph} (pyoxigraph {ox.__version__}, Python {sys.version[:6]})")
    print(f"\nStarted with {load()} on {os.cpu_count()} CPUs.")
    work = Path(tempfile.mkdtemp(prefix="bench-query-store-"))
    try:
        before = checkout(options.before, Path(tempfile.mkdtemp(dir=work, prefix="before-")))
        if "query" not in options.skip:
            bench_query(graph, before, work, options.rounds)
        if "validate" not in options.skip:
            bench_validate(graph, before, work, max(3, options.rounds // 2))
        if "digest" not in options.skip:
            bench_digest(graph, work, options.rounds)
        if "engines" not in options.skip:
            bench_engines(graph, work, options.rounds)
        if "sizes" not in options.skip:
            bench_sizes(graph, work, options.rounds)
    finally:
        for cache in ("cold-cache", "warm-cache", "sizes-cache"):
            if (work / cache).is_dir():
                StoreCache(work / cache).clear()
        shutil.rmtree(work)  # made by this run (mkdtemp), holding only its own files
    print(f"\nEnded with {load()}.")


if __name__ == "__main__":
    main()
