"""Three SHACL engines on the same cases: civicgraph's own (the fast engine), Apache Jena and pyshacl.

The fast engine follows the specifications: XSD 1.1's lexical spaces for sh:datatype (RDF 1.1 Concepts 3.3: the
lexical form itself must be in the lexical space) and XPath's regular expressions for sh:pattern (F&O 3.1 fn:matches).
It must give Jena's results on every shape fixture, on the Poznań graph, on a synthetic graph with violations of
every kind injected and on a set of mutants — literals whose lexical forms test the edges of each datatype and
pattern the shapes use. Where an engine reads a specification its own way, the mutant names the engine and the
reason (``JENA`` / ``PYSHACL`` below), and the test checks that the engine still departs, so that the list stays
true. Each expected outcome comes from the specification, written next to the mutant.

Jena validates every case in one JVM (tests/shacl/jena); pyshacl validates the mutants once, in one graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.rdfio import sorted_triples, write_ntriples
from civicgraph.shacl.validate import validate_graph
from civicgraph.source.reader import read_dataset
from civicgraph.source.synthetic import generate, write_dataset
from civicgraph.util.resources import shapes_files

from ..shapes.test_shapes import FIXTURES, data_graph, lexical_forms_kept
from . import jena

pytestmark = pytest.mark.skipif(not jena.available(), reason=jena.MISSING)

CGSH = "https://w3id.org/civicgraph/shapes#"
CG = "https://w3id.org/civicgraph/ontology#"
SCHEMA = "http://schema.org/"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Departures, by engine, as the mutants below refer to them.
PYSHACL_PYTHON_NUMBERS = (
    "pyshacl takes what rdflib reads with Python's Decimal or int: an exponent, INF, underscores, other digits, "
    "surrounding whitespace"
)
PYSHACL_PYTHON_DATES = "pyshacl takes what rdflib's date parser takes, and refuses years Python's date cannot hold"
PYSHACL_PYTHON_REGEX = "pyshacl runs sh:pattern with Python's re, whose $ also matches before a final newline"
PYSHACL_ANY_STRING = "pyshacl takes any Python string as an xsd:string, control characters included"
PYSHACL_YEAR = "pyshacl takes any lexical form as an xsd:gYear (rdflib has no value for it to fail)"
JENA_WHITESPACE = "Jena collapses whitespace before the lexical check, as XML Schema does for element content"
JENA_JAVA_REGEX = "Jena runs sh:pattern with java.util.regex, whose $ also matches before a final newline"
JENA_ANY_STRING = "Jena takes any string as an xsd:string, control characters included"
JENA_XSD_10_URI = "Jena checks xsd:anyURI by XML Schema 1.0's rules (a URI reference); 1.1 takes any string"


@dataclass(frozen=True)
class Slot:
    """Where a mutant goes: the value of ``predicate`` on instances of ``cls``, checked by ``shape``."""

    cls: str
    predicate: str
    shape: str
    datatype: str


DECIMAL = Slot(CG + "Figure", SCHEMA + "value", "FigureShape-value", XSD + "decimal")  # + canonical pattern, >= 0
INTEGER = Slot(CG + "SourceText", CG + "characterCount", "SourceTextShape-characterCount", XSD + "integer")  # >= 0
DATE = Slot(TIME + "Instant", TIME + "inXSDDate", "InstantShape-inXSDDate", XSD + "date")
YEAR = Slot(CG + "Report", CG + "reportYear", "ReportShape-reportYear", XSD + "gYear")
URI = Slot(CG + "Report", SCHEMA + "url", "ReportShape-url", XSD + "anyURI")
TERYT = Slot(CG + "LocalGovernment", CG + "teryt", "LocalGovernmentShape-teryt", XSD + "string")  # + pattern

D, P, M = "DatatypeConstraintComponent", "PatternConstraintComponent", "MinInclusiveConstraintComponent"


@dataclass(frozen=True)
class Mutant:
    slot: Slot
    lexical: str
    fired: frozenset[str]  # the constraint components SHACL says fire on the mutated node
    why: str  # the rule of the specification that decides it
    jena: str | None = None  # why Jena departs, if it does
    pyshacl: str | None = None  # why pyshacl departs, if it does

    @property
    def name(self) -> str:
        return f"{self.slot.shape}={self.lexical!r}"


def _m(slot: Slot, lexical: str, fired: set[str], why: str, **departs: str) -> Mutant:
    return Mutant(slot, lexical, frozenset(fired), why, **departs)


ILL = "not in the lexical space: "
MUTANTS = [
    # xsd:decimal — decimalLexicalRep: (\+|-)?([0-9]+(\.[0-9]*)?|\.[0-9]+); the pattern asks the canonical form
    _m(DECIMAL, "47740", set(), "canonical"),
    _m(DECIMAL, "+5", {P}, "a sign is in the lexical space, not in the canonical form"),
    _m(DECIMAL, "5.", {P}, "a trailing point is in the lexical space"),
    _m(DECIMAL, ".5", {P}, "a leading point is in the lexical space"),
    _m(DECIMAL, "-1", {P, M}, "well-typed, below 0"),
    _m(DECIMAL, "1E3", {D, P, M}, ILL + "no exponent in xsd:decimal", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(DECIMAL, "INF", {D, P, M}, ILL + "INF is xsd:double's", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(DECIMAL, "-INF", {D, P, M}, ILL + "-INF is xsd:double's", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(DECIMAL, "1_000", {D, P, M}, ILL + "no underscores", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(DECIMAL, "٣", {D, P, M}, ILL + "digits are #x30-#x39", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(DECIMAL, " 5", {D, P, M}, ILL + "no whitespace", jena=JENA_WHITESPACE, pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(
        DECIMAL,
        "5\n",
        {D, P, M},
        ILL + "no whitespace; and $ is the end of the string",
        jena=JENA_WHITESPACE,
        pyshacl=PYSHACL_PYTHON_NUMBERS,
    ),
    _m(DECIMAL, "abc", {D, P, M}, ILL + "not a number"),
    # xsd:integer — integerLexicalRep: [\-+]?[0-9]+
    _m(INTEGER, "+12", set(), "a sign is in the lexical space"),
    _m(INTEGER, "12.0", {D, M}, ILL + "no fraction in xsd:integer"),
    _m(INTEGER, "1_000", {D, M}, ILL + "no underscores", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(INTEGER, "١٢", {D, M}, ILL + "digits are #x30-#x39", pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(INTEGER, " 12", {D, M}, ILL + "no whitespace", jena=JENA_WHITESPACE, pyshacl=PYSHACL_PYTHON_NUMBERS),
    _m(INTEGER, "0x10", {D, M}, ILL + "decimal digits only"),
    # xsd:date — dateLexicalRep, and a day that exists in its month (XSD 1.1: year 0000 is 1 BCE, a leap year)
    _m(DATE, "2024-02-29", set(), "a leap day"),
    _m(DATE, "2023-02-29", {D}, ILL + "2023 is not a leap year"),
    _m(DATE, "2023-04-31", {D}, ILL + "April has 30 days"),
    _m(DATE, "2023-1-1", {D}, ILL + "two-digit month and day"),
    _m(DATE, "20230101", {D}, ILL + "hyphens are required"),
    _m(DATE, "2023-01-01Z", set(), "a time zone is allowed"),
    _m(DATE, "2023-01-01+15:00", {D}, ILL + "time zones lie within ±14:00", pyshacl=PYSHACL_PYTHON_DATES),
    _m(DATE, "0000-01-01", set(), "XSD 1.1 has a year 0000", pyshacl=PYSHACL_PYTHON_DATES),
    _m(DATE, "-0044-03-15", set(), "negative years are allowed", pyshacl=PYSHACL_PYTHON_DATES),
    # xsd:gYear — gYearLexicalRep: -?([1-9][0-9]{3,}|0[0-9]{3}) and a time zone
    _m(YEAR, "2023", set(), "four digits"),
    _m(YEAR, "23", {D}, ILL + "at least four digits", pyshacl=PYSHACL_YEAR),
    _m(YEAR, "02023", {D}, ILL + "no leading zero beyond four digits", pyshacl=PYSHACL_YEAR),
    _m(YEAR, "12023", set(), "more than four digits"),
    _m(YEAR, "2023+14:01", {D}, ILL + "time zones lie within ±14:00", pyshacl=PYSHACL_YEAR),
    # xsd:anyURI — XSD 1.1: any sequence of XML characters (1.0's rules on URI syntax were dropped)
    _m(URI, "https://example.org/report.pdf", set(), "an absolute URI"),
    _m(URI, "::", set(), "any string of XML characters", jena=JENA_XSD_10_URI),
    _m(URI, "http://example.org/%zz", set(), "any string of XML characters", jena=JENA_XSD_10_URI),
    _m(URI, "http://example.org/a b", set(), "any string of XML characters"),
    # xsd:string with sh:pattern "^[0-9]{2}([0-9]{2}([0-9]{3})?)?$" (XPath: $ is the end of the string)
    _m(TERYT, "30", set(), "two digits"),
    _m(TERYT, "306", {P}, "three digits"),
    _m(TERYT, "3064011\n", {P}, "$ matches only at the end", jena=JENA_JAVA_REGEX, pyshacl=PYSHACL_PYTHON_REGEX),
    _m(TERYT, "３０", {P}, "[0-9] is #x30-#x39 only"),
    _m(
        TERYT,
        "30\x07",
        {D, P},
        ILL + "a string is XML characters (XML 1.0: no controls but tab, newline, return)",
        jena=JENA_ANY_STRING,
        pyshacl=PYSHACL_ANY_STRING,
    ),
]


def _instances(graph: Graph, slot: Slot) -> Iterator[URIRef]:
    found = {s for s in graph.subjects(RDF.type, URIRef(slot.cls)) if (s, URIRef(slot.predicate), None) in graph}
    yield from sorted(s for s in found if isinstance(s, URIRef))


def _mutated(synthetic: Graph) -> tuple[Graph, dict[str, Mutant]]:
    """The synthetic graph with each mutant's literal put in place of the slot's value on a node of its own."""
    graph = Graph()
    for triple in synthetic:
        graph.add(triple)
    nodes = {slot: _instances(graph, slot) for slot in {m.slot for m in MUTANTS}}
    placed: dict[str, Mutant] = {}
    with lexical_forms_kept():
        for mutant in MUTANTS:
            # A node of its own (reports carry two slots); StopIteration: the synthetic graph is too small.
            node = next(n for n in nodes[mutant.slot] if str(n) not in placed)
            graph.remove((node, URIRef(mutant.slot.predicate), None))
            graph.add((node, URIRef(mutant.slot.predicate), Literal(mutant.lexical, datatype=mutant.slot.datatype)))
            placed[str(node)] = mutant
    return graph, placed


# --------------------------------------------------------------------------------------------------------------
# The cases, validated by Jena in one run
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Cases:
    graphs: dict[str, Graph]  # by case name
    jena: dict[str, set[jena.Key]]  # Jena's results, by case name
    placed: dict[str, Mutant]  # the mutant on each mutated node
    files: dict[str, Path]  # the N-Triples file of each case


FIXTURE_NAMES = sorted(path.name for path in FIXTURES.glob("*.ttl") if path.name != "world.ttl")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory, built: BuiltGraph) -> Cases:
    folder = tmp_path_factory.mktemp("three-engines")
    shapes = Graph()
    for path in shapes_files():
        shapes.parse(path, format="turtle")
    shapes_file = folder / "shapes.ttl"
    shapes.serialize(shapes_file, format="turtle")
    data = folder / "data"
    write_dataset(generate(members=12, years=(2022, 2023), seed=7), data)
    mutated, placed = _mutated(build_graph(read_dataset(data)).graph)
    graphs = {name: data_graph(FIXTURES / name) for name in FIXTURE_NAMES}
    graphs["poznan"] = built.graph
    graphs["mutants"] = mutated
    files: dict[str, jena.Case] = {}
    for name, graph in graphs.items():
        path = folder / f"{name}.nt"
        write_ntriples(sorted_triples(graph), path)
        files[name] = jena.Case(shapes_file, path)
    reports = jena.validate_all(list(files.values()), folder)
    jena_results = {name: jena.result_keys(reports[case]) for name, case in files.items()}
    return Cases(graphs, jena_results, placed, {name: case.data for name, case in files.items()})


def _fast(graph: Graph) -> set[jena.Key]:
    report = validate_graph(graph).graph
    assert report is not None
    return jena.result_keys(report)


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_jena_gives_the_fast_engines_results_on_every_shape_fixture(cases: Cases, fixture: str) -> None:
    assert _fast(cases.graphs[fixture]) == cases.jena[fixture]


def test_jena_finds_the_poznan_graph_conforming(cases: Cases) -> None:
    assert cases.jena["poznan"] == set() == _fast(cases.graphs["poznan"])


# --------------------------------------------------------------------------------------------------------------
# Mutants
# --------------------------------------------------------------------------------------------------------------


def _fired(results: set[jena.Key], placed: dict[str, Mutant]) -> dict[str, frozenset[str]]:
    """The components that fired on each mutated node, on its slot's shape."""
    fired: dict[str, set[str]] = {focus: set() for focus in placed}
    for focus, shape, _severity, component, _value in results:
        if focus in placed and shape == CGSH + placed[focus].slot.shape:
            fired[focus].add(component.removeprefix(str(SH)))
    return {focus: frozenset(components) for focus, components in fired.items()}


