"""One data folder, one fresh process: the time and peak memory of every stage of the pipeline.

Run by ``benchmarks/run.py`` (one subprocess per size, so that one size's memory never inflates another's); it
prints one JSON object on stdout. Each stage runs up to ``--repeats`` times and stops repeating once it has used
``--repeat-budget`` seconds in total; a single run longer than ``--hard-limit`` seconds is interrupted (SIGALRM, which
reaches pure-Python code such as pyshacl between two bytecodes).

Peak memory is the process's peak resident set size *during the stage*: before each run the kernel's high-water
mark is reset (``echo 5 > /proc/self/clear_refs``, Linux ≥ 4.0) and ``VmHWM`` is read after it. It counts
everything the process holds at that moment (the graph built earlier, say), and allocations made outside Python
(Oxigraph's Rust code) too, which ``tracemalloc`` would miss. Where the reset is not allowed, the figure is
``getrusage(RUSAGE_SELF).ru_maxrss``, the peak since the process started, and the output says so.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import io
import json
import pstats
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

PIPELINE, REFERENCE, BASELINE = "pipeline", "reference: pyoxigraph", "baseline: rdflib + pyshacl"


@dataclass
class StageResult:
    name: str
    group: str
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)  # this process's CPU seconds (less noisy on a busy host)
    peak_rss_mb: float | None = None
    rss_before_mb: float | None = None
    status: str = "ok"  # ok | skipped (>N s) | stopped (>N s) | error: ... | not available: ...
    detail: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and self.status == "ok" else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu_times) if self.cpu_times and self.status == "ok" else None


class StageTimeout(BaseException):
    """Not an ``Exception``: library code that catches ``Exception`` (pyshacl does) must not swallow it."""


# -- memory -------------------------------------------------------------------------------------------------


def _status_kb(field_name: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process; False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb(reset_works: bool) -> float:
    if reset_works:
        hwm = _status_kb("VmHWM")
        if hwm is not None:
            return hwm / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def rss_mb() -> float | None:
    rss = _status_kb("VmRSS")
    return rss / 1024 if rss is not None else None


# -- timing ---------------------------------------------------------------------------------------------------


@contextmanager
def hard_limit(seconds: float) -> Iterator[None]:
    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise StageTimeout

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # and again every second, should one be swallowed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Meter:
    """Runs stages, keeps their results, and remembers which ones the parent asked to skip."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.repeats: int = args.repeats
        self.budget: float = args.max_seconds
        self.repeat_budget: float = args.repeat_budget
        self.hard: float = args.hard_limit
        self.skip: set[str] = set(filter(None, args.skip.split("|")))
        self.profile: str | None = args.profile
        self.profile_text = ""
        self.profiled = False
        if self.profile is not None:
            self.repeats = 1
        self.reset_works = reset_peak()
        self.results: list[StageResult] = []

    def run(
        self,
        name: str,
        group: str,
        action: Callable[[], T],
        detail: Callable[[T], str] | None = None,
    ) -> T | None:
        """Time ``action`` (median of repeats) and its peak memory; None when skipped, stopped or failed."""
        result = self.stage(name, group)
        if result.status != "ok":
            return None
        if name == self.profile:
            return self._profile(result, action)
        value: T | None = None
        for _ in range(self.repeats):
            value = None  # let the previous run's result go before the next one is made
            value = self.once(result, action)
            if result.status != "ok" or sum(result.times) >= self.repeat_budget:
                break
        if detail is not None and value is not None and result.status == "ok":
            result.detail = detail(value)
        return value if result.status == "ok" else None

    def run_chain(
        self, steps: Sequence[tuple[str, Callable[[], object]]], group: str, setup: Callable[[], None]
    ) -> None:
        """Steps that depend on each other's output (the release writers): the whole chain runs once per repeat,
        after ``setup``, and each step is timed on its own where it stands in the chain."""
        results = [self.stage(name, group) for name, _action in steps]
        for _ in range(self.repeats):
            setup()
            for result, (name, action) in zip(results, steps, strict=True):
                if name == self.profile:
                    self._profile(result, action)
                elif result.status == "ok" and not self.profiled:
                    self.once(result, action)
                elif self.profile is not None:
                    result.status = "skipped (profiling another stage)"
            if sum(sum(r.times) for r in results) >= self.repeat_budget:
                break

    def stage(self, name: str, group: str) -> StageResult:
        result = StageResult(name, group)
        if name in self.skip:
            result.status = f"skipped (>{self.budget:g} s)"
        elif self.profile is not None and (self.profiled or (name == "validate" != self.profile)):
            result.status = "skipped (profiling another stage)"  # only what the profiled stage needs runs
        self.results.append(result)
        return result

    def once(self, result: StageResult, action: Callable[[], T]) -> T | None:
        """One timed run of ``action``, recorded in ``result`` (or its failure, in ``result.status``)."""
        gc.collect()
        result.rss_before_mb = rss_mb()
        reset_peak()
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            with hard_limit(self.hard):
                value = action()
        except StageTimeout:
            result.status = f"stopped (>{self.hard:g} s)"
            return None
        except Exception as error:  # a stage of another engineer may be mid-change: report it, go on
            first_line = str(error).splitlines()[0][:160] if str(error) else ""
            result.status = f"error: {type(error).__name__}: {first_line}"
            return None
        result.times.append(time.perf_counter() - start)
        result.cpu_times.append(time.process_time() - cpu_start)
        result.peak_rss_mb = max(result.peak_rss_mb or 0.0, peak_rss_mb(self.reset_works))
        return value

    def unavailable(self, name: str, group: str, why: str) -> None:
        self.results.append(StageResult(name, group, status=f"not available: {why}"))

    def _profile(self, result: StageResult, action: Callable[[], T]) -> T:
        self.profiled = True
        profiler = cProfile.Profile()
        start = time.perf_counter()
        value = profiler.runcall(action)
        result.times.append(time.perf_counter() - start)
        result.detail = "profiled (cProfile; time inflated)"
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        self.profile_text = text.getvalue()
        return value


