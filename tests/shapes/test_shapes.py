"""Manifest-driven tests of the SHACL shapes (shapes/civicgraph-shapes.ttl), in the style of the OGC GeoSPARQL
and W3C SHACL test suites: a valid and one or more invalid fixtures per shape, and for every invalid fixture
the exact set of results it must produce.

Every fixture is validated together with ``fixtures/world.ttl`` (a small valid graph of the Poznań 2023 report)
and ``ontology/vocabularies.ttl`` (which the build copies into the published graph):

* ``<Shape>-valid.ttl`` must give no result at all, not even a warning;
* ``<Shape>-invalid-<what>.ttl`` must give exactly the (sh:sourceShape, sh:resultPath, sh:focusNode,
  sh:resultSeverity) set that ``manifest.toml`` lists for it, so a fixture that fails for the wrong reason,
  or for an extra one, fails the test.

Coverage is tested too: a shape without a valid and an invalid fixture, or a rule (property shape or rule node
shape) that no invalid fixture makes fire, fails the suite.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHAPES_FILE = ROOT / "shapes" / "civicgraph-shapes.ttl"
VOCABULARIES_FILE = ROOT / "ontology" / "vocabularies.ttl"
FIXTURES = HERE / "fixtures"
WORLD_FILE = FIXTURES / "world.ttl"
MANIFEST_FILE = HERE / "manifest.toml"

# Prefixes used in manifest.toml; "id:" is the default base IRI of minted resources.
PREFIXES = {
    "id": "https://w3id.org/civicgraph/id/",
    "cgsh": "https://w3id.org/civicgraph/shapes#",
    "cg": "https://w3id.org/civicgraph/ontology#",
    "cgv": "https://w3id.org/civicgraph/vocab/",
    "dct": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
}
CGSH = PREFIXES["cgsh"]
SEVERITIES = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}

# SHACL Core parameters that make a shape a constraint (sh:property only gathers other shapes).
CONSTRAINT_PARAMETERS = {
    SH[name]
    for name in [
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
        "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
        "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "qualifiedValueShape", "closed",
        "hasValue", "in",
    ]
}  # fmt: skip
TARGET_PARAMETERS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
# Anything outside SHACL Core (SPARQL-based constraints and targets, SHACL-AF rules, JavaScript) is banned so
# that every SHACL engine, Apache Jena's included, gives the same verdict.
NON_CORE = {SH.sparql, SH.select, SH.ask, SH.rule, SH.target, SH.js, SH.jsFunctionName, SH.shapesGraph}


# --------------------------------------------------------------------------------------------------------------
# Loading and validating
# --------------------------------------------------------------------------------------------------------------


@contextmanager
def lexical_forms_kept() -> Iterator[None]:
    """Parse literals as written: rdflib would otherwise turn "+5"^^xsd:decimal into "5" before validation."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def load(*files: Path) -> Graph:
    graph = Graph()
    with lexical_forms_kept():
        for file in files:
            graph.parse(file, format="turtle")
    return graph


@cache
def shapes() -> Graph:
    return load(SHAPES_FILE)


def data_graph(fixture: Path | None = None) -> Graph:
    files = [VOCABULARIES_FILE, WORLD_FILE] + ([fixture] if fixture else [])
    return load(*files)


def report(data: Graph) -> Graph:
    _conforms, report_graph, _text = validate(
        data, shacl_graph=shapes(), inference="none", advanced=False, allow_warnings=False
    )
    assert isinstance(report_graph, Graph)
    return report_graph


def curie(node: Node) -> str:
    text = str(node)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text if isinstance(node, URIRef) else node.n3()


def expand(name: str) -> str:
    prefix, _, rest = name.partition(":")
    return PREFIXES[prefix] + rest if prefix in PREFIXES else name


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path in SPARQL syntax: ``cg:x``, ``^cg:x``, ``cg:x/cg:y``, ``(cg:x|cg:y)``."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return curie(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(path_text(graph, inverse))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(str(path_text(graph, p)) for p in Collection(graph, alternatives)) + ")"
    if graph.value(path, RDF.first) is not None:
        return "/".join(str(path_text(graph, p)) for p in Collection(graph, path))
    raise AssertionError(f"unsupported path {path!r}")


