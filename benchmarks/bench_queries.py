"""Benchmarks of the SPARQL layer (not a test): prints Markdown tables of medians and 95th percentiles.

1. Engine choice: rdflib's engine against pyoxigraph on the real graph and on synthetic copies of it (the real
   graph repeated N times under distinct IRIs), per library query (with its example parameters).
2. ``civicgraph serve``: per-query latency in-process and through the endpoint on loopback, and the requests per
   second the endpoint holds under concurrent clients (bounded loop; errors are counted and must be 0).
3. The time limit's cost: how long killing and replacing a worker process takes.

    .venv/bin/python benchmarks/bench_queries.py            # full run (a few minutes on 2 cores)
    .venv/bin/python benchmarks/bench_queries.py --quick    # smaller sizes and fewer repetitions
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox

from civicgraph.graph.build import build_graph
from civicgraph.graph.rdfio import write_ntriples
from civicgraph.source.reader import read_dataset
from civicgraph.sparql.library import (
    LibraryQuery,
    OxigraphEngine,
    QueryEngine,
    RdflibEngine,
    RemoteEngine,
    bind_parameters,
    library,
)
from civicgraph.sparql.replies import QueryJob
from civicgraph.sparql.workers import PoolLimits, WorkerPool

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/civicgraph/id/"
QUERIES = library()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def cases() -> list[tuple[LibraryQuery, dict[str, str]]]:
    """Each library query with its first example (or none): what a person would run."""
    return [(query, dict(query.examples[0]) if query.examples else {}) for query in QUERIES.values()]


def timed(action: Callable[[], object], repeat: int, budget: float) -> list[float]:
    """Durations of ``action``, at most ``repeat`` runs and stopping after ``budget`` seconds (at least one)."""
    durations: list[float] = []
    spent_until = time.perf_counter() + budget
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
        if time.perf_counter() > spent_until:
            break
    return durations


# -- graphs ---------------------------------------------------------------------------------------------------


def real_graph(folder: Path) -> Path:
    path = folder / "graph-x1.nt"
    write_ntriples(build_graph(read_dataset(ROOT / "data")).triples, path)
    return path


def scaled_graph(real: Path, copies: int, folder: Path) -> Path:
    """The real graph repeated ``copies`` times, copy i under ``{base}c{i}/``; vocabularies are shared."""
    path = folder / f"graph-x{copies}.nt"
    triples = [quad.triple for quad in ox.parse(path=str(real), format=ox.RdfFormat.N_TRIPLES)]

    def moved(term: object, copy: int) -> object:
        if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
            return ox.NamedNode(f"{BASE}c{copy}/{term.value[len(BASE) :]}")
        return term

    with path.open("wb") as out:
        for copy in range(copies):
            batch = {ox.Triple(moved(t.subject, copy), t.predicate, moved(t.object, copy)) for t in triples}  # type: ignore[arg-type]
            ox.serialize(batch, out, format=ox.RdfFormat.N_TRIPLES)
    return path


def count_lines(path: Path) -> int:
    with path.open("rb") as data:
        return sum(1 for _ in data)


# -- 1. engines ---------------------------------------------------------------------------------------------------


def bench_engines(graphs: list[Path], repeat: int, rdflib_budget: float) -> None:
    print("\n## 1. Engine choice: rdflib vs pyoxigraph (in-process)\n")
    print(
        "Per library query (first example parameters), milliseconds. rdflib runs stop after "
        f"{rdflib_budget:g} s per query.\n"
    )
    for graph in graphs:
        triples = count_lines(graph)
        started = time.perf_counter()
        oxigraph: QueryEngine = OxigraphEngine.from_file(graph)
        ox_load = time.perf_counter() - started
        started = time.perf_counter()
        rdflib: QueryEngine = RdflibEngine.from_file(graph)
        rdflib_load = time.perf_counter() - started
        print(
            f"### {graph.name}: {triples:,} triples (load: pyoxigraph {ms(ox_load)} ms, rdflib {ms(rdflib_load)} ms)\n"
        )
        print("| query | pyoxigraph median | pyoxigraph p95 | rdflib median | rdflib p95 | rdflib / pyoxigraph |")
        print("|---|---:|---:|---:|---:|---:|")
        ratios = []
        for query, params in cases():
            bindings = bind_parameters(query, params)
            fast = timed(lambda q=query, b=bindings, e=oxigraph: e.run(q.text, b), repeat, 5.0)
            slow = timed(lambda q=query, b=bindings, e=rdflib: e.run(q.text, b), max(3, repeat // 10), rdflib_budget)
            ratio = statistics.median(slow) / statistics.median(fast)
            ratios.append(ratio)
            print(
                f"| {query.name} | {ms(statistics.median(fast))} | {ms(percentile(fast, 0.95))} | "
                f"{ms(statistics.median(slow))} | {ms(percentile(slow, 0.95))} | {ratio:.0f}× |"
            )
        print(
            f"\nMedian ratio over the library: rdflib is {statistics.median(ratios):.0f}× slower "
            f"(from {min(ratios):.0f}× to {max(ratios):.0f}×).\n"
        )


# -- 2. serve -------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(graph: Path, workers: int) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "civicgraph",
        "serve",
        "--data",
        str(graph),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--site",
        "/nonexistent",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("civicgraph serve did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(20)


def bench_latency(graph: Path, repeat: int) -> None:
    print(
        f"\n## 2. Per-query latency: in-process vs through `civicgraph serve` ({graph.name}, "
        f"{count_lines(graph):,} triples)\n"
    )
    print(
        "Milliseconds; the endpoint is reached over loopback by one keep-alive client (httpx), default 2 workers; "
        "the difference is HTTP, the pipe to the worker process, and serialization to SPARQL JSON.\n"
    )
    print("| query | in-process median | in-process p95 | serve median | serve p95 |")
    print("|---|---:|---:|---:|---:|")
    local = OxigraphEngine.from_file(graph)
    with serving(graph, 2) as url, httpx.Client(timeout=60) as client:
        remote = RemoteEngine(url, client=client)
        for query, params in cases():
            bindings = bind_parameters(query, params)
            here = timed(lambda q=query, b=bindings: local.run(q.text, b), repeat, 10.0)
            there = timed(lambda q=query, b=bindings: remote.run(q.text, b), repeat, 10.0)
            print(
                f"| {query.name} | {ms(statistics.median(here))} | {ms(percentile(here, 0.95))} | "
                f"{ms(statistics.median(there))} | {ms(percentile(there, 0.95))} |"
            )


def bench_overhead(graph: Path, repeat: int) -> None:
    """Where the time of a trivial query goes: the engine, the pipe to a worker process, HTTP."""
    trivial = "ASK { ?s ?p ?o }"
    local = OxigraphEngine.from_file(graph)
    engine = timed(lambda: local.run(trivial), repeat * 10, 10.0)
    pool = WorkerPool(graph, PoolLimits(size=1))
    pool.start()
    job = QueryJob(trivial, "application/sparql-results+json", 10_000, frozenset())

    async def round_trips() -> list[float]:
        durations = []
        for _ in range(repeat * 10):
            started = time.perf_counter()
            await pool.run(job)
            durations.append(time.perf_counter() - started)
        return durations

    piped = asyncio.run(round_trips())
    pool.stop()
    with serving(graph, 1) as url, httpx.Client(timeout=60) as client:
        http = timed(lambda: client.post(url, data={"query": trivial}), repeat * 10, 10.0)
    print(f"\nA trivial query (`{trivial}`), {len(engine)} runs each, milliseconds:\n")
    print("| path | median | p95 |")
    print("|---|---:|---:|")
    for name, durations in (
        ("engine, in-process", engine),
        ("worker pool: pipe + pickle + JSON, no HTTP", piped),
        ("HTTP to `civicgraph serve` (httpx client, keep-alive)", http),
    ):
        print(f"| {name} | {ms(statistics.median(durations))} | {ms(percentile(durations, 0.95))} |")


def bench_throughput(graph: Path, requests: int, clients: int, workers: int) -> tuple[float, int, float, float]:
    """Requests per second held by the endpoint: ``clients`` threads share ``requests`` library queries."""
    jobs = [(query.text, bind_parameters(query, params)) for query, params in cases()]
    errors = 0
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    with serving(graph, workers) as url:

        def client_loop() -> None:
            nonlocal errors
            with httpx.Client(timeout=60) as client:
                engine = RemoteEngine(url, client=client)
                while True:
                    with lock:
                        index = next(counter, None)
                    if index is None:
                        return
                    text, bindings = jobs[index % len(jobs)]
                    started = time.perf_counter()
                    try:
                        engine.run(text, bindings)
                    except Exception:  # any failure counts as an error of the run
                        with lock:
                            errors += 1
                    with lock:
                        latencies.append(time.perf_counter() - started)

        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    return requests / elapsed, errors, statistics.median(latencies), percentile(latencies, 0.95)


def bench_load(graph: Path, requests: int) -> None:
    print(f"\n## 3. Requests per second held by `civicgraph serve` ({graph.name})\n")
    print(
        f"{requests} requests per row, the library's queries in turn (with their example parameters), each "
        "client a thread with its own keep-alive connection; the load generator runs on the same machine.\n"
    )
    print("| workers | concurrent clients | requests/s | errors | latency median (ms) | latency p95 (ms) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for workers, clients in ((1, 1), (2, 2), (2, 8), (4, 8)):
        rate, errors, median, p95 = bench_throughput(graph, requests, clients, workers)
        print(f"| {workers} | {clients} | {rate:.0f} | {errors} | {ms(median)} | {ms(p95)} |")


def bench_respawn(graph: Path, repeat: int) -> None:
    print(f"\n## 4. Cost of the time limit: starting a replacement worker ({graph.name})\n")
    pool = WorkerPool(graph, PoolLimits(size=1))
    pool.start()
    assert pool.template is not None
    template = pool.template

    def fork_and_reap() -> None:
        pid, connection = template.fork()
        os.kill(pid, 9)
        connection.close()
        template.reap(pid)

    durations = timed(fork_and_reap, repeat, 60.0)
    pool.stop()
    print(
        "A replacement worker forked from the process holding the graph (the killed one reaped): "
        f"median {ms(statistics.median(durations))} ms, "
        f"p95 {ms(percentile(durations, 0.95))} ms over {len(durations)} starts. While it starts, the other "
        "workers keep answering.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument("--skip-engines", action="store_true", help="only the serve benchmarks (2 to 4)")
    args = parser.parse_args()
    copies = (1, 10) if args.quick else (1, 10, 50)
    repeat = 20 if args.quick else 100
    print("# civicgraph SPARQL benchmarks\n")
    print(
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else '?'}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}."
    )
    folder = Path(tempfile.mkdtemp(prefix="civicgraph-bench-"))
    try:
        real = real_graph(folder)
        if not args.skip_engines:
            graphs = [real if n == 1 else scaled_graph(real, n, folder) for n in copies]
            bench_engines(graphs, repeat, rdflib_budget=5.0 if args.quick else 10.0)
        bench_latency(real, repeat)
        bench_overhead(real, repeat)
        bench_load(real, 400 if args.quick else 2000)
        bench_respawn(real, 5 if args.quick else 10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
