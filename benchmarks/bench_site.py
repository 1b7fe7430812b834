"""The website writer against an earlier revision of itself, in alternating pairs: time, files and bytes of the
whole site, and the size of the largest pages, at 10× Poznań and at national size.

Each repeat writes the site of one data folder twice, in fresh processes: once with this checkout's code and once
with the code of ``--baseline`` (a git revision, exported with ``git archive`` into a temporary folder and put first
on ``PYTHONPATH``), alternating which goes first. Each process reads and builds the graph and writes the editions
(a report page links its edition's files) before the clock starts, then times ``write_site`` alone. The table gives
medians and the median of the per-repeat ratios.

    .venv/bin/python benchmarks/bench_site.py [--baseline main] [--repeats 3] DATA_FOLDER...

DATA_FOLDER: a data folder both revisions can read (``data`` for Poznań only if its files are as old as the
baseline), usually synthetic folders (``civicgraph synth --out DIR --members 49`` is 10× Poznań,
``--members 2807`` national size).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="*")
    parser.add_argument("--baseline", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child: one site of this data folder
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    if not args.folders:
        parser.error("give one or more data folders")
    with tempfile.TemporaryDirectory(prefix="civicgraph-baseline-") as baseline:
        folders = ["src", "ontology", "shapes", "queries"]  # the package finds its files beside src/
        archive = subprocess.run(["git", "archive", args.baseline, *folders], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", baseline], input=archive.stdout, check=True)
        revision = subprocess.run(
            ["git", "rev-parse", "--short", args.baseline], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        print(f"baseline: {args.baseline} ({revision}); load average {os.getloadavg()[0]:.1f}\n")
        print(
            "| data | code | write_site, wall (median) | CPU, this process | CPU, with its worker | files | site "
            "| HTML | largest page | wall ÷ baseline | CPU with worker ÷ baseline |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for folder in args.folders:
            compare(folder.resolve(), Path(baseline) / "src", args.repeats)
    print(f"\nload average {os.getloadavg()[0]:.1f}")


def compare(folder: Path, baseline_src: Path, repeats: int) -> None:
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "this checkout": []}
    for repeat in range(repeats):
        order = ["baseline", "this checkout"] if repeat % 2 == 0 else ["this checkout", "baseline"]
        for code in order:
            env = dict(os.environ)
            if code == "baseline":
                env["PYTHONPATH"] = str(baseline_src)
            command = [sys.executable, __file__, "--one", str(folder)]
            # stdout carries the JSON; a failing child's traceback goes to our stderr
            child = subprocess.run(command, check=True, stdout=subprocess.PIPE, env=env, cwd=ROOT)
            runs[code].append(json.loads(child.stdout))
    pairs = list(zip(runs["baseline"], runs["this checkout"], strict=True))
    for code, measured in runs.items():
        first = measured[0]
        ratios = ["", ""]
        if code != "baseline":
            ratios = [_ratio([new[key] / old[key] for old, new in pairs]) for key in ("seconds", "cpu_all")]
        print(
            f"| {folder.name} ({first['triples']:,.0f} triples) | {code} | "
            f"{statistics.median(r['seconds'] for r in measured):.2f} s | "
            f"{statistics.median(r['cpu'] for r in measured):.2f} s | "
            f"{statistics.median(r['cpu_all'] for r in measured):.2f} s | {first['files']:,.0f} | "
            f"{first['bytes'] / 1e6:,.1f} MB | {first['html_bytes'] / 1e6:,.1f} MB | "
            f"{first['largest'] / 1e3:,.0f} kB | {ratios[0]} | {ratios[1]} |",
            flush=True,
        )


def _ratio(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"


def one_run(folder: Path) -> dict[str, float]:
    """Seconds of one ``write_site`` on the data folder (wall; CPU of this process, and of it and the worker it
    forks), and what it wrote."""
    from civicgraph.graph.build import build_graph
    from civicgraph.publish.editions import write_editions
    from civicgraph.publish.release import Release
    from civicgraph.publish.site import write_site
    from civicgraph.source.reader import read_dataset

    dataset = read_dataset(folder)
    built = build_graph(dataset)
    release = Release(dataset, built, built.plain)
    with tempfile.TemporaryDirectory(prefix="civicgraph-site-") as work:
        out = Path(work)
        write_editions(release, out)
        wall, cpu, forked = time.perf_counter(), time.process_time(), _children_cpu()
        write_site(release, out)
        seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
        forked_seconds = _children_cpu() - forked
        files = [p for p in (out / "site").rglob("*") if p.is_file()]
        html = [p.stat().st_size for p in files if p.suffix == ".html"]
        return {
            "triples": len(built.plain),
            "seconds": seconds,
            "cpu": cpu_seconds,
            "cpu_all": cpu_seconds + forked_seconds,
            "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
            "html_bytes": sum(html),
            "largest": max(html),
        }


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the forked workers, once joined)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
