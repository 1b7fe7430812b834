"""The fast SHACL engine (civicgraph.shacl.engine) gives pyshacl's results, field for field, except where pyshacl
departs from the specifications — and there each difference is named.

Differential tests: every shape fixture, a synthetic graph with injected violations of many kinds and small
custom shapes graphs are validated by both engines, and the full result lists — focus, path, shape, severity,
constraint component, value, both messages, source — must be equal, multiplicity included. Where pyshacl reads
a standard its own way (rdflib's Python reading of literals, Python's regular expressions, IRIs compared as
strings, nested warnings under allow_warnings: docs/validation.md), the test says which results only the fast
engine gives, and why. Where the expected result follows from the shapes file, the fixtures' manifest or the
SHACL standard, it is asserted as well. Apache Jena, a third engine, is compared in test_three_engines.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from civicgraph.cli import build as build_command
from civicgraph.cli import main as cli
from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.rdfio import sorted_triples, write_turtle
from civicgraph.shacl import engine as fast_engine
from civicgraph.shacl.reference import PyshaclStopped
from civicgraph.shacl.report import Severity, ValidationReport, ValidationResult
from civicgraph.shacl.unsupported import UnsupportedShapes
from civicgraph.shacl.validate import ENGINES, validate_graph
from civicgraph.source.reader import read_dataset
from civicgraph.source.synthetic import generate, write_dataset
from civicgraph.util import parallel

from ..conftest import BASE, poznan_2023_copy
from ..shapes.test_shapes import FIXTURES, data_graph, invalid_fixtures, manifest, results, valid_fixtures

CGSH = "https://w3id.org/civicgraph/shapes#"
CG = "https://w3id.org/civicgraph/ontology#"
CGV = "https://w3id.org/civicgraph/vocab/"
DCT = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TIME = "http://www.w3.org/2006/time#"
# Datatypes as plain IRIs (pytest probing a module-level rdflib.namespace.XSD makes rdflib warn).
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def both(data: Graph, shapes: Graph | None = None) -> tuple[ValidationReport, ValidationReport]:
    """The fast engine's report and pyshacl's, after checking that their results are equal."""
    fast = validate_graph(data, shapes=shapes)
    reference = validate_graph(data, shapes=shapes, engine="pyshacl")
    assert fast.results == reference.results, _difference(fast.results, reference.results)
    return fast, reference


Shown = tuple[str, str, str | None]  # (shape without the cgsh: namespace, constraint component's local name, value)


def departing(data: Graph, shapes: Graph | None = None) -> tuple[set[Shown], set[Shown]]:
    """The results only the fast engine gives and those only pyshacl gives, the rest being equal field for field."""
    fast = validate_graph(data, shapes=shapes).results
    reference = validate_graph(data, shapes=shapes, engine="pyshacl").results
    return _shown(r for r in fast if r not in reference), _shown(r for r in reference if r not in fast)


def _shown(results: Iterable[ValidationResult]) -> set[Shown]:
    return {(r.shape.removeprefix(CGSH), r.constraint.removeprefix(str(SH)), r.value) for r in results}


def fired(report: ValidationReport, shape: str) -> set[str]:
    """The constraint components that gave results on one shape."""
    return {r.constraint.removeprefix(str(SH)) for r in report.results if r.shape == CGSH + shape}


def _difference(fast: list[ValidationResult], reference: list[ValidationResult]) -> str:
    lines = ["fast only:"] + [f"  {r}" for r in fast if r not in reference]
    lines += ["pyshacl only:"] + [f"  {r}" for r in reference if r not in fast]
    lines += [f"counts: fast {len(fast)}, pyshacl {len(reference)}"]
    return "\n".join(lines)


@contextmanager
def lexical_forms_kept() -> Iterator[None]:
    before, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


# --------------------------------------------------------------------------------------------------------------
# Every shape fixture (tests/shapes): both engines, and the manifest
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", valid_fixtures())
def test_valid_fixture_gives_no_result_in_either_engine(fixture: str) -> None:
    fast, _reference = both(data_graph(FIXTURES / fixture))
    assert fast.results == []


# The one fixture pyshacl reads its own way: "8E8"^^xsd:decimal is not in xsd:decimal's lexical space (no exponent),
# so it is ill-typed and cannot be compared with sh:minInclusive 0; rdflib reads it with Python's Decimal.
FIXTURES_PYSHACL_READS_OTHERWISE = {
    "FigureShape-invalid-exponent.ttl": {("FigureShape-value", "DatatypeConstraintComponent", "8E8"),
                                         ("FigureShape-value", "MinInclusiveConstraintComponent", "8E8")},
}  # fmt: skip


@pytest.mark.parametrize("fixture", invalid_fixtures())
def test_invalid_fixture_gives_the_same_results_in_both_engines_and_the_manifests(fixture: str) -> None:
    data = data_graph(FIXTURES / fixture)
    fast, reference = validate_graph(data), validate_graph(data, engine="pyshacl")
    for report in (fast, reference):
        assert report.graph is not None
        assert results(report.graph) == manifest()[fixture]
    assert departing(data) == (FIXTURES_PYSHACL_READS_OTHERWISE.get(fixture, set()), set())
    # Every result carries its rule's own message in both languages (none of pyshacl's generic English ones).
    for result in fast.results:
        assert result.message_pl != result.message_en and result.message_pl and result.message_en


@pytest.mark.parametrize(
    ("fixture", "shape", "path"),
    [
        # sh:path [ sh:inversePath cg:hasFigure ]
        ("FigureShape-invalid-not-listed.ttl", "FigureShape-listed", f"^<{CG}hasFigure>"),
        # sh:path [ sh:alternativePath ( time:inXSDDate time:inXSDgYear ) ]
        ("InstantShape-invalid-position.ttl", "InstantShape-position", f"<{TIME}inXSDDate>|<{TIME}inXSDgYear>"),
        # sh:path ( cg:evidence oa:hasSource dct:isPartOf )
        (
            "ActivityShape-invalid-evidence-from-another-report.ttl",
            "ActivityShape-evidenceSource",
            f"<{CG}evidence>/<{OA}hasSource>/<{DCT}isPartOf>",
        ),
        # sh:path skos:prefLabel: a single predicate stays its plain IRI
        ("LocalGovernmentShape-invalid-no-polish-name.ttl", "LocalGovernmentShape-prefLabel", f"{SKOS}prefLabel"),
    ],
)
def test_paths_are_shown_in_sparql_syntax_by_both_engines(fixture: str, shape: str, path: str) -> None:
    """pyshacl's own report names a blank-node path by a random label; both engines now show the path itself."""
    for report in both(data_graph(FIXTURES / fixture)):
        assert {r.path for r in report.results if r.shape == CGSH + shape} == {path}


