"""What a command imports before it does its work: ``civicgraph query`` runs in a fraction of a second on a cached
store, so rdflib, the SHACL engine and the package metadata (a third of its time when it imported them) stay out."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from civicgraph.cli.common import SHACL_ENGINES
from civicgraph.publish import checksums
from civicgraph.shacl.validate import ENGINES

from .conftest import ROOT


def imported_modules(*args: str, cache: Path) -> set[str]:
    """The modules ``civicgraph ARGS`` imports, as ``python -X importtime`` lists them."""
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"} | {"CIVICGRAPH_STORE_CACHE": str(cache)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "civicgraph", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:") and "|" in line]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # after the header line


def test_a_query_over_a_file_imports_neither_rdflib_nor_the_shacl_engine(tmp_path: Path) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    for store in ("memory", "cached"):
        modules = imported_modules(
            "query", "-e", "SELECT * WHERE { ?s ?p ?o }", "--data", str(graph), "--store", store,
            cache=tmp_path / "stores",  # a folder of its own: one holding the graph is not a store cache
        )  # fmt: skip
        assert {"pyoxigraph", "civicgraph.sparql.library", "civicgraph.sparql.storecache"} <= modules
        unneeded = {
            name
            for name in modules
            if name.split(".")[0] in ("rdflib", "pyshacl") or name.startswith("civicgraph.shacl")
        }
        assert unneeded == set(), store
        assert "importlib.metadata" not in modules


def test_the_version_is_still_shown_when_asked_for() -> None:
    run = subprocess.run([sys.executable, "-m", "civicgraph", "--version"], capture_output=True, text=True, check=True)
    assert run.stdout == f"civicgraph, version {version('civicgraph')}\n"


def test_the_engine_choices_of_the_command_line_are_the_engines_of_validation() -> None:
    assert SHACL_ENGINES == ENGINES


def test_elementpath_is_imported_only_to_compile_a_pattern() -> None:
    """elementpath (a tenth of a second to import) translates sh:pattern for whoever compiles the shapes: a build
    into an earlier release compiles them only in the process that validates its graph alongside."""
    code = (
        "import sys, civicgraph.cli.build, civicgraph.publish.orchestrator, civicgraph.shacl.validate; "
        "from civicgraph.shacl.regex import compile_pattern; print('elementpath' in sys.modules); "
        "compile_pattern('^[0-9]{7}$'); print('elementpath' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "True"]


def test_the_spawned_hashing_process_imports_nothing_of_the_pipeline(tmp_path: Path) -> None:
    """A build hashes its new files in a spawned interpreter (:func:`civicgraph.util.parallel.spawned`), which
    imports what unpickling its work needs: the digests' module and the helpers' (processes, errors), not rdflib or
    the publication (0.28–0.35 s before its first file was read)."""
    work = pickle.dumps((checksums.read_facts, (tmp_path, [], 1)), protocol=pickle.HIGHEST_PROTOCOL)
    code = (
        "import pickle, sys; from civicgraph.util.parallel import serve_spawned; "
        "pickle.loads(sys.stdin.buffer.read()); "
        "print(*sorted(m for m in sys.modules if m.split('.')[0] in ('civicgraph', 'rdflib', 'pyoxigraph')))"
    )
    run = subprocess.run([sys.executable, "-c", code], input=work, capture_output=True, check=True)
    assert run.stdout.decode().split() == [
        "civicgraph",
        "civicgraph.util",
        "civicgraph.util.digests",
        "civicgraph.util.errors",  # a worker that ended early is a Failure with its message (5 ms to import)
        "civicgraph.util.parallel",
        "civicgraph.util.signals",  # SIGTERM sent back as the interrupt it is (stdlib signal and threading only)
    ]
