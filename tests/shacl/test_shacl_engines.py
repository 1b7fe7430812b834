"""The shapes are standard SHACL Core: Apache Jena's engine gives the same verdict as pyshacl and as civicgraph's
own engine (civicgraph.shacl.engine), compared on their SHACL report graphs.

Jena comes from Debian (package libapache-jena-java, installed by .ci/run). Each case starts a JVM (about a
second), so a handful of fixtures covering different constraint kinds is checked, plus the real Poznań graph.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from civicgraph.graph.build import BuiltGraph
from civicgraph.graph.rdfio import sorted_triples, write_ntriples
from civicgraph.shacl.validate import ENGINES, validate_graph
from civicgraph.util.resources import shapes_files, vocabularies_file

from ..conftest import ROOT

JAVA_LIB = Path("/usr/share/java")
JENA_JARS = ["jena-cmds", "jena-base", "jena-core", "jena-iri", "jena-arq", "jena-shacl"]
OTHER_JARS = ["commons-lang3", "commons-compress", "guava", "thrift", "slf4j-api", "slf4j-nop"]
FIXTURES = ROOT / "tests" / "shapes" / "fixtures"

# One fixture per kind of constraint: qualified value shapes (Polish label), sh:xone (money vs count),
# sh:lessThanOrEquals, sh:pattern (canonical decimal), sh:equals on a sequence path, sh:node + sh:hasValue
# (concept scheme membership), sh:lessThan (selector offsets), sh:or (value or explicit absence).
CASES = [
    "LocalGovernmentShape-invalid-no-polish-name.ttl",
    "FigureShape-invalid-kind.ttl",
    "IntervalShape-invalid-start-after-end.ttl",
    "FigureShape-invalid-trailing-zeros.ttl",
    "IntervalShape-invalid-dates-not-repeated.ttl",
    "FigureShape-invalid-hedge-scheme.ttl",
    "TextPositionSelectorShape-invalid-order.ttl",
    "MembershipShape-invalid-start-and-not-recorded.ttl",
]

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None or not (JAVA_LIB / "jena-shacl.jar").exists(),
    reason="Apache Jena (Debian libapache-jena-java) is not installed; .ci/run installs it",
)


@pytest.fixture(scope="module")
def jena_classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Jena's jars, plus a folder with its Xerces message files where Debian's build expects them.

    Debian's Jena 4.5 moved its bundled Xerces classes to the package ``xerces`` but left their resource
    bundles under ``org/apache/jena/ext/xerces``; without a copy at the new place Jena stops at start-up with
    "internal error" (XSSimpleTypeDecl.applyFacets1).
    """
    resources = tmp_path_factory.mktemp("jena-xerces")
    with zipfile.ZipFile(JAVA_LIB / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = resources / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [JAVA_LIB / f"{name}.jar" for name in JENA_JARS + OTHER_JARS]
    missing = [str(jar) for jar in jars if not jar.exists()]
    assert not missing, f"Jena's dependencies are missing: {missing}"
    return ":".join([str(resources), *map(str, jars)])


def _jena(classpath: str, shapes: Path, data: Path) -> set[tuple[str, str, str, str]]:
    run = subprocess.run(
        ["java", "-cp", classpath, "shacl.shacl", "validate", "--shapes", str(shapes), "--data", str(data)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return _results(Graph().parse(data=run.stdout, format="turtle"))


def _results(report: Graph) -> set[tuple[str, str, str, str]]:
    return {
        (
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.sourceShape)),
            str(report.value(result, SH.resultSeverity)),
            str(report.value(result, SH.sourceConstraintComponent)),
        )
        for result in report.objects(None, SH.result)
    }


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    target = tmp_path_factory.mktemp("shapes") / "shapes.ttl"
    graph.serialize(target, format="turtle")
    return target


def _compare(classpath: str, shapes: Path, data: Graph, where: Path) -> set[tuple[str, str, str, str]]:
    data_file = where / "data.nt"
    write_ntriples(sorted_triples(data), data_file)
    jena = _jena(classpath, shapes, data_file)
    for engine in ENGINES:
        report = validate_graph(data, engine=engine)
        assert report.graph is not None
        assert _results(report.graph) == jena, engine
    return jena


@pytest.mark.parametrize("fixture", CASES)
def test_jena_and_both_engines_agree_on_a_violation(
    jena_classpath: str, shapes: Path, fixture: str, tmp_path: Path
) -> None:
    data = Graph()
    for path in (FIXTURES / "world.ttl", vocabularies_file(), FIXTURES / fixture):
        data.parse(path, format="turtle")
    results = _compare(jena_classpath, shapes, data, tmp_path)
    assert results, f"{fixture} should violate a shape"  # the comparison is not between two empty reports


def test_jena_and_both_engines_agree_that_the_poznan_graph_conforms(
    jena_classpath: str, shapes: Path, built: BuiltGraph, tmp_path: Path
) -> None:
    assert _compare(jena_classpath, shapes, built.graph, tmp_path) == set()