@pytest.fixture(scope="module")
def poznan(tmp_path_factory: pytest.TempPathFactory) -> BuiltGraph:
    """The graph of Poznań 2023 alone, whatever other reports data/ holds: the tests below count every result."""
    return build_graph(read_dataset(poznan_2023_copy(tmp_path_factory.mktemp("poznan") / "data")))


def test_the_poznan_graph_conforms_in_both_engines(poznan: BuiltGraph) -> None:
    fast, _reference = both(poznan.graph)
    assert fast.results == []
    assert fast.graph is not None
    assert [v.toPython() for v in fast.graph.objects(None, SH.conforms)] == [True]


def test_oxigraph_triples_and_an_rdflib_graph_give_the_same_report() -> None:
    data = data_graph(FIXTURES / "FigureShape-invalid-kind.ttl")
    triples = sorted_triples(data)
    from_graph, from_triples = validate_graph(data), validate_graph(triples)
    assert from_triples.results == from_graph.results
    assert validate_graph(triples, engine="pyshacl").results == from_graph.results


# --------------------------------------------------------------------------------------------------------------
# Literals: XSD 1.1 decides what is ill-typed (pyshacl: rdflib's Python reading), SPARQL how values compare
# --------------------------------------------------------------------------------------------------------------

TOTAL_VALUE = URIRef(BASE + "activity/3064011/2023/zit-projects/figure/total-value")
POSITION = URIRef(BASE + "report/3064011/2023/text/chars/1216-1233/position")
PERIOD = URIRef(BASE + "period/2023")


def _replace(data: Graph, subject: URIRef, predicate: str, *objects: Node) -> Graph:
    data.remove((subject, URIRef(predicate), None))
    for obj in objects:
        data.add((subject, URIRef(predicate), obj))
    return data


ILL_TYPED = {"DatatypeConstraintComponent", "PatternConstraintComponent", "MinInclusiveConstraintComponent"}


@pytest.mark.parametrize(
    ("lexical", "expected", "pyshacl_only_misses"),
    [
        ("47740", set(), False),
        # XSD allows a sign: a well-typed decimal, only not canonical (the shapes' header).
        ("+5", {"PatternConstraintComponent"}, False),
        # Not a decimal at all: ill-typed, not matched by the pattern, not comparable with 0.
        ("abc", ILL_TYPED, False),
        ("-1", {"PatternConstraintComponent", "MinInclusiveConstraintComponent"}, False),
        # Not in decimalLexicalRep, so ill-typed and not comparable; rdflib reads each with Python's Decimal, and
        # pyshacl finds only the pattern broken.
        ("1E3", ILL_TYPED, True),
        (" 5", ILL_TYPED, True),
        ("1_000", ILL_TYPED, True),
    ],
)
def test_decimal_values_follow_xml_schema(lexical: str, expected: set[str], pyshacl_only_misses: bool) -> None:
    with lexical_forms_kept():
        data = _replace(data_graph(), TOTAL_VALUE, SCHEMA + "value", Literal(lexical, datatype=XSD_DECIMAL))
    assert fired(validate_graph(data), "FigureShape-value") == expected
    missed = {("FigureShape-value", c, lexical) for c in ILL_TYPED - {"PatternConstraintComponent"}}
    assert departing(data) == ((missed, set()) if pyshacl_only_misses else (set(), set()))


START = "TextPositionSelectorShape-start"
LESS, MIN, TYPE = "LessThanConstraintComponent", "MinInclusiveConstraintComponent", "DatatypeConstraintComponent"


