"""The whole ``civicgraph build``, one process per run, as a publisher runs it: wall time, peak memory and each
stage's seconds and µs per triple, for this checkout and (``--baseline REV``) an earlier revision, in alternating
runs, or (``--incremental``) a full build against one after a single report changed; and, as the reference
every writer is measured against, pyoxigraph alone reading the built ``graph.nt`` and
writing it as Turtle, N-Triples and JSON-LD.

    .venv/bin/python benchmarks/bench_build.py --baseline 9cf5476 --repeats 3 SYNTH-30 NATIONAL-1
    .venv/bin/python benchmarks/bench_build.py --incremental --repeats 3 SYNTH-30 NATIONAL-1

Each run builds into a fresh temporary folder under a pseudo-terminal (``script``), so that the build prints its
progress lines, which give the stages' seconds. Peak memory is given twice: the largest resident set of any one
process of the run, as ``wait4`` reports it, and the largest sum over all its processes (the build and the workers
it forks) of their proportional set sizes, sampled (:class:`MemorySampler`): what the run takes from the machine,
in all and while each stage ran. Prints Markdown tables of medians.
"""

from __future__ import annotations

import argparse
import codecs
import compileall
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
# run as ``python -c``: the revision on its path, through the console script's function where it has one
MAIN = "import civicgraph.cli.main as c; getattr(c, 'run', c.main)()"
# "read: 2,807 reports in 7.28 s, …" and "publish: write_site: 19.88 s (total …)"
STAGE_LINE = re.compile(r"^(?P<stage>.+?): (?:[\d,]+ [a-z]+ in )?(?P<seconds>\d+\.\d+) s\b")
TRIPLES = re.compile(r"^wrote .* \((?P<triples>\d+) triples")


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes, the largest resident set of one process
    peak_pss: int  # bytes, the largest sum over the run's processes (:class:`MemorySampler`)
    triples: int
    stages: dict[str, float] = field(default_factory=dict)
    stage_pss: dict[str, int] = field(default_factory=dict)  # bytes, that sum's peak while each stage ran
    stage_lines: list[tuple[float, str]] = field(default_factory=list)  # each with when it arrived, from the start