# -- the stages -----------------------------------------------------------------------------------------------


def pipeline_stages(meter: Meter, data: Path, work: Path) -> tuple[Any, Any, Any]:
    from civicgraph.graph.build import build_graph
    from civicgraph.shacl.validate import validate_graph
    from civicgraph.source.reader import read_dataset

    dataset = meter.run(
        "read",
        PIPELINE,
        lambda: read_dataset(data),
        lambda d: f"{len(d.reports)} report" + ("s" if len(d.reports) != 1 else ""),
    )
    if dataset is None:
        return None, None, None
    built = meter.run("build", PIPELINE, lambda: build_graph(dataset), lambda b: f"{len(b.plain)} triples")
    if built is None:
        return dataset, None, None
    meter.run(
        "validate",
        PIPELINE,
        lambda: validate_graph(built),
        lambda r: f"{len(r.violations)} violations, {len(r.warnings)} warnings",
    )
    # The build makes the triples in canonical order (BuiltGraph.plain): nothing is left to sort.
    triples = built.plain
    format_stages(meter, dataset.settings.base_iri, built, work)
    writer_stages(meter, dataset, built, triples, work)
    return dataset, built, triples


def format_stages(meter: Meter, base: str, built: Any, work: Path) -> None:
    """The three graph files as publish() writes them, one after the other: Turtle with the prefixes the build
    found and N-Triples from the same triples in the order of their lines (BuiltGraph.plain_in_lines, found by the
    build and so part of its time), both made into Oxigraph terms as Oxigraph's serializers read them, and JSON-LD
    from the plain triples (BuiltGraph.plain)."""
    from civicgraph.graph.jsonld import write_jsonld
    from civicgraph.graph.rdfio import write_ntriples, write_turtle
    from civicgraph.graph.terms import oxigraph_triples

    canonical, in_lines = built.plain, built.plain_in_lines
    meter.run(
        "write ttl",
        PIPELINE,
        lambda: write_turtle(oxigraph_triples(canonical), work / "graph.ttl", prefixes=built.prefixes),
    )
    meter.run(
        "write nt",
        PIPELINE,
        lambda: write_ntriples(oxigraph_triples(in_lines), work / "graph.nt", in_line_order=True),
    )
    meter.run("write jsonld", PIPELINE, lambda: write_jsonld(built.plain, work / "graph.jsonld", base))