@pytest.mark.parametrize(
    ("start", "end", "expected", "pyshacl_differs"),
    [
        ("1216", "1233", set(), set()),  # the real offsets: no result
        ("1233", "1216", {LESS}, set()),  # start after end
        ("1233", "1233", {LESS}, set()),  # sh:lessThan is strict
        ("+1216", "1233", set(), set()),  # a sign is allowed in xsd:integer
        ("abc", "1233", {TYPE, MIN, LESS}, set()),  # ill-typed: not comparable (rdflib orders it by its lexical form)
        # Not in integerLexicalRep: ill-typed, so not comparable; rdflib's int() refuses it too, but pyshacl then
        # compares the lexical form, "1216.0" < "1233" as strings.
        ("1216.0", "1233", {TYPE, MIN, LESS}, {LESS}),
        ("-5", "1233", {MIN}, set()),  # below sh:minInclusive 0
    ],
)
def test_offsets_compare_as_sparql_says(start: str, end: str, expected: set[str], pyshacl_differs: set[str]) -> None:
    with lexical_forms_kept():
        data = _replace(data_graph(), POSITION, OA + "start", Literal(start, datatype=XSD_INTEGER))
        _replace(data, POSITION, OA + "end", Literal(end, datatype=XSD_INTEGER))
    assert fired(validate_graph(data), START) == expected
    assert departing(data) == ({(START, c, start) for c in pyshacl_differs}, set())


@pytest.mark.parametrize(
    ("start", "end", "less_than", "pyshacl_differs"),
    [
        (Literal("1216", datatype=XSD_INTEGER), Literal("1216.5", datatype=XSD_DECIMAL), False, False),
        (Literal("1216.5", datatype=XSD_DECIMAL), Literal("1216", datatype=XSD_INTEGER), True, False),
        # "abc" is ill-typed: not comparable, a result; pyshacl compares "1216" with "abc" as strings.
        (Literal("1216", datatype=XSD_INTEGER), Literal("abc", datatype=XSD_INTEGER), True, True),
        (Literal("1216", datatype=XSD_INTEGER), Literal("1233"), True, False),  # a number and a string cannot be
        (Literal("1216", datatype=XSD_INTEGER), Literal("1233", datatype=XSD_DATE), True, False),  # compared
    ],
)
def test_offsets_of_other_datatypes_compare_as_sparql_says(
    start: Literal, end: Literal, less_than: bool, pyshacl_differs: bool
) -> None:
    with lexical_forms_kept():
        data = _replace(data_graph(), POSITION, OA + "start", Literal(str(start), datatype=start.datatype))
        _replace(data, POSITION, OA + "end", Literal(str(end), datatype=end.datatype))
    assert (LESS in fired(validate_graph(data), START)) == less_than
    assert departing(data) == ({(START, LESS, str(start))} if pyshacl_differs else set(), set())


@pytest.mark.parametrize(
    ("start", "end", "expected", "pyshacl_differs"),
    [
        ("2023-01-01", "2023-12-31", set(), False),
        ("2024-01-01", "2023-12-31", {"LessThanOrEqualsConstraintComponent"}, False),  # start after end
        # No such day, and a month and day of one digit: ill-typed, so not comparable with the end; pyshacl
        # compares the lexical forms as strings ("2023-02-30" <= "2023-12-31").
        ("2023-02-30", "2023-12-31", {"DatatypeConstraintComponent", "LessThanOrEqualsConstraintComponent"}, True),
        ("2023-1-1", "2023-12-31", {"DatatypeConstraintComponent", "LessThanOrEqualsConstraintComponent"}, True),
    ],
)
def test_dates_compare_as_sparql_says(start: str, end: str, expected: set[str], pyshacl_differs: bool) -> None:
    with lexical_forms_kept():
        data = _replace(data_graph(), PERIOD, SCHEMA + "startDate", Literal(start, datatype=XSD_DATE))
        _replace(data, PERIOD, SCHEMA + "endDate", Literal(end, datatype=XSD_DATE))
    assert fired(validate_graph(data), "IntervalShape-startDate") == expected
    differs = {("IntervalShape-startDate", "LessThanOrEqualsConstraintComponent", start)} if pyshacl_differs else set()
    assert departing(data) == (differs, set())


def test_a_decimal_that_is_not_a_number_is_a_result_where_pyshacl_stops() -> None:
    """ "NaN" is not in xsd:decimal's lexical space (it is xsd:double's): ill-typed, and not comparable with
    sh:minInclusive 0, a result (SHACL 4.3). rdflib reads it as Decimal("NaN"), which refuses to be ordered, and
    pyshacl lets decimal.InvalidOperation through: the fast engine reports, pyshacl stops."""
    with lexical_forms_kept():
        data = _replace(data_graph(), TOTAL_VALUE, SCHEMA + "value", Literal("NaN", datatype=XSD_DECIMAL))
    found = {(r.focus, r.shape, r.constraint, r.value) for r in validate_graph(data).results}
    assert found == {
        (str(TOTAL_VALUE), CGSH + "FigureShape-value", str(SH.DatatypeConstraintComponent), "NaN"),
        (str(TOTAL_VALUE), CGSH + "FigureShape-value", str(SH.MinInclusiveConstraintComponent), "NaN"),
        (str(TOTAL_VALUE), CGSH + "FigureShape-value", str(SH.PatternConstraintComponent), "NaN"),
    }
    with pytest.raises(PyshaclStopped, match=r"^pyshacl stopped on a value it cannot compare \(decimal\.Inv") as stop:
        validate_graph(data, engine="pyshacl")
    assert isinstance(stop.value.__cause__, InvalidOperation)


