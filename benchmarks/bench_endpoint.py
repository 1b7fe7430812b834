"""Benchmark of ``civicgraph serve`` at national size (not a test): prints Markdown tables of medians.

The workload is the library-query mix: every library query in turn, its parameters drawn from the graph for each
request (a random member's TERYT code, one of its activities or figures, a random organisation, activity type or
recordable field), so consecutive requests rarely repeat. Rows, side by side in one run:

1. the mix with the answer cache off and on (``--cache 0`` / the default);
2. the mix while three other clients send runaway cartesian products in a loop: what the mix still gets;
3. the mix while a client holds half-sent request heads open (slowloris) beyond the connection limit.

    .venv/bin/python benchmarks/bench_endpoint.py --graph dist-national/graph.nt   # an existing graph
    .venv/bin/python benchmarks/bench_endpoint.py                                   # synthesises one first (minutes)

The load generator (asyncio, one keep-alive connection per client) runs on the same machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from civicgraph.sparql.library import bind_parameters, bound_query_text, library

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TYPES = [
    "campaign", "conference", "guide", "investment-programme", "joint-decision", "joint-purchasing",
    "joint-service", "meeting", "project", "promotion", "training", "webinar",
]  # fmt: skip
FIELDS = ["end-date", "krs", "legal-form", "period", "start-date", "wikidata"]


# -- the workload ---------------------------------------------------------------------------------------------


@dataclass
class GraphValues:
    teryts: list[str]
    figures: dict[str, list[str]]
    activities: dict[str, list[str]]
    organisations: list[str]


def graph_values(graph: Path) -> GraphValues:
    """Parameter values that exist in the graph, read from its N-Triples lines."""
    member = re.compile(r"<[^>]*/id/member/(\d+)> <https://w3id.org/civicgraph/ontology#teryt>")
    figure = re.compile(r"<([^>]*/id/activity/(\d+)/\d+/[^/>]+/figure/[^/>]+)> ")
    activity = re.compile(r"<([^>]*/id/activity/(\d+)/\d+/[^/>]+)> ")
    organisation = re.compile(r"<[^>]*/id/organisation/([^/>]+)> <https://w3id.org/civicgraph/ontology#key>")
    teryts: set[str] = set()
    figures: dict[str, set[str]] = {}
    activities: dict[str, set[str]] = {}
    organisations: set[str] = set()
    with graph.open(encoding="utf-8") as lines:
        for line in lines:
            if found := member.match(line):
                teryts.add(found[1])
            elif found := figure.match(line):
                figures.setdefault(found[2], set()).add(found[1])
            elif found := activity.match(line):
                activities.setdefault(found[2], set()).add(found[1])
            elif found := organisation.match(line):
                organisations.add(found[1])
    usable = sorted(t for t in teryts if t in figures and t in activities)
    return GraphValues(
        usable,
        {k: sorted(v) for k, v in figures.items()},
        {k: sorted(v) for k, v in activities.items()},
        sorted(organisations),
    )


def library_mix(values: GraphValues, count: int, year: str, seed: int = 1) -> list[tuple[str, str]]:
    """``count`` requests: (query name, query text with its parameters bound)."""
    queries = library()
    names = sorted(queries)
    pick = random.Random(seed)
    mix = []
    for index in range(count):
        name = names[index % len(names)]
        teryt = pick.choice(values.teryts)
        params = {
            "activities-in-year": {"year": year, "teryt": teryt},
            "activities-of-type": {"type": pick.choice(TYPES)},
            "co-financers-by-kind": {"activity": pick.choice(values.activities[teryt])},
            "count-figures": {"teryt": teryt, "year": year},
            "evidence-for-fact": {"resource": pick.choice(values.figures[teryt])},
            "figure-evidence": {"teryt": teryt, "year": year},
            "is-member": {"teryt": teryt, "organisation": pick.choice(values.organisations)},
            "members-of-organisation": {"organisation": pick.choice(values.organisations)},
            "money-figures": {"teryt": teryt, "year": year},
            "not-recorded": {"field": pick.choice(FIELDS)},
            "organisations-of-member": {"teryt": teryt},
            "report-diff": {
                "from_teryt": teryt,
                "from_year": year,
                "to_teryt": pick.choice(values.teryts),
                "to_year": year,
            },
        }.get(name, {})
        query = queries[name]
        bindings = bind_parameters(query, params)
        mix.append((name, bound_query_text(query.text, bindings) if bindings else query.text))
    return mix


# -- the load generator -----------------------------------------------------------------------------------------


def encoded(port: int, query: str, client: str | None = None) -> bytes:
    body = urlencode({"query": query}).encode()
    forwarded = f"X-Forwarded-For: {client}\r\n" if client else ""
    return (
        f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {ACCEPT}\r\n{forwarded}"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def read_status(reader: asyncio.StreamReader) -> int:
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


@dataclass
class Outcome:
    name: str
    status: int
    seconds: float


async def client_loop(
    port: int, requests: list[tuple[str, bytes]], start: int, step: int, until: float
) -> list[Outcome]:
    outcomes = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = start
    while time.monotonic() < until and index < len(requests):
        name, raw = requests[index]
        index += step
        started = time.perf_counter()
        try:
            writer.write(raw)
            await writer.drain()
            status = await read_status(reader)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            status = -1
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        outcomes.append(Outcome(name, status, time.perf_counter() - started))
    writer.close()
    return outcomes


async def runaway_loop(port: int, client: str, until: float) -> list[int]:
    statuses = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    raw = encoded(port, RUNAWAY, client)
    while time.monotonic() < until:
        writer.write(raw)
        await writer.drain()
        statuses.append(await read_status(reader))
    writer.close()
    return statuses


async def slowloris(port: int, connections: int, until: float) -> int:
    """Hold ``connections`` half-sent request heads open, reopening those the server closes; how many it closed."""
    closed = 0
    held: list[asyncio.StreamWriter] = []
    while time.monotonic() < until:
        while len(held) < connections:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                break
            writer.write(b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(writer)
        await asyncio.sleep(0.5)
        alive = []
        for writer in held:
            if writer.transport.is_closing() or writer.is_closing():
                closed += 1
            else:
                try:
                    writer.write(b"a")
                    alive.append(writer)
                except OSError:
                    closed += 1
        held = alive
    for writer in held:
        writer.close()
    return closed


async def run_mix(
    port: int, mix: list[tuple[str, str]], clients: int, budget: float, runaways: int = 0, slow: int = 0
) -> tuple[list[Outcome], float, list[int], int]:
    requests = [(name, encoded(port, query)) for name, query in mix]
    until = time.monotonic() + budget
    started = time.perf_counter()
    side = [runaway_loop(port, f"198.51.100.{i + 1}", until) for i in range(runaways)]
    side_slow = [slowloris(port, slow, until)] if slow else []
    loops = [client_loop(port, requests, i, clients, until) for i in range(clients)]
    gathered = await asyncio.gather(*loops, *side, *side_slow)
    elapsed = time.perf_counter() - started
    outcomes = [o for result in gathered[:clients] for o in result]  # type: ignore[union-attr]
    runaway_statuses = [s for result in gathered[clients : clients + runaways] for s in result]  # type: ignore[union-attr]
    closed = int(gathered[-1]) if slow else 0  # type: ignore[arg-type]
    return outcomes, elapsed, runaway_statuses, closed


# -- the server ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(graph: Path, *options: str) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, "-m", "civicgraph", "serve", "--data", str(graph), "--port", str(port)]
    command += ["--no-access-log", "--site", "/nonexistent", *options]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/sparql", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"civicgraph serve did not start: {log.read().decode()}")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(30)


# -- reporting ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def row(label: str, outcomes: list[Outcome], elapsed: float, extra: str = "") -> tuple[str, float]:
    seconds = [o.seconds for o in outcomes if o.status == 200]
    errors = sum(1 for o in outcomes if o.status != 200)
    rate = len(outcomes) / elapsed
    median = statistics.median(seconds) * 1000 if seconds else float("nan")
    p95 = percentile(seconds, 0.95) * 1000 if seconds else float("nan")
    statuses = sorted({o.status for o in outcomes if o.status != 200})
    line = (
        f"| {label} | {len(outcomes)} | {rate:.1f} | {errors}{' ' + str(statuses) if statuses else ''} | "
        f"{median:.1f} | {p95:.1f} | {extra} |"
    )
    return line, rate


def synthesise(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "civicgraph", "synth", "--out", str(folder / "data"), "--members", "2807"], check=True
    )
    subprocess.run(
        [sys.executable, "-m", "civicgraph", "build", "--data", str(folder / "data"), "--out", str(folder / "dist")],
        check=True,
    )
    return folder / "dist" / "graph.nt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, help="an N-Triples graph (default: a synthetic national one)")
    parser.add_argument("--year", default="2023")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each row's run")
    args = parser.parse_args()
    graph = args.graph or synthesise(Path(tempfile.mkdtemp(prefix="civicgraph-bench-endpoint-")))
    triples = sum(1 for _ in graph.open("rb"))
    values = graph_values(graph)
    mix = library_mix(values, 100_000, args.year)
    print("# civicgraph serve at national size\n")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}; graph {graph.name}: "
        f"{triples:,} triples, {len(values.teryts)} members. 2 query workers (the default), {args.clients} mix "
        f"clients, {args.seconds:g} s per row; load average before: {os.getloadavg()[0]:.1f}.\n"
    )
    print("| run | requests | requests/s | errors | latency median (ms) | latency p95 (ms) | besides |")
    print("|---|---:|---:|---:|---:|---:|---|")
    rates = {}
    for label, options, runaways, slow in (
        ("mix, answer cache off", ("--cache", "0"), 0, 0),
        ("mix, answer cache on (default)", (), 0, 0),
        ("mix + 3 clients sending runaway queries", (), 3, 0),
        ("mix + 600 half-sent request heads (limit 512)", (), 0, 600),
    ):
        with serving(graph, *options) as port:
            asyncio.run(run_mix(port, mix[:200], 2, 10.0))  # warm-up, not counted
            outcomes, elapsed, runaway_statuses, closed = asyncio.run(
                run_mix(port, mix, args.clients, args.seconds, runaways, slow)
            )
        extra = ""
        if runaways:
            counts = {status: runaway_statuses.count(status) for status in sorted(set(runaway_statuses))}
            extra = "runaway answers: " + ", ".join(f"{n}× {status}" for status, n in counts.items())
        if slow:
            extra = f"slow connections closed by the server: {closed}"
        line, rates[label] = row(label, outcomes, elapsed, extra)
        print(line, flush=True)
    on, off = rates["mix, answer cache on (default)"], rates["mix, answer cache off"]
    print(f"\nThe cache multiplies the mix's throughput by {on / off:.1f}.")


if __name__ == "__main__":
    main()
