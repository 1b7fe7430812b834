"""Validation at national size with injected violations: the fast engine against pyshacl on the whole graph.

Not a test (pyshacl needs minutes here): the check of issue 6 that "validation at national size with injected
violations reports the same results as pyshacl on the whole graph". It builds the graph of a data folder (by
default the national synthetic one the pipeline benchmark keeps), applies every violation injection of
``tests/test_shacl_fast.py`` (23 kinds, each with the results the shapes say it must give), validates with both
engines and prints the comparison and the times. Exit status 0 only if the two result lists are equal and every
expected result is among them.

    .venv/bin/python benchmarks/national_differential.py [DATA_FOLDER]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rdflib.namespace import SH  # noqa: E402
from tests.test_shacl_fast import CGSH, INJECTIONS, _difference, lexical_forms_kept  # noqa: E402

from civicgraph.graph.build import build_graph  # noqa: E402
from civicgraph.shacl.validate import validate_graph  # noqa: E402
from civicgraph.source.reader import read_dataset  # noqa: E402

DEFAULT = Path("/tmp/civicgraph-bench/synth-m2807-y2023-s1")


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    started = time.perf_counter()
    with lexical_forms_kept():
        graph = build_graph(read_dataset(folder)).graph
        expected = set().union(*(inject(graph) for inject in INJECTIONS))
    took = time.perf_counter() - started
    print(f"{folder}: {len(graph):,} triples after {len(INJECTIONS)} injections ({took:.0f} s)")
    timed = {}
    reports = {}
    for engine in ("fast", "pyshacl"):
        began = time.perf_counter()
        reports[engine] = validate_graph(graph, engine=engine)  # type: ignore[arg-type]
        timed[engine] = time.perf_counter() - began
        print(f"{engine}: {len(reports[engine].results)} results in {timed[engine]:.1f} s")
    fast, reference = reports["fast"].results, reports["pyshacl"].results
    found = {(r.focus, r.shape.removeprefix(CGSH), r.constraint.removeprefix(str(SH))) for r in fast}
    missing = expected - found
    print(f"expected results from the injections: {len(expected)}, missing: {len(missing)}")
    print(f"pyshacl / fast: {timed['pyshacl'] / timed['fast']:.0f}×")
    if fast != reference:
        print(_difference(fast, reference))
        return 1
    print("the two engines' result lists are equal, field for field")
    return 0 if not missing else 1


if __name__ == "__main__":
    raise SystemExit(main())