def test_a_simple_literal_and_an_explicit_xsd_string_are_one_literal_in_the_fast_engine() -> None:
    """RDF 1.1 (Concepts, 3.3): a simple literal *is* an xsd:string; rdflib, and so pyshacl, tell them apart."""
    text = URIRef(BASE + "report/3064011/2023/text")
    data = _replace(data_graph(), text, DCT + "format", Literal("text/plain", datatype=XSD_STRING))
    assert validate_graph(data).results == []
    assert {r.shape for r in validate_graph(data, engine="pyshacl").results} == {CGSH + "SourceTextShape-format"}


# --------------------------------------------------------------------------------------------------------------
# A synthetic graph with violations of many kinds injected
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """12 members over two years (a few thousand triples: small enough for pyshacl)."""
    folder = tmp_path_factory.mktemp("synth") / "data"
    write_dataset(generate(members=12, years=(2022, 2023), seed=7), folder)
    return build_graph(read_dataset(folder)).graph


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _instances(graph: Graph, cls: str, having: str | None = None) -> list[URIRef]:
    found = {s for s in graph.subjects(RDF.type, URIRef(cls)) if isinstance(s, URIRef)}
    if having is not None:
        found = {s for s in found if (s, URIRef(having), None) in graph}
    assert found, f"the synthetic graph has no {cls} with {having}"
    return sorted(found)


def _one(graph: Graph, subject: URIRef, predicate: str) -> Node:
    value = graph.value(subject, URIRef(predicate))
    assert value is not None, f"{subject} has no {predicate}"
    return value


Injection = Callable[[Graph], set[tuple[str, str, str]]]  # edits the graph; returns (focus, shape, component)


def _drop_polish_name(g: Graph) -> set[tuple[str, str, str]]:
    member = _instances(g, CG + "LocalGovernment")[0]
    g.remove((member, URIRef(SKOS + "prefLabel"), _lang(g, member, SKOS + "prefLabel", "pl")))
    return {(str(member), "LocalGovernmentShape-prefLabel", "QualifiedMinCountConstraintComponent")}


def _lang(g: Graph, subject: URIRef, predicate: str, language: str) -> Literal:
    return next(o for o in g.objects(subject, URIRef(predicate)) if isinstance(o, Literal) and o.language == language)


def _teryt_as_integer(g: Graph) -> set[tuple[str, str, str]]:
    member = _instances(g, CG + "LocalGovernment")[1]
    teryt = _one(g, member, CG + "teryt")
    with lexical_forms_kept():  # "0415032", leading zero kept
        _replace(g, member, CG + "teryt", Literal(str(teryt), datatype=XSD_INTEGER))
    return {(str(member), "LocalGovernmentShape-teryt", "DatatypeConstraintComponent")}


def _second_member(g: Graph) -> set[tuple[str, str, str]]:
    membership = _instances(g, ORG + "Membership")[0]
    g.add((membership, URIRef(ORG + "member"), _instances(g, CG + "LocalGovernment")[2]))
    return {
        (str(membership), "MembershipShape-member", "MaxCountConstraintComponent"),
        (str(membership), "MembershipShape-reportPublisher", "EqualsConstraintComponent"),
    }


def _organisation_as_publisher(g: Graph) -> set[tuple[str, str, str]]:
    report = _instances(g, CG + "Report")[-1]
    _replace(g, report, DCT + "publisher", _instances(g, CG + "NationalOrganisation")[0])
    return {(str(report), "ReportShape-publisher", "ClassConstraintComponent")}


def _period_and_not_recorded(g: Graph) -> set[tuple[str, str, str]]:
    activity = _instances(g, CG + "Activity", having=DCT + "temporal")[0]
    g.add((activity, URIRef(CG + "notRecorded"), URIRef(CGV + "recordable-field/period")))
    return {(str(activity), "ActivityShape-periodOrNotRecorded", "XoneConstraintComponent")}


def _report_as_participant(g: Graph) -> set[tuple[str, str, str]]:
    participation = _instances(g, CG + "Participation")[0]
    _replace(g, participation, CG + "participant", _instances(g, CG + "Report")[0])
    return {(str(participation), "ParticipationShape-participant", "OrConstraintComponent")}


def _figures(g: Graph) -> list[URIRef]:
    return _instances(g, CG + "Figure", having=SCHEMA + "currency")


def _signed_value(g: Graph) -> set[tuple[str, str, str]]:
    figure = _figures(g)[0]
    with lexical_forms_kept():
        _replace(g, figure, SCHEMA + "value", Literal("+5", datatype=XSD_DECIMAL))
    return {(str(figure), "FigureShape-value", "PatternConstraintComponent")}


