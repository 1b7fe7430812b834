"""Benchmark of the portal-publishing writers (issue 4): each writer of ``publish.WRITERS``, and the whole
``civicgraph build`` of Poznań 2023 from process start.

    .venv/bin/python benchmarks/bench_publish.py                      # 1x (data/) and 10x (synthetic), 5 repeats
    .venv/bin/python benchmarks/bench_publish.py --members 49,489 --repeats 3

Sizes: ``data/`` (Poznań 2023) and synthetic datasets of N members written by ``civicgraph synth`` (invented
names, realistic shape). Every repeat publishes the whole release into a fresh folder under ``.cache/`` (on the
project's disk: file creation is what the site writer mostly waits for), timing each writer; the tables give
medians of wall and CPU time. Timings are of a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench-publish"
CIVICGRAPH = ROOT / ".venv" / "bin" / "civicgraph"


def synthetic(members: int) -> Path:
    folder = CACHE / f"synth-{members}"
    if not (folder / "civicgraph.yaml").is_file():
        subprocess.run(
            [str(CIVICGRAPH), "synth", "--out", str(folder), "--members", str(members), "--force"],
            check=True,
            capture_output=True,
        )
    return folder


def writer_times(data: Path, repeats: int) -> tuple[int, int, dict[str, list[tuple[float, float]]]]:
    from civicgraph.graph.build import build_graph
    from civicgraph.publish import orchestrator as publish
    from civicgraph.publish.release import Release
    from civicgraph.source.reader import read_dataset

    dataset = read_dataset(data)
    built = build_graph(dataset)
    times: dict[str, list[tuple[float, float]]] = {w.__name__: [] for w in publish.WRITERS}
    files = 0
    for _ in range(repeats):
        release = Release(dataset, built, built.plain)
        out = CACHE / "release"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for writer in publish.WRITERS:
            wall, cpu = time.perf_counter(), time.process_time()
            writer(release, out)
            times[writer.__name__].append((time.perf_counter() - wall, time.process_time() - cpu))
        files = sum(1 for p in out.rglob("*") if p.is_file())
        shutil.rmtree(out)
    return len(built.plain), files, times


def build_wall(runs: int) -> list[float]:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [str(CIVICGRAPH), "build", "--data", str(ROOT / "data"), "--out", str(CACHE / "dist")],
            check=True,
            capture_output=True,
        )
        walls.append(time.perf_counter() - start)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", default="49", help="comma-separated synthetic sizes (members); '' for none")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--build-runs", type=int, default=7)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    sizes = [("Poznań 2023 (data/)", ROOT / "data")]
    sizes += [(f"synthetic, {m} members", synthetic(int(m))) for m in args.members.split(",") if m]

    print(
        f"# Publishing writers — CPython {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}\n"
    )
    walls = build_wall(args.build_runs)
    print(
        f"`civicgraph build` of Poznań 2023, process start to dist/ written: median {statistics.median(walls):.2f} s"
        f" (min {min(walls):.2f}, max {max(walls):.2f}, {len(walls)} runs)\n"
    )
    for name, data in sizes:
        triples, files, times = writer_times(data, args.repeats)
        print(f"## {name}: {triples} triples, {files} files in dist/ ({args.repeats} repeats, medians)\n")
        print("| writer | wall | CPU |")
        print("|---|---:|---:|")
        for writer, samples in times.items():
            wall = statistics.median(s[0] for s in samples)
            cpu = statistics.median(s[1] for s in samples)
            print(f"| {writer} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms |")
        total_wall = statistics.median(sum(s[0] for s in run) for run in zip(*times.values(), strict=True))
        print(f"| **all writers** | **{total_wall * 1000:.0f} ms** | |\n")


if __name__ == "__main__":
    main()