def writer_stages(meter: Meter, dataset: Any, built: Any, triples: list[Any], work: Path) -> None:
    """Each writer of the release (graph files, catalogue, site, ...) on its own, in publish()'s order."""
    from civicgraph.publish import orchestrator as publish
    from civicgraph.publish.release import Release

    try:
        release = Release(dataset, built, triples)
    except TypeError as error:
        meter.unavailable("writers", PIPELINE, f"Release changed: {error}")
        return
    staging = work / "release"

    def fresh_staging() -> None:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()

    steps = [
        (f"writer: {writer.__name__}", lambda writer=writer: writer(release, staging)) for writer in publish.WRITERS
    ]
    meter.run_chain(steps, PIPELINE, fresh_staging)
    shutil.rmtree(staging, ignore_errors=True)


def query_stage(meter: Meter, dataset: Any, work: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """The query library (``civicgraph.sparql.library``) in-process on Oxigraph: load the store, then every query.

    Each library query runs with its header's example parameters, the TERYT codes, years, organisation keys and
    IRIs replaced by ones of this dataset (the examples name Poznań, absent from a synthetic dataset), so every
    query answers from real matches. The stage time is one pass over the library; the detail gives the median
    latency per query over the repeats, and the slowest query.
    """
    try:
        query = importlib.import_module("civicgraph.sparql.library")
    except ImportError:
        meter.unavailable("query: load store", PIPELINE, "civicgraph.sparql.library is not there yet")
        return []
    if not (work / "graph.nt").exists():
        meter.unavailable("query: load store", PIPELINE, "no graph.nt was written")
        return []
    engine = meter.run("query: load store", PIPELINE, lambda: query.OxigraphEngine.from_file(work / "graph.nt"))
    if engine is None:
        return []
    values = _parameter_values(dataset)
    runs: list[tuple[str, str, dict[str, Any]]] = []
    for name, library_query in query.library().items():
        examples: tuple[dict[str, str], ...] = library_query.examples or ({},)
        for number, example in enumerate(examples, start=1):
            chosen = {key: values.get(key, value) for key, value in example.items()}
            label = name if len(examples) == 1 else f"{name}#{number}"
            runs.append((label, library_query.text, query.bind_parameters(library_query, chosen)))
    latencies: dict[str, list[float]] = {}

    def one_pass() -> int:
        for label, text, bindings in runs:
            start = time.perf_counter()
            engine.run(text, bindings, source=label)
            latencies.setdefault(label, []).append(time.perf_counter() - start)
        return len(runs)

    meter.run("query library (one pass)", PIPELINE, one_pass, lambda n: _latency_detail(n, latencies))
    return runs


def _parameter_values(dataset: Any) -> dict[str, str]:
    """Parameter values that exist in ``dataset``: its richest report's member, year, organisation, activity."""
    report = max(dataset.reports, key=lambda r: (len(r.activities), r.member, r.year))
    other = next((r for r in dataset.reports if r.member != report.member), report)
    base = dataset.settings.base_iri
    values = {
        "teryt": report.member,
        "year": str(report.year),
        "from_teryt": report.member,
        "from_year": str(report.year),
        "to_teryt": other.member,
        "to_year": str(other.year),
    }
    if report.memberships:
        values["organisation"] = report.memberships[0].organisation
    activity = next((a for a in report.activities if a.figures), report.activities[0] if report.activities else None)
    if activity is not None:
        values["activity"] = f"{base}activity/{report.member}/{report.year}/{activity.key}"
        if activity.figures:
            values["resource"] = f"{values['activity']}/figure/{activity.figures[0].key}"
    return values


def _latency_detail(count: int, latencies: dict[str, list[float]]) -> str:
    medians = {name: statistics.median(times) for name, times in latencies.items()}
    slowest = max(medians, key=lambda name: medians[name])
    typical = statistics.median(medians.values())
    return (
        f"{count} runs of {len(medians)} queries; median per-query latency {typical * 1000:.1f} ms, "
        f"slowest {slowest} {medians[slowest] * 1000:.1f} ms"
    )


SERVER = """
import sys
from pathlib import Path
import uvicorn
from civicgraph.sparql.endpoint import ServeSettings, create_app
app = create_app(ServeSettings(data=Path(sys.argv[1]), workers=2))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""
CONCURRENCY = 16


def serve_stage(meter: Meter, runs: list[tuple[str, str, dict[str, Any]]], work: Path) -> None:
    """``civicgraph serve`` in its own process on a free loopback port, answering the library concurrently.

    Timed: the start (until the worker processes hold the graph and answer), then rounds of requests sent by
    16 concurrent clients (each library query, parameters in a leading VALUES block as ``RemoteEngine`` sends
    them). The detail gives throughput, latency percentiles, failures and the server's peak memory (its process
    and its workers, which each hold a copy of the graph).
    """
    try:
        importlib.import_module("civicgraph.sparql.endpoint")
        query = importlib.import_module("civicgraph.sparql.library")
    except ImportError:
        meter.unavailable("serve: start", PIPELINE, "civicgraph.sparql.endpoint is not there yet")
        return
    if not runs or not (work / "graph.nt").exists():
        meter.unavailable("serve: start", PIPELINE, "no query library or no graph.nt")
        return
    bodies = [query.bound_query_text(text, bindings) if bindings else text for _label, text, bindings in runs]
    server: list[subprocess.Popen[bytes]] = []
    port = _free_port()

    def start() -> float:
        server.append(subprocess.Popen([sys.executable, "-c", SERVER, str(work / "graph.nt"), str(port)]))
        return _wait_until_up(port, server[-1])

    try:
        meter.run_chain([("serve: start", start)], PIPELINE, setup=lambda: _stop(server))
        if server and server[-1].poll() is None:
            _serve_load(meter, port, bodies, server[-1].pid)
    finally:
        _stop(server)  # never leave a server behind, whatever happened


def _serve_load(meter: Meter, port: int, bodies: list[str], pid: int) -> None:
    latencies: list[float] = []
    failures: list[int] = []
    walls: list[float] = []
    requests = max(200, 10 * len(bodies))

    def one_round() -> float:
        walls.append(asyncio.run(_load(port, bodies, requests, latencies, failures, meter.budget)))
        return walls[-1]

    meter.run(
        "serve: concurrent queries",
        PIPELINE,
        one_round,
        lambda _wall: _load_detail(sum(walls), latencies, failures, pid),
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> float:
    import httpx

    started = time.perf_counter()
    while process.poll() is None:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=5)
            if answer.status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the server exited with {process.returncode} before answering")


def _stop(server: list[subprocess.Popen[bytes]]) -> None:
    while server:
        process = server.pop()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _load(
    port: int, bodies: list[str], requests: int, latencies: list[float], failures: list[int], budget: float
) -> float:
    """Send ``requests`` queries from concurrent clients; clients stop early once ``budget`` seconds have passed."""
    import httpx

    endpoint = f"http://127.0.0.1:{port}/sparql"
    accept = {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for number in range(requests):
        queue.put_nowait(bodies[number % len(bodies)])

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty() and time.perf_counter() - started < budget:
            body = queue.get_nowait()
            start = time.perf_counter()
            answer = await http.post(endpoint, data={"query": body}, headers=accept)
            latencies.append(time.perf_counter() - start)
            if answer.status_code != 200:
                failures.append(answer.status_code)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as http:
        await asyncio.gather(*(client(http) for _ in range(CONCURRENCY)))
    return time.perf_counter() - started


def _load_detail(wall: float, latencies: list[float], failures: list[int], pid: int) -> str:
    """Throughput and latency over all the rounds (``wall``: their summed duration)."""
    ordered = sorted(latencies)
    p50, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
    failed = f", {len(failures)} answered other than 200 ({sorted(set(failures))})" if failures else ""
    return (
        f"{len(ordered)} requests by {CONCURRENCY} clients in {wall:.1f} s: {len(ordered) / wall:.1f} req/s; "
        f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms{failed}; "
        f"server peak RSS {_tree_peak_mb(pid):.0f} MB (process + 2 workers, each holding the graph)"
    )


def _tree_peak_mb(pid: int) -> float:
    """Peak RSS of a process and its descendants (read from /proc), in MB."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(float(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration):
            continue
    return total / 1024