def _ill_typed_value(g: Graph) -> set[tuple[str, str, str]]:
    figure = _figures(g)[1]
    with lexical_forms_kept():
        _replace(g, figure, SCHEMA + "value", Literal("abc", datatype=XSD_DECIMAL))
    return {
        (str(figure), "FigureShape-value", "DatatypeConstraintComponent"),
        (str(figure), "FigureShape-value", "MinInclusiveConstraintComponent"),
    }


def _positions(g: Graph) -> list[URIRef]:
    return _instances(g, OA + "TextPositionSelector")


def _start_after_end(g: Graph) -> set[tuple[str, str, str]]:
    position = _positions(g)[0]
    start, end = _one(g, position, OA + "start"), _one(g, position, OA + "end")
    _replace(g, position, OA + "start", end)
    _replace(g, position, OA + "end", start)
    return {(str(position), "TextPositionSelectorShape-start", "LessThanConstraintComponent")}


def _negative_end(g: Graph) -> set[tuple[str, str, str]]:
    position = _positions(g)[1]
    _replace(g, position, OA + "end", Literal("-1", datatype=XSD_INTEGER))
    return {(str(position), "TextPositionSelectorShape-end", "MinInclusiveConstraintComponent")}


def _interval_dates_reversed(g: Graph) -> set[tuple[str, str, str]]:
    report = _instances(g, CG + "Report")[0]
    interval = _one(g, report, DCT + "temporal")
    assert isinstance(interval, URIRef)
    g.add((interval, URIRef(SCHEMA + "startDate"), Literal("2024-01-01", datatype=XSD_DATE)))
    g.add((interval, URIRef(SCHEMA + "endDate"), Literal("2023-01-01", datatype=XSD_DATE)))
    return {(str(interval), "IntervalShape-startDate", "LessThanOrEqualsConstraintComponent")}


def _activities(g: Graph) -> list[URIRef]:
    return _instances(g, CG + "Activity")


def _german_and_second_polish_title(g: Graph) -> set[tuple[str, str, str]]:
    first, second = _activities(g)[:2]
    g.add((first, URIRef(DCT + "title"), Literal("Titel", lang="de")))
    g.add((second, URIRef(DCT + "title"), Literal("Drugi tytuł", lang="pl")))
    return {
        (str(first), "ActivityShape-title", "LanguageInConstraintComponent"),
        (str(second), "ActivityShape-title", "UniqueLangConstraintComponent"),
    }


def _blank_selector(g: Graph) -> set[tuple[str, str, str]]:
    evidence = _instances(g, CG + "Evidence")[0]
    g.add((evidence, URIRef(OA + "hasSelector"), BNode()))
    return {
        (str(evidence), "EvidenceShape-hasSelector", "NodeKindConstraintComponent"),
        (str(evidence), "EvidenceShape-hasSelector", "MaxCountConstraintComponent"),
    }


def _other_role(g: Graph) -> set[tuple[str, str, str]]:
    membership = _instances(g, ORG + "Membership")[-1]
    _replace(g, membership, ORG + "role", URIRef(CGV + "role/partner"))
    return {(str(membership), "MembershipShape-role", "HasValueConstraintComponent")}


def _money_and_quantity(g: Graph) -> set[tuple[str, str, str]]:
    figure = _figures(g)[2]
    g.add((figure, RDF.type, URIRef(SCHEMA + "QuantitativeValue")))
    # Still exactly one of cgsh:MonetaryFigure and cgsh:QuantitativeFigure: it has a currency and no unit.
    return {(str(figure), "FigureShape-type", "QualifiedMaxCountConstraintComponent")}


def _empty_quote(g: Graph) -> set[tuple[str, str, str]]:
    quote = _instances(g, OA + "TextQuoteSelector")[0]
    _replace(g, quote, OA + "exact", Literal(""))
    return {(str(quote), "TextQuoteSelectorShape-exact", "MinLengthConstraintComponent")}


def _hedge_from_another_scheme(g: Graph) -> set[tuple[str, str, str]]:
    figure = _figures(g)[3]
    _replace(g, figure, CG + "hedge", URIRef(CGV + "role/member"))
    return {(str(figure), "FigureShape-hedge", "NodeConstraintComponent")}


def _figure_not_listed(g: Graph) -> set[tuple[str, str, str]]:
    figure = _figures(g)[4]
    g.remove((None, URIRef(CG + "hasFigure"), figure))
    return {(str(figure), "FigureShape-listed", "EqualsConstraintComponent")}


def _instant_with_two_positions(g: Graph) -> set[tuple[str, str, str]]:
    instant = sorted(o for o in g.objects(None, URIRef(TIME + "hasBeginning")) if isinstance(o, URIRef))[0]
    with lexical_forms_kept():
        g.add((instant, URIRef(TIME + "inXSDDate"), Literal("2023-02-30", datatype=XSD_DATE)))
    return {
        (str(instant), "InstantShape-position", "MaxCountConstraintComponent"),
        (str(instant), "InstantShape-inXSDDate", "DatatypeConstraintComponent"),
    }


