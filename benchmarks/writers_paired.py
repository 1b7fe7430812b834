"""The three graph writers against pyoxigraph's own serializers, measured in pairs: the "half pyoxigraph's rate"
target of issue 6 without the drift of a long run.

In ``run.py`` a writer's repeats and pyoxigraph's run minutes apart, in a process whose memory has grown in
between; on this project's shared two-core machine that alone moved a ratio by 0.5. Here each repeat writes one
file with civicgraph's writer and then the same file with pyoxigraph's serializer, alternating which goes first,
on the same built graph, and the table gives the medians and the median of the per-repeat ratios.

    .venv/bin/python benchmarks/writers_paired.py [--repeats 5] DATA_FOLDER...

DATA_FOLDER: a data folder (``data`` for Poznań, or the synthetic ones ``run.py`` keeps under
``$TMPDIR/civicgraph-bench``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from civicgraph.graph.build import build_graph
from civicgraph.graph.jsonld import write_jsonld
from civicgraph.graph.rdfio import write_ntriples, write_turtle
from civicgraph.graph.terms import oxigraph_triples
from civicgraph.source.reader import read_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| data | triples | format | ours (median) | pyoxigraph (median) | ours ÷ pyoxigraph, median of pairs |")
    print("|---|---|---|---|---|---|")
    for folder in args.folders:
        with tempfile.TemporaryDirectory() as work:
            measure(folder, Path(work), args.repeats)


def measure(folder: Path, out: Path, repeats: int) -> None:
    dataset = read_dataset(folder)
    built = build_graph(dataset)
    base = dataset.settings.base_iri
    writers: dict[str, tuple[Callable[[], object], ox.RdfFormat]] = {
        "Turtle": (
            lambda: write_turtle(oxigraph_triples(built.plain), out / "ours.ttl", prefixes=built.prefixes),
            ox.RdfFormat.TURTLE,
        ),
        "N-Triples": (
            lambda: write_ntriples(oxigraph_triples(built.plain_in_lines), out / "ours.nt", in_line_order=True),
            ox.RdfFormat.N_TRIPLES,
        ),
        "JSON-LD": (lambda: write_jsonld(built.plain, out / "ours.jsonld", base), ox.RdfFormat.JSON_LD),
    }
    for name, (ours, rdf_format) in writers.items():
        theirs = _oxigraph_writer(built.triples, out / "theirs", rdf_format, built.prefixes)
        times: dict[str, list[float]] = {"ours": [], "theirs": []}
        for repeat in range(repeats):
            pair = [("ours", ours), ("theirs", theirs)]
            for label, action in pair if repeat % 2 == 0 else pair[::-1]:
                started = time.perf_counter()
                action()
                times[label].append(time.perf_counter() - started)
        ratios = [mine / other for mine, other in zip(times["ours"], times["theirs"], strict=True)]
        spread = f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})"
        mine, other = _ms(times["ours"]), _ms(times["theirs"])
        print(f"| {folder.name} | {len(built.triples):,} | {name} | {mine} | {other} | {spread} |", flush=True)


def _oxigraph_writer(
    triples: list[ox.Triple], path: Path, rdf_format: ox.RdfFormat, prefixes: dict[str, str]
) -> Callable[[], None]:
    def write() -> None:
        with path.open("wb") as file:
            if rdf_format == ox.RdfFormat.TURTLE:
                ox.serialize(triples, file, rdf_format, prefixes=prefixes)
            else:
                ox.serialize(triples, file, rdf_format)

    return write


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:,.0f} ms"


if __name__ == "__main__":
    main()