@dataclass(frozen=True, order=True)
class Result:
    shape: str
    path: str | None
    focus: str
    severity: str

    def __str__(self) -> str:
        return f"{self.severity:9} {self.shape}  path={self.path}  focus={self.focus}"


def top_results(report_graph: Graph) -> list[Node]:
    """The report's own results; pyshacl also types the nested sh:detail results sh:ValidationResult."""
    reports = report_graph.subjects(RDF.type, SH.ValidationReport)
    return [result for report in reports for result in report_graph.objects(report, SH.result)]


def results(report_graph: Graph) -> set[Result]:
    found = set()
    for node in top_results(report_graph):
        severity = report_graph.value(node, SH.resultSeverity)
        found.add(
            Result(
                shape=curie(report_graph.value(node, SH.sourceShape)),
                path=path_text(report_graph, report_graph.value(node, SH.resultPath)),
                focus=curie(report_graph.value(node, SH.focusNode)),
                severity=str(severity).rsplit("#", 1)[-1],
            )
        )
    return found


def explain(expected: set[Result], actual: set[Result]) -> str:
    lines = ["expected but missing:"] + [f"  {r}" for r in sorted(expected - actual)]
    lines += ["unexpected:"] + [f"  {r}" for r in sorted(actual - expected)]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# The manifest and the shapes it covers
# --------------------------------------------------------------------------------------------------------------


@cache
def manifest() -> dict[str, set[Result]]:
    with MANIFEST_FILE.open("rb") as file:
        entries = tomllib.load(file)["invalid"]
    expected: dict[str, set[Result]] = {}
    for entry in entries:
        assert entry["fixture"] not in expected, f"{entry['fixture']} is listed twice in manifest.toml"
        expected[entry["fixture"]] = {
            Result(r["shape"], r.get("path"), r["focus"], r["severity"]) for r in entry["results"]
        }
    return expected


def targeted_shapes() -> set[URIRef]:
    graph = shapes()
    return {s for p in TARGET_PARAMETERS for s in graph.subjects(p, None) if isinstance(s, URIRef)}


def main_shapes() -> set[URIRef]:
    """Targeted node shapes named <Name>Shape (the rule shapes are named <Name>Shape-<rule>)."""
    return {s for s in targeted_shapes() if "-" not in str(s)[len(CGSH) :]}


def shape_name(shape: URIRef) -> str:
    return str(shape)[len(CGSH) :]


def firing_shapes() -> set[URIRef]:
    """Every shape whose results reach a report: targeted node shapes with their own constraints, and the
    property shapes of targeted node shapes."""
    graph = shapes()
    found = set()
    for shape in targeted_shapes():
        if any(graph.value(shape, p) is not None for p in CONSTRAINT_PARAMETERS):
            found.add(shape)
        found.update(p for p in graph.objects(shape, SH.property) if isinstance(p, URIRef))
    return found


def invalid_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*-invalid-*.ttl"))


def valid_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*-valid.ttl"))


def focus_nodes(shape: URIRef, data: Graph) -> set[Node]:
    """The focus nodes of a shape's targets (SHACL 2.1.3), enough to see that a fixture exercises it."""
    graph = shapes()
    nodes: set[Node] = set(graph.objects(shape, SH.targetNode))
    for cls in graph.objects(shape, SH.targetClass):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
        nodes.update(s for c in classes for s in data.subjects(RDF.type, c))
    for prop in graph.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(prop, None))
    for prop in graph.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, prop))
    return nodes


# --------------------------------------------------------------------------------------------------------------
# The shapes file itself
# --------------------------------------------------------------------------------------------------------------


def test_shapes_file_is_well_formed_shacl() -> None:
    """pyshacl's meta-validation (SHACL-SHACL) rejects a malformed shapes graph with an exception."""
    conforms, _graph, text = validate(Graph(), shacl_graph=shapes(), meta_shacl=True)
    assert conforms, text


def test_shapes_use_shacl_core_only() -> None:
    used = set(shapes().predicates()) | set(shapes().objects(None, RDF.type))
    assert not used & NON_CORE, f"non-Core SHACL terms: {sorted(used & NON_CORE)}"
    assert not set(shapes().subjects(RDF.type, SH.SPARQLConstraint))


