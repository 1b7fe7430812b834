"""Benchmark of the editions (``editions/{teryt}-{year}.*``): the two ways of making an edition's triples, side by
side on the same data, and the writer that writes all three files of every edition.

    .venv/bin/python benchmarks/bench_editions.py                        # data/ and 300 synthetic members, 2 years
    .venv/bin/python benchmarks/bench_editions.py --members 300,1000 --repeats 5

- ``built alone``: each report's records built by themselves (``publish.editions.edition_graph``), the definition
  of an edition;
- ``cut``: the same triples cut from the whole graph, the memberships rebuilt (``publish.editions.edition_triples``),
  what the writer uses;
- ``write_editions``: the writer, Turtle, N-Triples and JSON-LD of every edition, in forked workers.

One process, the stages alternating within each repeat; the table gives medians of wall time, with the ratio of the
two ways. Timings are of a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench-editions"
CIVICGRAPH = ROOT / ".venv" / "bin" / "civicgraph"


def synthetic(members: int) -> Path:
    folder = CACHE / f"synth-{members}"
    if not (folder / "civicgraph.yaml").is_file():
        command = [str(CIVICGRAPH), "synth", "--out", str(folder), "--members", str(members)]
        subprocess.run(
            [*command, "--years", "2022,2023", "--force"],
            check=True,
            capture_output=True,
        )
    return folder


def measure(data: Path, repeats: int) -> tuple[int, int, int, dict[str, float]]:
    from civicgraph.graph.build import build_graph
    from civicgraph.publish.editions import edition_graph, edition_triples, write_editions
    from civicgraph.publish.release import GraphIndex, Release
    from civicgraph.source.reader import read_dataset

    dataset = read_dataset(data)
    built = build_graph(dataset)
    index = GraphIndex.of(built.plain, dataset.settings.base_iri)
    release = Release(dataset, built, built.plain)
    edition_size = sum(len(edition_triples(index, dataset, report)) for report in dataset.reports)

    def alone() -> None:
        for report in dataset.reports:
            edition_graph(dataset, report)

    def cut() -> None:
        for report in dataset.reports:
            edition_triples(index, dataset, report)

    def write() -> None:
        out = Path(tempfile.mkdtemp(dir=CACHE))
        try:
            write_editions(release, out)
        finally:
            shutil.rmtree(out)

    stages: dict[str, Callable[[], None]] = {"built alone": alone, "cut": cut, "write_editions": write}
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(repeats):
        for name, stage in stages.items():
            started = time.perf_counter()
            stage()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return len(dataset.reports), len(built.plain), edition_size, medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="300", help="sizes of synthetic data, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    sizes = [("data/", ROOT / "data")] + [(f"{n} members", synthetic(int(n))) for n in args.members.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f}; medians of {args.repeats} runs", file=sys.stderr)
    print("| data | reports | triples (whole) | triples (editions) | built alone | cut | ratio | write_editions |")
    print("|---|---|---|---|---|---|---|---|")
    for label, data in sizes:
        reports, triples, editions, medians = measure(data, args.repeats)
        alone, cut = medians["built alone"], medians["cut"]
        print(
            f"| {label} | {reports:,} | {triples:,} | {editions:,} | {alone:.2f} s | {cut:.2f} s "
            f"| {alone / cut:.1f}× | {medians['write_editions']:.2f} s |"
        )


if __name__ == "__main__":
    main()
