"""Every Turtle, N-Triples and RDF/XML file of a release, read by Apache Jena's parser in its strict mode.

Jena (RIOT, ``riot --validate --strict``) is what a triple store such as Fuseki loads a dump with, and it checks
more than parsing does: IRIs against RFC 3987, each literal's lexical form against its datatype, language tags.
Jena comes from Debian with a JDK, as for the SHACL tests (tests/shacl/jena).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.shacl import jena

pytestmark = pytest.mark.skipif(not jena.available(), reason=jena.MISSING)

RDF_SUFFIXES = (".ttl", ".nt", ".rdf")


def _riot(files: list[Path], workdir: Path) -> tuple[int, list[str]]:
    """Jena's exit status (not 0 after any warning, in strict mode) and what it logged about the files, through
    slf4j's simple logger rather than the silent one the SHACL tests use: its warnings and errors, less its notice
    that no JSON-LD reader is on the class path."""
    classes = jena.classpath(workdir, logger="slf4j-simple")
    command = ["java", "-cp", classes, "riotcmd.riot", "--validate", "--strict", *map(str, files)]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    logged = [line for line in ran.stderr.splitlines() if " INFO " not in line and ".RDFLanguages " not in line]
    return ran.returncode, [*ran.stdout.splitlines(), *logged]


def test_jena_reads_every_rdf_file_of_the_release_without_a_warning(dist: Path, tmp_path: Path) -> None:
    files = sorted(path for path in dist.rglob("*") if path.suffix in RDF_SUFFIXES and path.is_file())
    # the graph, its editions, VoID, the catalogue and its pages, the ontology, the shapes, every page's data
    assert {dist / "graph.ttl", dist / "catalog-pages" / "all.ttl", dist / "site" / "catalog.rdf"} <= set(files)
    assert _riot(files, tmp_path) == (0, [])


def test_jena_does_object_to_a_bad_literal(tmp_path: Path) -> None:
    """Not vacuous: a decimal that is no decimal, in an otherwise well-formed file, fails the strict read."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '<https://example.org/a> <https://schema.org/value> "12,5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
        encoding="utf-8",
    )
    warning = "[line: 1, col: 52] Lexical form '12,5' not valid for datatype XSD decimal"
    assert _riot([bad], tmp_path) == (1, [f"[main] WARN org.apache.jena.riot - {warning}"])
