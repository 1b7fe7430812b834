"""Time per triple of each pipeline stage at a small and a large size, measured in alternating pairs: the
"grows linearly" target of issue 6 (the largest size's time per triple within 1.5 times the 10x size's) without
the drift of a long run.

In ``run.py`` the sizes run one after the other, up to half an hour apart, and this machine's speed drifts up to
1.9 times over such spans: that alone moved the validation ratio from 1.11 to 1.94 between two runs. Here each
repeat runs every stage on the small data and on the large data back to back, alternating which goes first, in
one process, and the table gives the medians per triple and the median of the per-repeat ratios.

    .venv/bin/python benchmarks/linearity_paired.py [--repeats 5] SMALL_FOLDER LARGE_FOLDER

The folders are data folders, such as the synthetic ones ``run.py`` keeps under ``$TMPDIR/civicgraph-bench``
(``synth-m49-y2023-s1`` is 10 times Poznań, ``synth-m2807-y2021-2022-2023-s1`` national size over three years).
Every stage runs as ``civicgraph build`` runs it: validation in two processes from 20,000 focus nodes (so at the
large size only), N-Triples in the line order the build found.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from civicgraph.build import build_graph
from civicgraph.jsonld import write_jsonld
from civicgraph.load import load_dataset
from civicgraph.rdfio import write_ntriples, write_turtle
from civicgraph.validate import validate_graph

Stages = dict[str, Callable[[], object]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("small", type=Path)
    parser.add_argument("large", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        sizes = [prepare(folder, Path(work) / name) for name, folder in (("small", args.small), ("large", args.large))]
        for _triples, stages in sizes:  # once untimed: the shapes compiled, the caches and the files made
            for action in stages.values():
                action()
        per_triple: dict[str, list[list[float]]] = {stage: [[], []] for stage in sizes[0][1]}
        for repeat in range(args.repeats):
            order = [0, 1] if repeat % 2 == 0 else [1, 0]
            for stage in per_triple:
                for which in order:
                    triples, stages = sizes[which]
                    started = time.perf_counter()
                    stages[stage]()
                    per_triple[stage][which].append((time.perf_counter() - started) / triples)
    small, large = (f"{folder.name} ({sizes[n][0]:,} triples)" for n, folder in enumerate((args.small, args.large)))
    print(f"| stage | {small}: µs per triple | {large}: µs per triple | large ÷ small, median of pairs |")
    print("|---|---|---|---|")
    for stage, (at_small, at_large) in per_triple.items():
        ratios = [big / little for little, big in zip(at_small, at_large, strict=True)]
        spread = f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})"
        print(f"| {stage} | {_us(at_small)} | {_us(at_large)} | {spread} |", flush=True)


def prepare(folder: Path, out: Path) -> tuple[int, Stages]:
    """The graph of a data folder, and each stage to time on it."""
    out.mkdir(parents=True)
    dataset = load_dataset(folder)
    built = build_graph(dataset)
    base = dataset.settings.base_iri
    stages: Stages = {
        "load": lambda: load_dataset(folder),
        "build": lambda: build_graph(dataset),
        "validate": lambda: validate_graph(built),
        "write ttl": lambda: write_turtle(built.triples, out / "graph.ttl", prefixes=built.prefixes),
        "write nt": lambda: write_ntriples(built.ntriples_order, out / "graph.nt", in_line_order=True),
        "write jsonld": lambda: write_jsonld(built.plain, out / "graph.jsonld", base),
    }
    return len(built.triples), stages


def _us(seconds_per_triple: list[float]) -> str:
    return f"{statistics.median(seconds_per_triple) * 1e6:.2f}"


if __name__ == "__main__":
    main()
