"""Time per triple of each pipeline stage at a small and a large size, measured in alternating pairs: the
"grows linearly" target of issue 6 (the largest size's time per triple within 1.5 times the 10x size's) without
the drift of a long run.

In ``run.py`` the sizes run one after the other, up to half an hour apart, and this machine's speed drifts up to
1.9 times over such spans: that alone moved the validation ratio from 1.11 to 1.94 between two runs. Here each
repeat runs the pipeline once on the small data and once on the large data, back to back, alternating which goes
first, and the table gives the medians per triple and the median of the per-repeat ratios.

Each run is a fresh process doing what ``civicgraph build`` does, in its order: read, build, validate (in two
processes from 20,000 focus nodes, so at the large size only), write Turtle, N-Triples (in the line order the
build found) and JSON-LD. The shapes are compiled before the clock starts: a fixed cost, not one per triple.
Fresh processes, because in one process holding a national graph the small size's stages ran two to three times
slower than alone (the small graph's objects land among the large one's).

    .venv/bin/python benchmarks/linearity_paired.py [--repeats 5] SMALL_FOLDER LARGE_FOLDER

The folders are data folders, such as the synthetic ones ``run.py`` keeps under ``$TMPDIR/civicgraph-bench``
(``synth-m49-y2023-s1`` is 10 times Poznań, ``synth-m2807-y2021-2022-2023-s1`` national size over three years).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("small", type=Path, nargs="?")
    parser.add_argument("large", type=Path, nargs="?")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child: time one run on this folder
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    if args.small is None or args.large is None:
        parser.error("give SMALL_FOLDER and LARGE_FOLDER")
    folders = (args.small, args.large)
    runs: list[list[dict[str, float]]] = [[], []]
    for repeat in range(args.repeats):
        for which in [0, 1] if repeat % 2 == 0 else [1, 0]:
            command = [sys.executable, __file__, "--one", str(folders[which])]
            # stdout carries the JSON; a failing child's traceback goes to our stderr
            child = subprocess.run(command, check=True, stdout=subprocess.PIPE)
            runs[which].append(json.loads(child.stdout))
    small, large = (f"{folder.name} ({runs[n][0]['triples']:,.0f} triples)" for n, folder in enumerate(folders))
    print(f"| stage | {small}: µs per triple | {large}: µs per triple | large ÷ small, median of pairs |")
    print("|---|---|---|---|")
    for stage in (stage for stage in runs[0][0] if stage != "triples"):
        at_small, at_large = ([run[stage] / run["triples"] for run in size] for size in runs)
        ratios = [big / little for little, big in zip(at_small, at_large, strict=True)]
        spread = f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})"
        print(f"| {stage} | {_us(at_small)} | {_us(at_large)} | {spread} |", flush=True)


def one_run(folder: Path) -> dict[str, float]:
    """Seconds per stage of one pipeline run on the data folder, and its number of triples."""
    from civicgraph.graph.build import build_graph
    from civicgraph.graph.jsonld import write_jsonld
    from civicgraph.graph.rdfio import write_ntriples, write_turtle
    from civicgraph.graph.terms import oxigraph_triples
    from civicgraph.shacl.validate import _compiled_default_shapes, validate_graph
    from civicgraph.source.reader import read_dataset

    _compiled_default_shapes()
    seconds: dict[str, float] = {}

    @contextmanager
    def clock(stage: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        seconds[stage] = time.perf_counter() - started

    with clock("read"):
        dataset = read_dataset(folder)
    with clock("build"):
        built = build_graph(dataset)
    with clock("validate"):
        validate_graph(built)
    with tempfile.TemporaryDirectory() as work:
        out = Path(work)
        with clock("write ttl"):
            write_turtle(oxigraph_triples(built.plain), out / "graph.ttl", prefixes=built.prefixes)
        with clock("write nt"):
            write_ntriples(oxigraph_triples(built.plain_in_lines), out / "graph.nt", in_line_order=True)
        with clock("write jsonld"):
            write_jsonld(built.plain, out / "graph.jsonld", dataset.settings.base_iri)
    return {"triples": len(built.plain), **seconds}


def _us(seconds_per_triple: list[float]) -> str:
    return f"{statistics.median(seconds_per_triple) * 1e6:.2f}"


if __name__ == "__main__":
    main()
