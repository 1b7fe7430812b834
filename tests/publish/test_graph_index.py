"""The index the writers read the graph through: what lies under a resource by IRI path."""

from __future__ import annotations

import pyoxigraph as ox

from civicgraph.publish.release import GraphIndex

BASE = "https://example.org/id/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
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
    triples = [ox.Triple(ox.NamedNode(BASE + s), LABEL, ox.Literal(s)) for s in subjects]
    return GraphIndex.of(triples, BASE)


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
