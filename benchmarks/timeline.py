"""Where one ``civicgraph build``'s time goes, process by process: the building process and every process it forks or
spawns, sampled every 0.1 s for the CPU seconds each used since the sample before, against the build's stage lines.
Prints, for each stretch between two stage lines, its seconds, the core-seconds the building process and the others
used, and those left idle; with ``--trace``, every sample. Used to find where one core waits while the other works alone
(benchmarks/README.md: "Where a build with one report changed spends its time").

    .venv/bin/python benchmarks/timeline.py NATIONAL-1
    .venv/bin/python benchmarks/timeline.py --incremental --trace NATIONAL-1

A stretch is named by the stage line that ends it. A stage that runs beside the others prints its line when its
result is awaited: into an earlier release, the validation's line ends the stretch in which the building process
made the graph's index. With ``--incremental``, the build measured is the third into one release, after one
report's ``url`` changed: the first is fresh, and the second makes what a build into a release keeps beside it.
Each sample reads ``/proc``, and ``build_once`` samples the memory every half second: the build runs a little
slower than alone.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_build import STAGE_LINE, Sampler, _descendants, build_once, one_report_to_change

from civicgraph.util.parallel import workers

PERIOD = 0.1  # seconds between samples
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    at: float  # seconds since the build started
    interval: float  # seconds since the sample before
    used: dict[int, float]  # process -> CPU seconds it used since the sample before


class CpuSampler(Sampler):
    """The CPU seconds every process under ``root`` (``script``, left out) used since the sample before; the first
    process seen is the building process. A process that ends between two samples loses its last interval's: a
    short-lived child's work may be counted as idle time, by up to :data:`PERIOD`."""

    period = PERIOD

    def __init__(self, root: int, started: float) -> None:
        super().__init__(root)
        self.started, self.before = started, 0.0
        self.building: int | None = None
        self.samples: list[Sample] = []
        self._seen: dict[int, float] = {}  # each process's CPU seconds at the sample before

    def sample(self) -> None:
        at, used = time.perf_counter() - self.started, {}
        for pid in _descendants(self.root):
            now = _cpu_seconds(pid)
            if now is None or pid == self.root:
                continue
            if self.building is None:
                self.building = pid
            used[pid] = now - self._seen.get(pid, 0.0)
            self._seen[pid] = now
        self.samples.append(Sample(at, at - self.before, used))
        self.before = at


@dataclass
class Timeline:
    building: int | None  # the building process
    samples: list[Sample]
    lines: list[tuple[float, str]]  # stage lines, each with when it arrived


def _cpu_seconds(pid: int) -> float | None:
    """The user and system CPU time a process has used, None if it has ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICK


def traced_build(folder: Path, out: Path) -> Timeline:
    """One ``civicgraph build`` of ``folder`` into ``out`` (:func:`bench_build.build_once`), sampled."""
    samplers: list[CpuSampler] = []

    def watch(pid: int, started: float) -> CpuSampler:
        samplers.append(CpuSampler(pid, started))
        return samplers[-1]

    run = build_once(folder, out, watch=watch)
    return Timeline(samplers[0].building, samplers[0].samples, run.stage_lines)


def stretches(timeline: Timeline, cores: int) -> list[tuple[str, float, float, float, float]]:
    """Per stretch ending with a stage line (and the last, to the process's end): its name, seconds, and the
    core-seconds the building process and the others used and those left idle."""
    ends = [*timeline.lines, (float("inf"), "the end: SHA256SUMS written to the process's end")]
    rows, begun, place = [], 0.0, 0
    for ended, line in ends:
        mine = others = 0.0
        while place < len(timeline.samples) and timeline.samples[place].at <= ended:
            for pid, seconds in timeline.samples[place].used.items():
                if pid == timeline.building:
                    mine += seconds
                else:
                    others += seconds
            place += 1
        last = timeline.samples[place - 1].at if place else 0.0
        seconds = min(ended, last) - begun
        match = STAGE_LINE.match(line)
        name = match["stage"] if match else line
        rows.append((name, seconds, mine, others, max(0.0, cores * seconds - mine - others)))
        begun = min(ended, last)
    return rows


def print_report(timeline: Timeline, trace: bool) -> None:
    cores = workers()  # the cores the build shares its work between
    print("| stretch, until the line of | seconds | building process | other processes | idle core-seconds |")
    print("|---|---:|---:|---:|---:|")
    rows = stretches(timeline, cores)
    for name, seconds, mine, others, idle in rows:
        print(f"| {name} | {seconds:.2f} | {mine:.2f} | {others:.2f} | {idle:.2f} |")
    totals = [sum(row[column] for row in rows) for column in (1, 2, 3, 4)]
    print("| **whole build** | {:.2f} | {:.2f} | {:.2f} | {:.2f} |".format(*totals))
    if trace:
        print("\n```")
        events = [(sample.at, _shares(sample, timeline.building)) for sample in timeline.samples]
        for at, text in sorted(events + [(at, f">> {line}") for at, line in timeline.lines]):
            print(f"{at:7.2f} {text}")
        print("```")


def _shares(sample: Sample, building: int | None) -> str:
    """The share of a core the building process used (``b``), then each other process's, by its number."""
    share = {pid: seconds / sample.interval for pid, seconds in sample.used.items()}
    shown = [f"b:{share.get(building, 0.0):.1f}"] if building is not None else []
    shown += [f"{pid}:{used:.1f}" for pid, used in sorted(share.items()) if pid != building and used > 0.05]
    return " ".join(shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the data folder to build")
    parser.add_argument("--incremental", action="store_true", help="a build into a release, one report changed")
    parser.add_argument("--trace", action="store_true", help="print every sample too")
    arguments = parser.parse_args()
    if not arguments.incremental:
        with tempfile.TemporaryDirectory(prefix="civicgraph-timeline-") as work:
            print_report(traced_build(arguments.folder, Path(work) / "dist"), arguments.trace)
        return
    with one_report_to_change(arguments.folder) as (work, change):
        out = work / "dist"
        build_once(work / "data", out)  # fresh
        change()
        build_once(work / "data", out)  # makes what the next build into the release takes
        change()
        print_report(traced_build(work / "data", out), arguments.trace)


if __name__ == "__main__":
    main()
