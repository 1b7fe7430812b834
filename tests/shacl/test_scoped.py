"""A graph built into an earlier release is validated again only where it changed (``civicgraph.shacl.scoped``):
the results are those of validating the whole graph, for a change of any kind of constraint, for a change whose
result falls on a node that did not change (reached by an inverse path, a class or a target), and for a change
back; a change of class hierarchy, a change of many subjects, or what was kept by other code or for another graph
is validated whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from civicgraph.cli.main import main
from civicgraph.graph.subjects import DIGESTS_KEPT_AS, kept_digests
from civicgraph.graph.terms import Lit, PlainTriple, Term
from civicgraph.shacl import engine, scoped
from civicgraph.shacl.compiler import compile_shapes
from civicgraph.shacl.shapes import CompiledShapes, Finding
from civicgraph.shacl.terms import show, term_from_rdflib
from civicgraph.shacl.validate import _compiled_default_shapes
from civicgraph.util.folders import beside
from civicgraph.util.iris import RDF_LANG_STRING

from ..conftest import BASE
from .test_shacl_fast import (
    CG,
    INJECTIONS,
    Injection,
    _copy,
    _figure_not_listed,
    _instances,
    _literal_period,
    _organisation_as_publisher,
    synthetic,  # noqa: F401  (the fixture)
)

SHAPES = "https://w3id.org/civicgraph/shapes#"
Shown = set[tuple[str, str, str]]  # (focus, shape without the cgsh: namespace, constraint component's local name)


@pytest.fixture(scope="module")
def shapes() -> CompiledShapes:
    return _compiled_default_shapes()


def plain(graph: Graph) -> list[PlainTriple]:
    """The graph's triples in plain terms, sorted by subject as a built graph's are (each subject's together)."""
    triples = [(str(s), str(p), term_from_rdflib(o)) for s, p, o in graph]
    return sorted(triples, key=lambda triple: (triple[0], triple[1], show(triple[2])))


def digests(triples: Iterable[PlainTriple]) -> dict[str, bytes]:
    """A digest of each subject's triples: equal for equal triples, as the build's are."""
    by_subject: dict[str, list[str]] = {}
    for subject, predicate, obj in triples:
        by_subject.setdefault(subject, []).append(repr((predicate, obj)))
    return {
        subject: hashlib.sha256("\n".join(sorted(lines)).encode()).digest() for subject, lines in by_subject.items()
    }


def focus(node: Term) -> str:
    """A focus node as a result names it: an IRI, or a literal's lexical form."""
    return node.lexical if isinstance(node, Lit) else node


def shown(findings: Iterable[Finding]) -> Shown:
    return {(focus(f.focus), f.shape.name.removeprefix(SHAPES), f.component.split("#")[1]) for f in findings}


def kept_beside(folder: Path, triples: list[PlainTriple], shapes: CompiledShapes) -> list[Finding]:
    """Validate ``triples`` whole and keep what a build into ``folder`` keeps beside it: the validation's and the
    subjects' digests. The findings."""
    found, kept = scoped.validated(triples, digests(triples), shapes, None)
    beside(folder, scoped.KEPT_AS).write_bytes(kept)
    beside(folder, DIGESTS_KEPT_AS).write_bytes(kept_digests(digests(triples)))
    return found


@pytest.fixture
def kept_clean(synthetic: Graph, shapes: CompiledShapes, tmp_path: Path) -> Path:  # noqa: F811
    """A release folder beside which the conforming synthetic graph's validation is kept, as a build keeps it."""
    folder = tmp_path / "dist"
    assert kept_beside(folder, plain(synthetic), shapes) == []
    return folder


class Validations:
    """The focus nodes each validation run by the engine was given: None for the whole graph."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.given: list[frozenset[Term] | None] = []
        validate = engine.validate

        def recorded(triples: Any, shapes: CompiledShapes, only: Any = None) -> list[Finding]:
            self.given.append(None if only is None else frozenset(only))
            return validate(triples, shapes, only)

        monkeypatch.setattr(engine, "validate", recorded)


def validated_since(
    folder: Path, triples: list[PlainTriple], shapes: CompiledShapes, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Finding], list[frozenset[Term] | None]]:
    """``triples`` validated since what ``folder`` keeps, and the focus nodes each engine run was given."""
    earlier = scoped.earlier_validation(folder, shapes)
    assert earlier is not None
    runs = Validations(monkeypatch)
    found, _kept = scoped.validated(triples, digests(triples), shapes, earlier)
    return found, list(runs.given)  # a copy: the engine's runs after this one are not this one's


@pytest.mark.parametrize("inject", INJECTIONS, ids=[inject.__name__.strip("_") for inject in INJECTIONS])
def test_each_injected_violation_is_found_by_validating_only_what_the_change_reaches(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    kept_clean: Path,
    monkeypatch: pytest.MonkeyPatch,
    inject: Injection,
) -> None:
    """From the conforming graph's validation kept, each of test_shacl_fast's injected violations gives the
    results it names there, and exactly those of validating the whole changed graph, with one engine run on a few
    of the graph's focus nodes."""
    data = _copy(synthetic)
    expected = inject(data)
    changed = plain(data)
    found, runs = validated_since(kept_clean, changed, shapes, monkeypatch)
    assert expected <= shown(found)  # what test_shacl_fast names: some injections give more results
    assert shown(found) == shown(engine.validate(changed, shapes))
    [only] = runs  # one run, of the focus nodes the change reaches: never the whole graph
    assert only is not None
    assert {node for node, _shape, _component in expected} <= {focus(node) for node in only}
    # A change to a node many refer to (a year's period) reaches many focus nodes, a report's few.
    assert len(only) * 2 < len(digests(changed))


def test_a_result_on_a_node_that_did_not_change_is_found_through_the_inverse_path(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    kept_clean: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Removing an activity's cg:hasFigure changes the activity's triples only; the figure's result
    (cgsh:FigureShape-listed, read by ^cg:hasFigure) is found from the triple the activity had, as kept."""
    data = _copy(synthetic)
    [(figure, _shape, _component)] = _figure_not_listed(data)
    changed = plain(data)
    before, after = digests(plain(synthetic)), digests(changed)
    assert figure not in {subject for subject in after if before.get(subject) != after[subject]}
    found, [only] = validated_since(kept_clean, changed, shapes, monkeypatch)
    assert shown(found) == {(figure, "FigureShape-listed", "EqualsConstraintComponent")}
    assert only is not None and figure in only


def test_a_class_result_is_found_on_the_node_that_refers_to_the_changed_one(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    kept_clean: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A national organisation that loses its type changes no membership's triples, yet each membership of it
    now violates sh:class (cgsh:MembershipShape-organization): followed back along org:organization."""
    data = _copy(synthetic)
    of_organisation = URIRef("http://www.w3.org/ns/org#organization")
    organisation = max(
        _instances(data, CG + "NationalOrganisation"), key=lambda o: len(set(data.subjects(of_organisation, o)))
    )
    data.remove((organisation, None, URIRef(CG + "NationalOrganisation")))
    memberships = {str(m) for m in data.subjects(of_organisation, organisation)}
    assert len(memberships) >= 2
    changed = plain(data)
    found, [only] = validated_since(kept_clean, changed, shapes, monkeypatch)
    assert only is not None and memberships <= only
    expected = {(m, "MembershipShape-organization", "ClassConstraintComponent") for m in memberships}
    assert expected <= shown(found)
    assert shown(found) == shown(engine.validate(changed, shapes))


def test_a_subject_gone_is_found_on_the_node_that_still_refers_to_it(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    kept_clean: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A figure removed whole (the graph has one subject fewer): the activity listing it, which did not change,
    now points with cg:hasFigure at a node that is no cg:Figure (cgsh:ActivityShape-hasFigure)."""
    data = _copy(synthetic)
    activity = _instances(data, CG + "Activity", having=CG + "hasFigure")[0]
    figure = data.value(activity, URIRef(CG + "hasFigure"))
    data.remove((figure, None, None))
    changed = plain(data)
    assert str(figure) not in digests(changed) and str(activity) in digests(changed)
    found, [only] = validated_since(kept_clean, changed, shapes, monkeypatch)
    assert (str(activity), "ActivityShape-hasFigure", "ClassConstraintComponent") in shown(found)
    assert shown(found) == shown(engine.validate(changed, shapes))
    assert only is not None and {str(activity), str(figure)} <= only


def test_a_change_back_drops_the_earlier_results_and_an_unchanged_graph_keeps_them(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From a graph with violations kept: the same graph gives the same results with no focus node validated
    again; the graph corrected gives none."""
    folder = tmp_path / "dist"
    data = _copy(synthetic)
    expected = _organisation_as_publisher(data) | _literal_period(data)
    earlier = shown(kept_beside(folder, plain(data), shapes))
    assert expected <= earlier
    found, [only] = validated_since(folder, plain(data), shapes, monkeypatch)
    assert shown(found) == earlier
    assert only == frozenset()
    found, [only] = validated_since(folder, plain(synthetic), shapes, monkeypatch)
    assert found == []
    assert only is not None and "2023" not in only  # the literal was a focus node only through the triple gone


def test_a_change_of_class_hierarchy_or_of_many_subjects_is_validated_whole(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    kept_clean: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = _instances(synthetic, CG + "Report")[0]
    data = _copy(synthetic)
    data.add((report, RDFS.subClassOf, URIRef(CG + "Report")))
    found, runs = validated_since(kept_clean, plain(data), shapes, monkeypatch)
    assert runs == [None]
    assert shown(found) == shown(engine.validate(plain(data), shapes))

    data = _copy(synthetic)
    activities = _instances(data, CG + "Activity")
    subjects = len(digests(plain(data)))
    assert len(activities) * 32 > subjects  # more than 1 in 32 subjects changed
    for activity in activities:
        data.add((activity, RDFS.comment, Literal("zmienione", lang="pl")))
    _found, runs = validated_since(kept_clean, plain(data), shapes, monkeypatch)
    assert runs == [None]


def test_what_other_code_or_another_graph_kept_is_not_taken(
    synthetic: Graph,  # noqa: F811
    shapes: CompiledShapes,
    kept_clean: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    triples = plain(synthetic)
    assert scoped.earlier_validation(kept_clean, shapes) is not None and scoped.kept_fits(kept_clean)
    assert scoped.earlier_validation(kept_clean.parent / "other", shapes) is None  # nothing kept there
    assert not scoped.kept_fits(kept_clean.parent / "other")

    digests_file = beside(kept_clean, DIGESTS_KEPT_AS)
    kept = digests_file.read_bytes()
    digests_file.write_bytes(kept_digests(digests(triples[1:])))  # another graph's digests
    assert scoped.earlier_validation(kept_clean, shapes) is None and not scoped.kept_fits(kept_clean)
    digests_file.write_bytes(kept)

    validation = beside(kept_clean, scoped.KEPT_AS)
    with monkeypatch.context() as patched:
        patched.setattr(scoped, "code_digest", lambda: "0" * 64)
        assert scoped.earlier_validation(kept_clean, shapes) is None and not scoped.kept_fits(kept_clean)
    validation.write_bytes(validation.read_bytes()[:-10])  # cut short
    assert scoped.earlier_validation(kept_clean, shapes) is None


def test_builds_into_a_release_report_what_a_whole_validation_reports(data_copy: Path, tmp_path: Path) -> None:
    """``civicgraph build`` into its earlier release, after a change that makes a warning and after the change is
    undone: the results printed are the whole graph's, the second and later builds validating only what changed."""
    out = tmp_path / "dist"
    members = data_copy / "members.yaml"
    text = members.read_text(encoding="utf-8")
    old = "  name: {pl: Województwo Wielkopolskie, en: Greater Poland Voivodeship}"
    without = text.replace(old, "  name: {pl: Województwo Wielkopolskie}")
    line = text[: text.index('"30":')].count("\n") + 1
    warning = [
        f"{BASE}member/30  (source: {members}:{line})",
        "  - warning: An English name of the local government (skos:prefLabel @en) is recommended. "
        "[property: http://www.w3.org/2004/02/skos/core#prefLabel]",
        "0 violations, 1 warnings",
    ]

    def build() -> list[str]:
        result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data_copy), "--out", str(out)])
        assert result.exit_code == 0, result.output
        lines = result.stderr.splitlines()
        return lines[: next(n for n, line in enumerate(lines) if line.startswith(("warning: publish_url", "wrote ")))]

    assert build() == []  # a first build: no subjects' digests
    assert build() == []  # into it: validated whole, and kept
    assert beside(out, scoped.KEPT_AS).is_file()
    members.write_text(without, encoding="utf-8")
    assert build()[:3] == warning
    assert build()[:3] == warning  # nothing changed: the earlier results
    members.write_text(text, encoding="utf-8")
    assert build() == []


# Shapes reading along an inverse path, which civicgraph's own data always pairs with a link back (a figure is
# cg:figureOf the activity that lists it): here alone, so that only the inverse path finds what a change reaches.
EX = "http://example.org/"
INVERSE_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:ListedShape a sh:NodeShape ;
    sh:targetClass ex:Figure ;
    sh:property ex:ListedShape-by , ex:ListedShape-member .
ex:ListedShape-by a sh:PropertyShape ;
    sh:path [ sh:inversePath ex:has ] ;
    sh:minCount 1 ;
    sh:class ex:Activity ;
    sh:message "Wymieniona przez działanie."@pl , "Listed by an activity."@en .
ex:ListedShape-member a sh:PropertyShape ;
    sh:path ( [ sh:inversePath ex:has ] ex:member ) ;
    sh:class ex:Member ;
    sh:message "Działania członka."@pl , "Of a member's activity."@en .
"""
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ACTIVITY, FIGURE, MEMBER = EX + "activity", EX + "figure", EX + "member/1"


def _inverse_graph(*, listed: bool = True, member_typed: bool = True, figure_noted: bool = False) -> list[PlainTriple]:
    """A figure an activity lists (ex:has), the activity's member, and 40 nodes besides: one in 43 changes."""
    title = Lit("Działanie", RDF_LANG_STRING, "pl")
    triples = [(FIGURE, TYPE, EX + "Figure"), (ACTIVITY, TYPE, EX + "Activity"), (ACTIVITY, EX + "member", MEMBER)]
    triples += [(f"{EX}other/{number:02}", EX + "title", title) for number in range(40)]
    triples += [(ACTIVITY, EX + "has", FIGURE)] if listed else []
    triples += [(MEMBER, TYPE, EX + "Member")] if member_typed else [(MEMBER, EX + "title", title)]
    triples += [(FIGURE, EX + "note", title)] if figure_noted else []
    return sorted(triples, key=lambda triple: (triple[0], triple[1], show(triple[2])))


@pytest.mark.parametrize(
    ("change", "found", "validated_again"),
    [
        ({"listed": False}, {(FIGURE, "ListedShape-by", "MinCountConstraintComponent")}, {FIGURE, ACTIVITY}),
        (
            {"member_typed": False},
            {(FIGURE, "ListedShape-member", "ClassConstraintComponent")},
            {FIGURE, ACTIVITY, MEMBER},
        ),
        ({"figure_noted": True}, set(), {FIGURE}),
    ],
    ids=["the listing triple removed", "the class two steps away removed", "the figure itself changed"],
)
def test_what_an_inverse_path_reads_is_validated_again_and_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, bool],
    found: set[tuple[str, str, str]],
    validated_again: set[str],
) -> None:
    """The figure has no triple to the activity. Removing the activity's ex:has is found from the triple the
    activity had (kept from the earlier graph); a changed member is followed back along ex:member, then along
    ^ex:has to the figure; a changed figure is validated against the activity and member its paths read."""
    shapes = compile_shapes(Graph().parse(data=INVERSE_SHAPES, format="turtle"))
    folder = tmp_path / "dist"
    assert kept_beside(folder, _inverse_graph(), shapes) == []
    changed = _inverse_graph(**change)
    results, [only] = validated_since(folder, changed, shapes, monkeypatch)
    assert {(node, shape.removeprefix(EX), component) for node, shape, component in shown(results)} == found
    assert only == validated_again