def reference_stages(meter: Meter, triples: list[Any], work: Path) -> None:
    """pyoxigraph's own serializers on the same triples: the rate the issue's target is measured against."""
    import pyoxigraph as ox

    from civicgraph.graph.rdfio import used_prefixes

    prefixes = used_prefixes(triples)  # computed once, outside the timing: the serializer alone is measured
    meter.run(
        "ox serialize ttl",
        REFERENCE,
        lambda: ox.serialize(triples, str(work / "ox.ttl"), ox.RdfFormat.TURTLE, prefixes=prefixes),
    )
    meter.run("ox serialize nt", REFERENCE, lambda: ox.serialize(triples, str(work / "ox.nt"), ox.RdfFormat.N_TRIPLES))
    meter.run(
        "ox serialize jsonld", REFERENCE, lambda: ox.serialize(triples, str(work / "ox.jsonld"), ox.RdfFormat.JSON_LD)
    )
    if (work / "graph.ttl").exists():
        meter.run(
            "ox parse ttl", REFERENCE, lambda: list(ox.parse(path=str(work / "graph.ttl"), format=ox.RdfFormat.TURTLE))
        )


def baseline_stages(meter: Meter, work: Path) -> None:
    """What a user would otherwise write: rdflib parses and writes Turtle, pyshacl validates the whole graph."""
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph

    from civicgraph.shacl.validate import shapes_graph

    if not (work / "graph.ttl").exists():
        meter.unavailable("rdflib parse ttl", BASELINE, "no graph.ttl was written")
        return

    def parse() -> Graph:
        graph = Graph()
        graph.parse(work / "graph.ttl", format="turtle")
        return graph

    graph = meter.run("rdflib parse ttl", BASELINE, parse)
    if graph is None:
        return
    meter.run(
        "rdflib serialize ttl", BASELINE, lambda: graph.serialize(destination=str(work / "rdflib.ttl"), format="turtle")
    )
    shapes = shapes_graph()
    meter.run(
        "pyshacl whole graph",
        BASELINE,
        lambda: pyshacl_validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True),
        lambda outcome: f"conforms={outcome[0]}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--repeat-budget", type=float, default=30.0, help="stop repeating a stage after this")
    parser.add_argument("--hard-limit", type=float, default=600.0)
    parser.add_argument("--skip", default="", help="stage names separated by |")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--profile", default=None, help="profile this stage once with cProfile instead of timing it")
    args = parser.parse_args()

    meter = Meter(args)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-") as folder:
        work = Path(folder)
        dataset, built, triples = pipeline_stages(meter, args.data, work)
        runs = query_stage(meter, dataset, work) if built is not None else []
        if not args.no_serve and args.profile is None:
            serve_stage(meter, runs, work)
        triple_count = len(built.triples) if built is not None else None
        del dataset, built  # free our graph before the baseline builds its own
        gc.collect()
        if triples is not None and args.profile is None:
            reference_stages(meter, triples, work)
        del triples
        gc.collect()
        if not args.no_baseline and args.profile is None:
            baseline_stages(meter, work)
    json.dump(
        {
            "triples": triple_count,
            "peak_method": "VmHWM reset per stage" if meter.reset_works else "ru_maxrss since process start",
            "seconds": time.perf_counter() - started,
            "stages": [{**asdict(r), "median": r.median, "cpu_median": r.cpu_median} for r in meter.results],
            "profile": meter.profile_text,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
