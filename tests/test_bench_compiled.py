"""benchmarks/bench_build.py: a revision's package is compiled to bytecode before it is timed, as an installed
civicgraph is, so that no measured build compiles its modules; a package that does not compile stops the bench."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
bench_build = importlib.import_module("bench_build")


def test_each_module_of_the_package_gets_its_bytecode(tmp_path: Path) -> None:
    package = tmp_path / "src" / "civicgraph"
    (package / "publish").mkdir(parents=True)
    modules = [package / "__init__.py", package / "publish" / "__init__.py", package / "publish" / "site.py"]
    for module in modules:
        module.write_text("ANSWER = 42\n", encoding="utf-8")

    bench_build.compiled(tmp_path / "src")

    assert sorted(p.relative_to(package).as_posix() for p in package.rglob("*.pyc")) == sorted(
        Path(importlib.util.cache_from_source(str(m))).relative_to(package).as_posix() for m in modules
    )


def test_a_package_that_does_not_compile_stops_the_bench(tmp_path: Path) -> None:
    package = tmp_path / "src" / "civicgraph"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def broken(:\n", encoding="utf-8")

    with pytest.raises(SystemExit, match=rf"^{re.escape(str(package))} does not compile$"):
        bench_build.compiled(tmp_path / "src")