def _outside(results: set[jena.Key], placed: dict[str, Mutant]) -> set[jena.Key]:
    """Results on nodes no mutant touched, or from other shapes: the ripples of the mutants (a mutated instant's
    date no longer equals its interval's), which every engine must report alike."""
    return {r for r in results if r[0] not in placed or r[1] != CGSH + placed[r[0]].slot.shape}


@pytest.fixture(scope="module")
def pyshacl_results(cases: Cases) -> set[jena.Key]:
    """pyshacl's results, from ``civicgraph validate --engine pyshacl`` in a process of its own: what rdflib takes
    as well-typed depends on process-wide state (owlrl, which another test uses, replaces rdflib's converters of
    XSD lexical forms with its own, stricter ones), so in-process the departures would depend on the test order."""
    command = ["validate", "--graph", str(cases.files["mutants"]), "--format", "json", "--engine", "pyshacl"]
    run = subprocess.run(
        [sys.executable, "-m", "civicgraph", *command],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 1, run.stderr  # violations
    return {
        (r["focusNode"], r["sourceShape"], str(SH) + r["severity"], r["constraint"], r["value"])
        for r in json.loads(run.stdout)["results"]
    }


def test_each_mutant_gives_what_the_specification_says_in_the_fast_engine(cases: Cases) -> None:
    results = _fast(cases.graphs["mutants"])
    fired = _fired(results, cases.placed)
    wrong = {m.name: (sorted(fired[f]), sorted(m.fired), m.why) for f, m in cases.placed.items() if fired[f] != m.fired}
    assert wrong == {}


def test_jena_agrees_with_the_fast_engine_on_every_mutant_but_its_named_departures(cases: Cases) -> None:
    fast = _fired(_fast(cases.graphs["mutants"]), cases.placed)
    found = _fired(cases.jena["mutants"], cases.placed)
    agreeing = {m.name for f, m in cases.placed.items() if found[f] == fast[f]}
    assert agreeing == {m.name for m in cases.placed.values() if m.jena is None}
    assert _outside(cases.jena["mutants"], cases.placed) == _outside(_fast(cases.graphs["mutants"]), cases.placed)


def test_pyshacl_agrees_with_the_fast_engine_on_every_mutant_but_its_named_departures(
    cases: Cases, pyshacl_results: set[jena.Key]
) -> None:
    fast = _fired(_fast(cases.graphs["mutants"]), cases.placed)
    found = _fired(pyshacl_results, cases.placed)
    agreeing = {m.name for f, m in cases.placed.items() if found[f] == fast[f]}
    assert agreeing == {m.name for m in cases.placed.values() if m.pyshacl is None}
    assert _outside(pyshacl_results, cases.placed) == _outside(_fast(cases.graphs["mutants"]), cases.placed)


def test_the_mutants_cover_every_datatype_the_shapes_use() -> None:
    """A datatype added to the shapes needs its mutants here."""
    shapes = Graph()
    for path in shapes_files():
        shapes.parse(path, format="turtle")
    used = {str(o) for o in shapes.objects(None, SH.datatype)}
    assert used == {slot.datatype for slot in {m.slot for m in MUTANTS}}