def test_every_shape_has_its_own_iri() -> None:
    graph = shapes()
    for parameter in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
        for subject, shape in graph.subject_objects(parameter):
            assert isinstance(shape, URIRef), f"{curie(subject)} {curie(parameter)} a blank-node shape"
    for parameter in (SH["or"], SH.xone, SH["and"]):
        for subject, members in graph.subject_objects(parameter):
            for shape in Collection(graph, members):
                assert isinstance(shape, URIRef), f"{curie(subject)} {curie(parameter)} a blank-node shape"
    for shape in set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape)):
        assert isinstance(shape, URIRef) and str(shape).startswith(CGSH), shape


def test_property_shapes_are_named_after_their_node_shape() -> None:
    graph = shapes()
    for node_shape, property_shape in graph.subject_objects(SH.property):
        assert shape_name(property_shape).startswith(shape_name(node_shape) + "-"), (
            f"{curie(property_shape)} is a property shape of {curie(node_shape)}"
        )
        assert (property_shape, RDF.type, SH.PropertyShape) in graph, curie(property_shape)


def test_every_constraint_has_a_polish_and_english_message_and_a_severity() -> None:
    graph = shapes()
    constrained = {s for p in CONSTRAINT_PARAMETERS for s in graph.subjects(p, None)}
    assert constrained
    for shape in constrained:
        messages = list(graph.objects(shape, SH.message))
        languages = sorted(m.language or "" for m in messages if isinstance(m, Literal))
        assert languages == ["en", "pl"], f"{curie(shape)}: sh:message languages {languages}"
        severities = list(graph.objects(shape, SH.severity))
        assert len(severities) == 1 and severities[0] in SEVERITIES.values(), curie(shape)


def test_every_node_shape_has_a_polish_and_english_label_and_comment() -> None:
    graph = shapes()
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        for annotation in (RDFS.label, RDFS.comment):
            languages = sorted(v.language or "" for v in graph.objects(shape, annotation) if isinstance(v, Literal))
            assert languages == ["en", "pl"], f"{curie(shape)} {curie(annotation)}: {languages}"


def test_warnings_are_only_for_recommendations() -> None:
    """Warnings are a deliberate, short list: a missing English label or title where English is optional."""
    warnings = {shape_name(s) for s in shapes().subjects(SH.severity, SH.Warning)}
    assert warnings == {
        "LocalGovernmentShape-prefLabelEn",
        "NationalOrganisationShape-prefLabelEn",
        "ReportShape-titleEn",
        "FigureShape-prefLabelEn",
    }


# --------------------------------------------------------------------------------------------------------------
# Coverage: every shape has fixtures, every rule fires somewhere
# --------------------------------------------------------------------------------------------------------------


def test_every_shape_has_a_valid_and_an_invalid_fixture() -> None:
    valid, invalid = valid_fixtures(), invalid_fixtures()
    for shape in main_shapes():
        name = shape_name(shape)
        assert f"{name}-valid.ttl" in valid, f"no fixtures/{name}-valid.ttl"
        assert any(f.startswith(f"{name}-invalid-") for f in invalid), f"no fixtures/{name}-invalid-*.ttl"


def test_every_fixture_is_named_after_a_shape() -> None:
    names = {shape_name(s) for s in main_shapes()}
    for fixture in valid_fixtures() + invalid_fixtures():
        assert re.split(r"-(?:valid|invalid-)", fixture)[0] in names, fixture
    stray = {p.name for p in FIXTURES.glob("*.ttl")} - set(valid_fixtures()) - set(invalid_fixtures())
    assert stray == {"world.ttl"}, f"fixtures not named <Shape>-valid.ttl or <Shape>-invalid-*.ttl: {stray}"


def test_manifest_lists_exactly_the_invalid_fixtures() -> None:
    assert sorted(manifest()) == invalid_fixtures()


def test_manifest_names_only_existing_shapes() -> None:
    known = {curie(s) for s in firing_shapes()}
    for fixture, expected in manifest().items():
        assert expected, f"{fixture}: an invalid fixture must expect at least one result"
        for result in expected:
            assert result.shape in known, f"{fixture}: unknown or non-firing shape {result.shape}"
            assert result.severity in SEVERITIES, f"{fixture}: severity {result.severity}"


def test_every_rule_fires_in_some_invalid_fixture() -> None:
    fired = {r.shape for expected in manifest().values() for r in expected}
    never = sorted(curie(s) for s in firing_shapes() if curie(s) not in fired)
    assert not never, f"no invalid fixture makes these fire: {never}"


