"""The index the writers read the graph through: what lies under a resource by IRI path, and each subject's
triples."""

from __future__ import annotations

import re

import pytest

from civicgraph.graph.terms import Blank, Lit
from civicgraph.publish.release import GraphIndex
from civicgraph.util.iris import RDF_TYPE, XSD_STRING

BASE = "https://example.org/id/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUBJECTS = [
    "report/1/2023",
    "report/1/2023-draft",  # "-" sorts before "/": not under report/1/2023
    "report/1/2023.v2",
    "report/1/2023/activity/a",
    "report/1/2023/activity/a/figure/f",
    "report/1/2023/during/start",  # under it through report/1/2023/during, which is no subject
    "report/1/20230",  # "0" sorts after "/": not under report/1/2023
    "report/10/2023",
]


def _index(subjects: list[str]) -> GraphIndex:
    return GraphIndex.of([(BASE + s, LABEL, Lit(s, XSD_STRING, None)) for s in subjects], BASE)


def test_under_a_subject_are_the_subjects_that_extend_its_iri_by_a_path() -> None:
    assert _index(SUBJECTS).under(BASE + "report/1/2023") == [
        BASE + "report/1/2023",
        BASE + "report/1/2023/activity/a",
        BASE + "report/1/2023/activity/a/figure/f",
        BASE + "report/1/2023/during/start",
    ]
    assert _index(SUBJECTS).under(BASE + "report/1/2023/activity/a/figure/f") == [
        BASE + "report/1/2023/activity/a/figure/f"
    ]


def test_the_order_the_triples_come_in_does_not_change_what_is_under_a_subject() -> None:
    assert _index(list(reversed(SUBJECTS))).under(BASE + "report/1/2023") == _index(SUBJECTS).under(
        BASE + "report/1/2023"
    )


def test_nothing_is_under_an_iri_that_is_no_subject_or_lies_outside_the_base() -> None:
    index = _index([*SUBJECTS, "http://example.com/elsewhere"])
    assert index.under(BASE + "report/1/2023/during") == []
    assert index.under(BASE + "report/1") == []
    assert index.under(BASE) == []
    assert index.under("http://example.com/elsewhere") == []


THING = "https://example.org/Thing"
TRIPLES = [
    (BASE + "a", RDF_TYPE, THING),
    (BASE + "a", LABEL, Lit("a", XSD_STRING, None)),
    (BASE + "a", LABEL, Lit("ą", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "pl")),
    (BASE + "b", LABEL, Lit("a", XSD_STRING, None)),  # the same literal as a's
    (BASE + "b", "https://example.org/next", BASE + "a"),
]


def test_a_subjects_triples_are_its_run_of_the_triples_given() -> None:
    index = GraphIndex.of(TRIPLES, BASE)
    assert index.triples_of(BASE + "a") == TRIPLES[:3]
    assert index.triples_of(BASE + "b") == TRIPLES[3:]
    assert index.triples_of(THING) == ()  # an object, no subject
    assert index.referrers(BASE + "a", "https://example.org/next") == [BASE + "b"]


def test_the_values_are_the_triples_own_terms_and_the_types_are_indexed() -> None:
    index = GraphIndex.of(TRIPLES, BASE)
    assert index.objects(BASE + "a", RDF_TYPE) == [THING]
    assert index.objects(BASE + "a", RDF_TYPE)[0] is TRIPLES[0][2]  # the triple's own str, not a copy
    assert index.objects(BASE + "a", LABEL) == [TRIPLES[1][2], TRIPLES[2][2]]
    assert index.iris(BASE + "b", "https://example.org/next") == [BASE + "a"]
    assert index.literal(BASE + "a", LABEL) == "a"  # the first
    assert index.literal(BASE + "a", LABEL, "pl") == "ą" and index.literal(BASE + "a", LABEL, "en") == "ą"  # Polish
    assert index.types(BASE + "a") == [THING] and index.types(BASE + "b") == []
    assert index.of_type(THING) == [BASE + "a"] and index.has_type(BASE + "a", THING)
    assert index.referrers(THING, RDF_TYPE) == []  # a type is no incoming link


def test_triples_whose_subjects_do_not_follow_each_other_are_refused() -> None:
    with pytest.raises(ValueError, match=re.escape(f"the triples of {BASE}a do not follow each other")):
        GraphIndex.of([*TRIPLES, (BASE + "a", LABEL, Lit("again", XSD_STRING, None))], BASE)


def test_a_blank_node_is_refused_as_subject_and_as_object() -> None:
    with pytest.raises(ValueError, match="a blank node as a subject"):
        GraphIndex.of([(Blank("b0"), LABEL, Lit("x", XSD_STRING, None))], BASE)
    with pytest.raises(ValueError, match="a blank node as an object"):
        GraphIndex.of([(BASE + "a", LABEL, Blank("b0"))], BASE)


def test_the_subjects_of_a_type_come_sorted_whatever_the_order_of_the_triples() -> None:
    triples = [(BASE + s, RDF_TYPE, THING) for s in ("b", "a/1", "a")]
    assert GraphIndex.of(triples, BASE).of_type(THING) == [BASE + "a", BASE + "a/1", BASE + "b"]
    assert GraphIndex.of(triples, BASE).of_type("https://example.org/Other") == []


def test_a_subjects_properties_are_grouped_when_first_asked_for_and_then_kept() -> None:
    index = GraphIndex.of(TRIPLES, BASE, grouped_now=False)
    assert index.grouped == {}
    assert index.label(BASE + "b", "en") == "a"
    assert list(index.grouped) == [BASE + "b"]  # the subject asked for, no other
    properties = index.properties(BASE + "a")
    assert properties == {RDF_TYPE: [THING], LABEL: [TRIPLES[1][2], TRIPLES[2][2]]}
    assert index.properties(BASE + "a") is properties
    assert index.properties(THING) is None and THING not in index.grouped  # an object, no subject
    assert list(index.subjects) == [BASE + "a", BASE + "b"]


def test_an_index_grouped_now_has_every_subjects_properties_as_one_grouped_when_asked() -> None:
    grouped = GraphIndex.of(TRIPLES, BASE).grouped
    assert grouped == {
        BASE + "a": {RDF_TYPE: [THING], LABEL: [TRIPLES[1][2], TRIPLES[2][2]]},
        BASE + "b": {LABEL: [TRIPLES[3][2]], "https://example.org/next": [BASE + "a"]},
    }
    asked = GraphIndex.of(TRIPLES, BASE, grouped_now=False)
    assert {subject: asked.properties(subject) for subject in asked.subjects} == grouped
