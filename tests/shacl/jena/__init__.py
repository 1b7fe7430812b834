"""Apache Jena's SHACL engine as a party of the tests: every case validated in one JVM (ShaclBatch.java).

Jena comes from Debian (package libapache-jena-java, installed by .ci/run with a JDK, whose single-file source
launcher runs ShaclBatch.java without a build step). Starting a JVM takes seconds and a case milliseconds, so the
tests gather their cases first and hand them to one run.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

HERE = Path(__file__).resolve().parent
JAVA_LIB = Path("/usr/share/java")
JENA_JARS = ["jena-cmds", "jena-base", "jena-core", "jena-iri", "jena-arq", "jena-shacl"]
OTHER_JARS = ["commons-lang3", "commons-compress", "guava", "thrift", "slf4j-api"]
MISSING = "Apache Jena (Debian libapache-jena-java) and a JDK are not installed; .ci/run installs them"


def available() -> bool:
    """Jena's jars and a JDK: Java's source launcher compiles ShaclBatch.java, which a bare JRE cannot."""
    return shutil.which("javac") is not None and (JAVA_LIB / "jena-shacl.jar").exists()


def classpath(folder: Path, logger: str = "slf4j-nop") -> str:
    """Jena's jars, plus a folder with its Xerces message files where Debian's build expects them; ``logger``: the
    slf4j binding Jena logs through (Debian's libslf4j-java): silent, or ``slf4j-simple`` to stderr.

    Debian's Jena 4.5 moved its bundled Xerces classes to the package ``xerces`` but left their resource bundles
    under ``org/apache/jena/ext/xerces``; without a copy at the new place Jena stops at start-up with "internal
    error" (XSSimpleTypeDecl.applyFacets1).
    """
    resources = folder / "jena-xerces"
    with zipfile.ZipFile(JAVA_LIB / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = resources / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [JAVA_LIB / f"{name}.jar" for name in [*JENA_JARS, *OTHER_JARS, logger]]
    missing = [str(jar) for jar in jars if not jar.exists()]
    assert not missing, f"Jena's dependencies are missing: {missing}"
    return ":".join([str(resources), *map(str, jars)])


@dataclass(frozen=True)
class Case:
    """One validation: a shapes file and a data file (N-Triples or Turtle), as Jena reads them."""

    shapes: Path
    data: Path


def validate_all(cases: list[Case], folder: Path) -> dict[Case, Graph]:
    """Jena's SHACL report graph of every case, from one JVM. A case Jena could not validate fails the caller."""
    command = ["java", "-cp", classpath(folder), str(HERE / "ShaclBatch.java")]
    for case in cases:
        command += [str(case.shapes), str(case.data)]
    subprocess.run(command, check=True, timeout=600, capture_output=True)
    reports: dict[Case, Graph] = {}
    for case in cases:
        error = case.data.with_name(case.data.name + ".error")
        assert not error.exists(), f"Jena could not validate {case.data}: {error.read_text(encoding='utf-8')}"
        reports[case] = read_report(case.data.with_name(case.data.name + ".report.nt"))
    return reports


def read_report(path: Path) -> Graph:
    """A report graph with its literals as written: rdflib would turn a value "8E8"^^xsd:decimal into "800000000"."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(path, format="nt")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


# A result as the three engines are compared on it: focus node, source shape, severity, constraint component,
# value. Blank nodes are shown as "_:" alone: their labels are each engine's own.
Key = tuple[str, str, str, str, str | None]


def _shown(node: Node | None) -> str | None:
    if node is None:
        return None
    return str(node) if isinstance(node, URIRef) or not node.n3().startswith("_:") else "_:"


def result_keys(report: Graph) -> set[Key]:
    """The results of a SHACL report graph (only the report's own: pyshacl also types nested sh:detail results)."""
    keys: set[Key] = set()
    for root in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(root, SH.result):
            focus, shape, severity, component = (
                _shown(report.value(result, parameter)) or ""
                for parameter in (SH.focusNode, SH.sourceShape, SH.resultSeverity, SH.sourceConstraintComponent)
            )
            keys.add((focus, shape, severity, component, _shown(report.value(result, SH.value))))
    return keys