def test_every_rule_has_a_severity_the_manifest_agrees_with() -> None:
    graph = shapes()
    for fixture, expected in manifest().items():
        for result in expected:
            severity = graph.value(URIRef(expand(result.shape)), SH.severity)
            assert severity == SEVERITIES[result.severity], f"{fixture}: {result.shape}"


@pytest.mark.parametrize("fixture", valid_fixtures())
def test_valid_fixture_exercises_its_shape(fixture: str) -> None:
    name = fixture.removesuffix("-valid.ttl")
    data = data_graph(FIXTURES / fixture)
    for shape in targeted_shapes():
        if shape_name(shape) == name or shape_name(shape).startswith(name + "-"):
            assert focus_nodes(shape, data), f"{fixture} gives {curie(shape)} no focus node"


# --------------------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------------------


def test_vocabularies_alone_conform() -> None:
    assert results(report(load(VOCABULARIES_FILE))) == set()


def test_world_conforms_without_any_result() -> None:
    assert results(report(data_graph())) == set()


@pytest.mark.parametrize("fixture", valid_fixtures())
def test_valid_fixture_gives_no_result(fixture: str) -> None:
    found = results(report(data_graph(FIXTURES / fixture)))
    assert found == set(), explain(set(), found)


@pytest.mark.parametrize("fixture", invalid_fixtures())
def test_invalid_fixture_gives_exactly_the_expected_results(fixture: str) -> None:
    expected = manifest()[fixture]
    report_graph = report(data_graph(FIXTURES / fixture))
    found = results(report_graph)
    assert found == expected, explain(expected, found)
    # Every result a user sees carries the rule's message in both languages.
    for node in top_results(report_graph):
        languages = sorted(
            m.language or "" for m in report_graph.objects(node, SH.resultMessage) if isinstance(m, Literal)
        )
        assert languages == ["en", "pl"], f"result of {curie(report_graph.value(node, SH.sourceShape))}"


TOTAL_VALUE = URIRef(PREFIXES["id"] + "activity/3064011/2023/zit-projects/figure/total-value")
VALUE = URIRef("http://schema.org/value")
# (not rdflib.namespace.XSD: pytest probing that module-level name makes rdflib warn)
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


@pytest.mark.parametrize(
    ("lexical", "canonical"),
    [
        ("47740", True),
        ("1400000000", True),
        ("0", True),
        ("0.5", True),
        ("1400000000.25", True),
        ("47740.00", False),
        ("47740.0", False),
        ("47740.", False),
        ("0.50", False),
        ("4.774E4", False),
        ("1.4e9", False),
        ("+47740", False),
        ("047740", False),
        (".5", False),
        ("-1", False),
    ],
)
def test_figure_value_must_be_a_canonical_decimal(lexical: str, canonical: bool) -> None:
    data = data_graph()
    data.remove((TOTAL_VALUE, VALUE, None))
    with lexical_forms_kept():
        data.add((TOTAL_VALUE, VALUE, Literal(lexical, datatype=XSD_DECIMAL)))
    fired = {r.shape for r in results(report(data))}
    assert fired == (set() if canonical else {"cgsh:FigureShape-value"}), lexical


def test_decimal_check_needs_lexical_forms_kept() -> None:
    """Why data graphs are parsed with rdflib.NORMALIZE_LITERALS off: with it on, rdflib rewrites the literal
    before any SHACL engine sees it, and a non-canonical value would pass in pyshacl but fail in Jena."""
    literal = Literal("+47740", datatype=XSD_DECIMAL, normalize=True)
    assert str(literal) == "47740"
    with lexical_forms_kept():
        assert str(Literal("+47740", datatype=XSD_DECIMAL)) == "+47740"


def test_blank_nodes_are_rejected_as_selectors() -> None:
    """MODEL.md: no blank nodes anywhere; the evidence shape refuses a blank-node selector."""
    data = data_graph()
    evidence = URIRef(PREFIXES["id"] + "report/3064011/2023/text/chars/1216-1233")
    selector = BNode()
    data.add((evidence, URIRef(PREFIXES["oa"] + "hasSelector"), selector))
    fired = {(r.shape, r.focus) for r in results(report(data))}
    assert ("cgsh:EvidenceShape-hasSelector", curie(evidence)) in fired