def _literal_period(g: Graph) -> set[tuple[str, str, str]]:
    report = _instances(g, CG + "Report")[1]
    g.add((report, URIRef(DCT + "temporal"), Literal("2023")))  # a literal becomes a focus node (targetObjectsOf)
    return {
        (str(report), "ReportShape-temporal", "MaxCountConstraintComponent"),
        ("2023", "IntervalShape-type", "HasValueConstraintComponent"),
    }


def _role_not_recorded(g: Graph) -> set[tuple[str, str, str]]:
    activity = _activities(g)[2]
    g.add((activity, URIRef(CG + "notRecorded"), URIRef(CGV + "role/member")))
    return {(str(activity), "NotRecordedShape-notRecorded", "NodeConstraintComponent")}


def _no_english_title(g: Graph) -> set[tuple[str, str, str]]:
    report = _instances(g, CG + "Report")[2]
    g.remove((report, URIRef(DCT + "title"), _lang(g, report, DCT + "title", "en")))
    return {(str(report), "ReportShape-titleEn", "QualifiedMinCountConstraintComponent")}


def _concept_without_notation(g: Graph) -> set[tuple[str, str, str]]:
    concept = URIRef(CGV + "hedge/about")
    g.remove((concept, URIRef(SKOS + "notation"), None))
    return {(str(concept), "ConceptShape-notation", "MinCountConstraintComponent")}


INJECTIONS: list[Injection] = [
    _drop_polish_name,
    _teryt_as_integer,
    _second_member,
    _organisation_as_publisher,
    _period_and_not_recorded,
    _report_as_participant,
    _signed_value,
    _ill_typed_value,
    _start_after_end,
    _negative_end,
    _interval_dates_reversed,
    _german_and_second_polish_title,
    _blank_selector,
    _other_role,
    _money_and_quantity,
    _empty_quote,
    _hedge_from_another_scheme,
    _figure_not_listed,
    _instant_with_two_positions,
    _literal_period,
    _role_not_recorded,
    _no_english_title,
    _concept_without_notation,
]


def test_a_triple_given_twice_counts_once(poznan: BuiltGraph) -> None:
    """A graph is a set: Oxigraph triples may repeat one, and sh:maxCount 1 must still hold; a second value not."""
    teryt = next(t for t in poznan.triples if t.predicate.value == CG + "teryt")
    assert validate_graph([*poznan.triples, teryt]).results == []
    other = ox.Triple(teryt.subject, teryt.predicate, ox.Literal("3064012"))
    results = validate_graph([*poznan.triples, teryt, other]).results
    assert [(r.focus, r.shape, r.constraint) for r in results] == [
        (teryt.subject.value, CGSH + "LocalGovernmentShape-teryt", str(SH.MaxCountConstraintComponent))  # type: ignore[union-attr]
    ]


def test_the_synthetic_graph_conforms(synthetic: Graph) -> None:
    assert validate_graph(synthetic).results == []


def test_injected_violations_give_the_same_results_in_both_engines(synthetic: Graph) -> None:
    data = _copy(synthetic)
    expected = set().union(*(inject(data) for inject in INJECTIONS))
    fast, _reference = both(data)
    found = {(r.focus, r.shape.removeprefix(CGSH), r.constraint.removeprefix(str(SH))) for r in fast.results}
    assert expected <= found, sorted(expected - found)
    assert {r.severity for r in fast.results} == {Severity.VIOLATION, Severity.WARNING}