def build_once(
    folder: Path,
    out: Path,
    source: Path | None = None,
    extra: tuple[str, ...] = (),
    prelude: str = "",
    watch: Callable[[int, float], AbstractContextManager[object]] | None = None,
) -> Run:
    """One ``civicgraph build`` of ``folder`` into ``out`` in a new process (``source``: the ``src`` folder of
    another revision, else this checkout; ``prelude``: Python run in it first), under a pseudo-terminal so that it
    prints its stages; ``watch(pid, started)``, entered while it runs (timeline.py's sampler), is given the
    pseudo-terminal's process and the ``time.perf_counter()`` the run started at."""
    compiled(source if source is not None else ROOT / "src")
    program = f"{prelude}\n{MAIN}" if prelude else MAIN
    build = [sys.executable, "-c", program, "build", "--data", str(folder), "--out", str(out), "--lang", "en", *extra]
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    started = time.perf_counter()
    child = subprocess.Popen(
        ["script", "-qec", shlex.join(build), "/dev/null"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    lines: list[tuple[float, str]] = []  # each line of output with when it arrived
    with MemorySampler(child.pid) as memory, watch(child.pid, started) if watch else nullcontext():
        pending, decoder = "", codecs.getincrementaldecoder("utf-8")(errors="replace")  # a chunk may end mid-letter
        output = child.stdout.fileno()
        for chunk in iter(lambda: os.read(output, 1 << 16), b""):
            *complete, pending = (pending + decoder.decode(chunk)).replace("\r", "\n").split("\n")
            lines += [(time.perf_counter(), line) for line in complete]
        lines.append((time.perf_counter(), pending))
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"build of {folder} failed ({child.returncode}):\n" + "\n".join(t for _, t in lines[-40:]))
    run = Run(seconds, usage.ru_maxrss * 1024, memory.peak, 0)
    began = 0.0
    for arrived, line in lines:
        if (stage := STAGE_LINE.match(line)) is not None:
            run.stages[stage["stage"]] = float(stage["seconds"])
            run.stage_pss[stage["stage"]] = memory.peak_between(began, arrived)
            run.stage_lines.append((arrived - started, line))
            began = arrived
        elif (wrote := TRIPLES.match(line)) is not None:
            run.triples = int(wrote["triples"])
    return run


def compiled(source: Path) -> None:
    """Compile the civicgraph package under ``source`` into its ``__pycache__`` folders, where the bytecode is
    missing or older than its module: an installed civicgraph has it (pip compiles the package as it installs it),
    and a checkout writes it on its first run. With ``PYTHONDONTWRITEBYTECODE`` set, as on the measuring machines,
    nothing wrote it, and every build compiled its modules again: importing the build's modules took 0.33 s instead
    of 0.24 (3 alternating runs each)."""
    if not compileall.compile_dir(source / "civicgraph", quiet=1):
        raise SystemExit(f"{source / 'civicgraph'} does not compile")


class Sampler(threading.Thread):
    """A thread that samples a run's processes (``root`` and those under it) every ``period`` seconds
    (:meth:`sample`) while a with-block runs."""

    period = 0.5

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self._done = root, threading.Event()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(self.period):
            self.sample()

    def sample(self) -> None:
        raise NotImplementedError


class MemorySampler(Sampler):
    """The memory a run takes from the machine, forked workers included: the sum of the proportional set sizes of
    a process and its descendants (PSS: a page n processes share counts 1/n in each, so copy-on-write pages of a
    fork count once), sampled every half second. No one process's peak resident set shows it: a worker's pages of
    its own are not in its parent's, and the pages it shares with its parent are in both. Reading a process's PSS
    walks its page tables under its memory-map lock: sampled every 50 ms, a national build took 10-20% longer."""

    def __init__(self, root: int) -> None:
        super().__init__(root)
        self.peak = 0
        self.samples: list[tuple[float, int]] = []  # (time.perf_counter(), bytes)

    def sample(self) -> None:
        self.samples.append((time.perf_counter(), sum(_pss(pid) for pid in _descendants(self.root))))
        self.peak = max(self.peak, self.samples[-1][1])

    def peak_between(self, began: float, ended: float) -> int:
        """The largest sample taken from ``began`` to half a second after ``ended`` (a stage's line arrives when
        it ends; the next sample may be the first to see its last pages)."""
        return max((size for at, size in self.samples if began <= at <= ended + 0.5), default=0)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (those that end meanwhile are skipped)."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        try:
            waiting += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return found


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes, 0 if it has ended."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def build_fresh(folder: Path, source: Path | None, keep_graph: Path) -> Run:
    """:func:`build_once` into a new temporary folder; its ``graph.nt`` is moved to ``keep_graph``."""
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-") as work:
        out = Path(work) / "dist"
        run = build_once(folder, out, source)
        (out / "graph.nt").replace(keep_graph)
    return run


def in_turn(variants: Iterable[str], repeat: int) -> list[str]:
    """The variants in the order of one repeat, reversed every other time: what drifts during a run (the machine's
    speed, its caches) falls on each variant alike."""
    order = list(variants)
    return order if repeat % 2 == 0 else order[::-1]


@contextmanager
def one_report_to_change(folder: Path, what: str = "url") -> Iterator[tuple[Path, Callable[[], None]]]:
    """A temporary folder holding a copy of ``folder`` in ``data/``, and the function that changes one report or
    undoes that change: so that exactly one edition differs from the release built before. ``what``: ``url``,
    its source URL, which no table reads (the first report); ``figure``, its first amount in złoty corrected by a
    grosz (value, quote and source text), which the tables show (the first report printing one); ``removed``,
    the last report (a commune's, in a synthetic national folder) taken out of the data folder, then put back."""
    with tempfile.TemporaryDirectory(prefix="civicgraph-bench-") as work:
        data = Path(work) / "data"
        shutil.copytree(folder, data)
        reports = sorted((data / "reports").glob("*/*/report.yaml"))
        if not reports:
            raise SystemExit(f"no report in {folder} to change")
        if what == "removed":
            yield Path(work), partial(_moved_out_or_back, reports[-1].parent, Path(work) / "removed")
            return
        report = next((r for r in reports if what == "url" or _AMOUNT.search(r.read_text(encoding="utf-8"))), None)
        if report is None:
            printing = "" if what == "url" else " printing an amount in złoty"
            raise SystemExit(f"no report{printing} in {folder} to change")
        files = [report, report.parent / "source.txt"]
        originals = [path.read_text(encoding="utf-8") for path in files]
        edited = _url_changed(originals) if what == "url" else _figure_corrected(originals, report)

        def change() -> None:
            now = files[0].read_text(encoding="utf-8")
            for path, text in zip(files, originals if now != originals[0] else edited, strict=True):
                path.write_text(text, encoding="utf-8")

        yield Path(work), change


def _moved_out_or_back(report: Path, aside: Path) -> None:
    """Move the report's folder to ``aside``, or back from there."""
    if report.is_dir():
        report.rename(aside)
    else:
        aside.rename(report)


_AMOUNT = re.compile(r"value: (\d+)\.(\d\d)\n    currency: PLN\n")


def _url_changed(originals: list[str]) -> list[str]:
    report, source = originals
    url = re.search(r"^url: (\S+)$", report, re.MULTILINE)
    if url is None:
        raise SystemExit("the report to change has no url: line")
    return [report.replace(url[0], f"{url[0]}?poprawiony", 1), source]


def _figure_corrected(originals: list[str], path: Path) -> list[str]:
    report, source = originals
    amount = _AMOUNT.search(report)
    assert amount is not None  # the report was chosen for it
    whole, grosze = amount.groups()
    corrected = f"{int(grosze) + 1:02d}" if grosze != "99" else "98"  # a grosz, within the złoty
    # as printed, the groups of digits are parted by no-break spaces: only the last group is matched
    printed, reprinted = f"{whole[-3:]},{grosze}", f"{whole[-3:]},{corrected}"
    if printed not in report or printed not in source:
        raise SystemExit(f"{path}: {printed} is not in its quote and source text")
    value = amount[0].replace(f"{whole}.{grosze}", f"{whole}.{corrected}")
    return [report.replace(amount[0], value, 1).replace(printed, reprinted, 1), source.replace(printed, reprinted, 1)]


def incremental_runs(folder: Path, repeats: int, keep_graph: Path) -> dict[str, list[Run]]:
    """A copy of ``folder`` built once, then, alternating: ``--full`` builds into that release, and builds after
    one report's ``url`` was changed (so that exactly one edition differs from the release being replaced)."""
    runs: dict[str, list[Run]] = {"--full": [], "one report changed": []}
    with one_report_to_change(folder) as (work, change):
        data, out = work / "data", work / "dist"
        build_once(data, out)
        for repeat in range(repeats):
            for code in in_turn(runs, repeat):
                if code == "--full":
                    runs[code].append(build_once(data, out, extra=("--full",)))
                    continue
                change()
                runs[code].append(build_once(data, out))
        shutil.copyfile(out / "graph.nt", keep_graph)
    return runs


def oxigraph_reference(graph: Path) -> dict[str, float]:
    """Seconds pyoxigraph alone takes to read a built graph.nt and to write it in each format (median of 3)."""
    import pyoxigraph as ox

    data = graph.read_bytes()
    timings: dict[str, list[float]] = {}
    for _ in range(3):
        started = time.perf_counter()
        triples = [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        timings.setdefault("read N-Triples", []).append(time.perf_counter() - started)
        for name, rdf_format in (
            ("write Turtle", ox.RdfFormat.TURTLE),
            ("write N-Triples", ox.RdfFormat.N_TRIPLES),
            ("write JSON-LD", ox.RdfFormat.JSON_LD),
        ):
            started = time.perf_counter()
            ox.serialize(triples, format=rdf_format)
            timings.setdefault(name, []).append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def _revision_source(revision: str, folder: Path) -> Path:
    """The package files of ``revision`` extracted into ``folder``; its ``src``."""
    archive = subprocess.run(
        ["git", "archive", revision, "src", "ontology", "shapes", "queries"], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def report(folder: Path, runs: dict[str, list[Run]]) -> None:
    triples = next(iter(runs.values()))[0].triples
    print(f"\n### {folder.name} ({triples:,} triples)\n")
    codes = list(runs)
    print("| | " + " | ".join(codes) + (" | ratio |" if len(codes) == 2 else " |"))
    print("|---|" + "---:|" * len(codes) + ("---:|" if len(codes) == 2 else ""))
    walls = [statistics.median([r.seconds for r in runs[c]]) for c in codes]
    rss = [statistics.median([r.peak_rss for r in runs[c]]) for c in codes]
    pss = [statistics.median([r.peak_pss for r in runs[c]]) for c in codes]
    ratio = (lambda values: f" {values[1] / values[0]:.2f} |") if len(codes) == 2 else (lambda values: "")
    print("| whole process, wall | " + " | ".join(f"{w:.1f} s" for w in walls) + " |" + ratio(walls))
    print("| peak memory (one process) | " + " | ".join(f"{m / 2**30:.2f} GiB" for m in rss) + " |" + ratio(rss))
    print("| peak memory (all processes, PSS) | " + " | ".join(f"{m / 2**30:.2f} GiB" for m in pss) + " |" + ratio(pss))
    stages = list(dict.fromkeys(s for c in codes for r in runs[c] for s in r.stages))
    for stage in stages:
        values = [statistics.median([r.stages.get(stage, 0.0) for r in runs[c]]) for c in codes]
        cells = " | ".join(f"{v:.2f} s · {v / triples * 1e6:.2f} µs/triple" for v in values)
        print(f"| {stage} | {cells} |" + (ratio(values) if all(values) else (" |" if len(codes) == 2 else "")))
    print("\nPeak memory of all processes (PSS) while each stage ran, median:\n")
    print("| stage | " + " | ".join(codes) + " |\n|---|" + "---:|" * len(codes))
    for stage in stages:
        peaks = [statistics.median([r.stage_pss.get(stage, 0) for r in runs[c]]) for c in codes]
        # no sample while the stage ran: it lasted less than the sampling interval
        print(f"| {stage} | " + " | ".join(f"{m / 2**30:.2f} GiB" if m else "no sample" for m in peaks) + " |")


def machine_state() -> str:
    """The load average and the memory available, printed before and after the runs. Releases written to
    ``/dev/shm`` (``TMPDIR=/dev/shm``) hold memory until removed: with 15 GiB held there by earlier releases, a
    three years' build, writing its own 4.7 GB release there too, was killed by the kernel."""
    with open("/proc/meminfo", encoding="ascii") as meminfo:  # Linux, as the builds measured here are
        kib = {name: int(value.split()[0]) for name, value in (line.split(":", 1) for line in meminfo)}
    available, total = kib["MemAvailable"] / 2**20, kib["MemTotal"] / 2**20
    return f"load average {os.getloadavg()[0]:.1f}; memory available {available:.1f} of {total:.1f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+", help="data folders to build")
    parser.add_argument("--baseline", help="a git revision to compare this checkout with")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="compare --full builds with builds after one report changed, into the same release (this checkout)",
    )
    args = parser.parse_args()
    print(f"before: {machine_state()}")
    with tempfile.TemporaryDirectory(prefix="civicgraph-baseline-") as extracted:
        sources: dict[str, Path | None] = {}
        if args.baseline:
            sources[f"baseline {args.baseline}"] = _revision_source(args.baseline, Path(extracted))
        sources["this checkout"] = None
        built = Path(extracted) / "graph.nt"
        for folder in args.folders:
            if args.incremental:
                runs = incremental_runs(folder.resolve(), args.repeats, built)
            else:
                runs = {code: [] for code in sources}
                for repeat in range(args.repeats):
                    for code in in_turn(sources, repeat):
                        runs[code].append(build_fresh(folder.resolve(), sources[code], built))
            report(folder, runs)
            reference = oxigraph_reference(built)  # the graph.nt of the last run
            triples = next(iter(runs.values()))[0].triples
            print("\npyoxigraph alone on the built graph.nt (median of 3):\n")
            print("| step | seconds | µs/triple |\n|---|---:|---:|")
            for name, seconds in reference.items():
                print(f"| {name} | {seconds:.2f} | {seconds / triples * 1e6:.2f} |")
    print(f"\nafter: {machine_state()}")


if __name__ == "__main__":
    main()