def test_two_processes_give_the_results_of_one(synthetic: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over PARALLEL_MINIMUM focus nodes, a forked child checks part of the focus nodes; nothing may change."""
    data = _copy(synthetic)
    expected = set().union(*(inject(data) for inject in INJECTIONS))
    one = validate_graph(data)
    monkeypatch.setattr(fast_engine, "PARALLEL_MINIMUM", 0)
    monkeypatch.setattr(fast_engine, "PIECE", 3)  # many pieces, dealt to both processes as they ask
    monkeypatch.setattr(parallel, "workers", lambda: 2)  # also on a one-core machine
    forks: list[int] = []
    monkeypatch.setattr(parallel, "forked", _counting(parallel.forked, forks))
    two = validate_graph(data)
    assert forks == [1]
    assert two.results == one.results
    assert expected <= {(r.focus, r.shape.removeprefix(CGSH), r.constraint.removeprefix(str(SH))) for r in two.results}


def _counting(function: Any, calls: list[int]) -> Any:
    def counted(*args: Any) -> Any:
        calls.append(1)
        return function(*args)

    return counted


def test_injected_violations_name_the_offending_value(synthetic: Graph) -> None:
    data = _copy(synthetic)
    member, position = _instances(data, CG + "LocalGovernment")[1], _positions(data)[0]
    teryt, end = str(_one(data, member, CG + "teryt")), str(_one(data, position, OA + "end"))
    _teryt_as_integer(data)
    _start_after_end(data)
    results = validate_graph(data).results
    datatype, less_than = str(SH.DatatypeConstraintComponent), str(SH.LessThanConstraintComponent)
    assert [(r.focus, r.shape, r.constraint, r.value, r.path) for r in results] == sorted(
        [
            (str(member), CGSH + "LocalGovernmentShape-teryt", datatype, teryt, CG + "teryt"),
            (str(position), CGSH + "TextPositionSelectorShape-start", less_than, end, OA + "start"),
        ]
    )


def test_the_report_graph_lists_each_result(synthetic: Graph) -> None:
    data = _copy(synthetic)
    for inject in INJECTIONS:
        inject(data)
    report = validate_graph(data)
    graph = report.graph
    assert graph is not None
    (root,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(root, SH.conforms) == Literal(False)
    nodes = list(graph.objects(root, SH.result))
    assert len(nodes) == len(report.results)
    shown = sorted(
        (
            str(graph.value(node, SH.sourceShape)),
            str(graph.value(node, SH.sourceConstraintComponent)),
            str(graph.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
            sorted(m.language for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal)),
        )
        for node in nodes
    )
    assert shown == sorted((r.shape, r.constraint, r.severity.value, ["en", "pl"]) for r in report.results)


def test_the_report_graph_is_the_same_on_every_run(synthetic: Graph) -> None:
    data = _copy(synthetic)
    _blank_selector(data)
    _interval_dates_reversed(data)
    texts = set()
    for _ in range(2):
        graph = validate_graph(data).graph
        assert graph is not None
        texts.add(graph.serialize(format="nt"))
    assert len(texts) == 1


# --------------------------------------------------------------------------------------------------------------
# Small shapes graphs: the parts of SHACL Core the engine implements beyond what civicgraph's shapes use, and
# the corners where pyshacl reads the standard in its own way
# --------------------------------------------------------------------------------------------------------------

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""
EX = "http://example.org/"


def _graph(turtle: str) -> Graph:
    with lexical_forms_kept():
        return Graph().parse(data=PREFIXES + turtle, format="turtle")


CUSTOM_DATA = """
ex:a a ex:Thing ; ex:name "Ala"@pl , "Ala"@PL-PL , "Alice"@en-GB , "Alicja"@en-gb , "Al"@en ; ex:code "ab12" , "AB12" ;
    ex:next ex:b ; ex:start "5"^^xsd:integer ; ex:end "7"^^xsd:integer , "4"^^xsd:integer ; ex:other ex:b .
ex:b a ex:Special ; ex:name "Bob" ; ex:code "zz" ; ex:next ex:a ; ex:other "b" .
ex:Special rdfs:subClassOf ex:Thing .
"""


@pytest.mark.parametrize(
    ("name", "shapes", "expected", "only_fast"),
    [
        (
            "sh:class follows rdfs:subClassOf; two sh:class values give a result each",
            "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:next ; sh:class ex:Thing , ex:Special ; sh:message 'm'@en .",
            {(f"{EX}a", "ClassConstraintComponent")},
            set(),
        ),
        (
            "targetClass reaches instances of subclasses; sh:flags 'i'",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:S-code .\n"
            "ex:S-code sh:path ex:code ; sh:pattern '^[a-z]+[0-9]+$' ; sh:flags 'i' ; sh:message 'm'@en .",
            {(f"{EX}b", "PatternConstraintComponent")},
            set(),
        ),
        (
            "sh:languageIn ranges and subtags; sh:uniqueLang ignores case and gives a result per language",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:S-name .\n"
            "ex:S-name sh:path ex:name ; sh:languageIn ( 'pl' 'en-GB' ) ; sh:uniqueLang true ; sh:message 'm'@en .",
            None,
            set(),
        ),
        (
            "sh:lessThan gives one result per failing pair",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:S-start .\n"
            "ex:S-start sh:path ex:start ; sh:lessThan ex:end ; sh:message 'm'@en .",
            {(f"{EX}a", "LessThanConstraintComponent")},
            set(),
        ),
        (
            # SPARQL's <= is not defined on IRIs: ex:a's ex:b <= ex:b cannot be compared, a result; pyshacl compares
            # IRIs as strings.
            "sh:lessThanOrEquals between IRIs and literals",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:S-next .\n"
            "ex:S-next sh:path ex:next ; sh:lessThanOrEquals ex:other ; sh:message 'm'@en .",
            {(f"{EX}a", "LessThanOrEqualsConstraintComponent"), (f"{EX}b", "LessThanOrEqualsConstraintComponent")},
            {(f"{EX}a", "LessThanOrEqualsConstraintComponent")},
        ),
        (
            # SHACL 2.3: a node conforms to a shape when validating it gives no result at all, whatever the severity;
            # pyshacl run with allow_warnings (as civicgraph runs it) lets the nested warning pass inside sh:or.
            "sh:node and sh:or both fail on a nested warning",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Special ; sh:property ex:S-next .\n"
            "ex:S-next sh:path ex:next ; sh:node ex:Soft ; sh:or ( ex:Soft ) ; sh:message 'm'@en .\n"
            "ex:Soft a sh:NodeShape ; sh:class ex:Special ; sh:severity sh:Warning ; sh:message 'w'@en .",
            {(f"{EX}b", "NodeConstraintComponent"), (f"{EX}b", "OrConstraintComponent")},
            {(f"{EX}b", "OrConstraintComponent")},
        ),
        (
            "a deactivated shape gives nothing; an sh:xone of two equal members fails",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ; sh:class ex:Nothing ; "
            "sh:message 'm'@en .\n"
            "ex:T a sh:NodeShape ; sh:targetClass ex:Special ; sh:xone ( ex:U ex:U ) ; sh:message 'm'@en .\n"
            "ex:U a sh:NodeShape ; sh:class ex:Thing .",
            {(f"{EX}b", "XoneConstraintComponent")},
            set(),
        ),
        (
            "sh:in, sh:hasValue, sh:minLength and sh:nodeKind on a sequence path",
            "ex:S a sh:NodeShape ; sh:targetClass ex:Special ; sh:property ex:S-path .\n"
            "ex:S-path sh:path ( ex:next ex:name ) ; sh:in ( 'Ala'@pl 'Bob' ) ; sh:hasValue 'Alice'@en-GB ; "
            "sh:minLength 4 ; sh:nodeKind sh:IRIOrLiteral ; sh:message 'm'@en .",
            None,
            set(),
        ),
    ],
)
def test_custom_shapes_give_the_same_results_in_both_engines(
    name: str, shapes: str, expected: set[tuple[str, str]] | None, only_fast: set[tuple[str, str]]
) -> None:
    """Equal results, but for those only the fast engine gives where pyshacl departs from SHACL (``only_fast``)."""
    fast = validate_graph(_graph(CUSTOM_DATA), shapes=_graph(shapes)).results
    reference = validate_graph(_graph(CUSTOM_DATA), shapes=_graph(shapes), engine="pyshacl").results
    assert [r for r in reference if r not in fast] == [], name
    assert {(r.focus, r.constraint.removeprefix(str(SH))) for r in fast if r not in reference} == only_fast, name
    if expected is not None:
        assert {(r.focus, r.constraint.removeprefix(str(SH))) for r in fast} == expected, name


# --------------------------------------------------------------------------------------------------------------
# What the engine does not implement, it refuses, naming the shape and the term
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shapes", "named"),
    [
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:message 'm'@en .", ["ex:S", "shacl#closed"]),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message 'm'@en ; "
            "sh:sparql [ sh:select 'SELECT $this WHERE { }' ] .",
            ["ex:S", "shacl#sparql"],
        ),
        ("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:message 'm'@en .", ["ex:S", "shacl#targetNode"]),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not ex:T ; sh:message 'm'@en .", ["ex:S", "shacl#not"]),
        (
            "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:maxLength 3 ; sh:message 'm'@en .",
            ["ex:S", "shacl#maxLength"],
        ),
        (
            "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ; "
            "sh:message 'm'@en .",
            ["ex:S", "<ex:p>*"],
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:qualifiedValueShape ex:T ; sh:qualifiedMinCount 1 ; "
            "sh:message 'm'@en .",
            ["ex:S", "qualifiedValueShape", "property shape"],
        ),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:class ex:D .", ["ex:S", "sh:message"]),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:T ; sh:message 'm'@en .\n"
            "ex:T a sh:NodeShape ; sh:node ex:S .",
            ["recursive", "ex:S", "ex:T"],
        ),
        ("ex:C a sh:NodeShape , rdfs:Class ; sh:class ex:D ; sh:message 'm'@en .", ["ex:C", "implicit class"]),
        ("ex:V a sh:SPARQLConstraint ; sh:select 'SELECT $this WHERE { }' .", ["ex:V", "SPARQLConstraint"]),
    ],
)
def test_the_fast_engine_refuses_what_it_does_not_implement(shapes: str, named: list[str]) -> None:
    with pytest.raises(UnsupportedShapes) as refused:
        validate_graph(Graph(), shapes=_graph(shapes))
    message = str(refused.value).replace(EX, "ex:")
    for part in named:
        assert part in message, message


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown SHACL engine 'jena'"):
        validate_graph(Graph(), engine="jena")


# --------------------------------------------------------------------------------------------------------------
# The command line: --engine
# --------------------------------------------------------------------------------------------------------------


def test_validate_gives_the_same_json_with_either_engine(poznan: BuiltGraph, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    graph = _copy(poznan.graph)
    graph.remove((URIRef(BASE + "activity/3064011/2023/pkm"), URIRef(CG + "withinMembership"), None))
    write_turtle(sorted_triples(graph), broken)
    outputs = []
    for engine in ENGINES:
        run = CliRunner().invoke(cli.main, ["validate", "--graph", str(broken), "--format", "json", "--engine", engine])
        assert run.exit_code == 1, run.output
        outputs.append(json.loads(run.output))
    assert outputs[0] == outputs[1]
    assert [r["sourceShape"] for r in outputs[0]["results"]] == [CGSH + "ActivityShape-withinMembership"]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_build_validates_with_the_engine_chosen(engine: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chosen: list[str] = []

    def refusing(
        data: object, sources: object = None, shapes: object = None, *, engine: str = "fast", since: object = None
    ) -> ValidationReport:
        chosen.append(engine)
        violation = ValidationResult("f", None, "s", Severity.VIOLATION, "c", None, "zły", "bad")
        return ValidationReport([violation])

    monkeypatch.setattr(build_command, "validate_graph", refusing)
    run = CliRunner().invoke(cli.main, ["build", "--out", str(tmp_path / "dist"), "--engine", engine])
    assert (run.exit_code, chosen) == (1, [engine])
    assert not (tmp_path / "dist").exists()
