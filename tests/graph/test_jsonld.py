"""The JSON-LD writer: the same document whatever the order of the triples, one line per node of ``@graph``."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from civicgraph.graph import jsonld
from civicgraph.graph.build import BuiltGraph
from civicgraph.graph.jsonld import compact_document
from civicgraph.graph.terms import Lit, PlainTriple
from civicgraph.util import parallel
from civicgraph.util.iris import RDF_TYPE

from ..conftest import BASE


def test_the_order_of_the_triples_does_not_change_the_document(built: BuiltGraph) -> None:
    shuffled = list(built.plain)
    random.Random(4).shuffle(shuffled)
    as_built = json.dumps(compact_document(built.plain, BASE))  # as text: the order of every node's keys counts
    assert json.dumps(compact_document(shuffled, BASE)) == as_built
    assert json.dumps(compact_document(shuffled[::-1], BASE)) == as_built


def node_objects(value: Any) -> list[dict[str, Any]]:
    """Every node object in a compacted document's graph, nested ones too (value objects and language maps aside)."""
    if isinstance(value, list):
        return [node for item in value for node in node_objects(item)]
    if not isinstance(value, dict):
        return []
    own = [value] if "id" in value else []
    return own + [node for key, item in value.items() if key != "@context" for node in node_objects(item)]


def test_every_node_gives_its_types_then_its_id_before_its_other_keys(dist: Path) -> None:
    """The W3C JSON-LD streaming note's document form: a node's @type (here "type", its alias in the published
    context) before its other keys, and @id first of those."""
    graph = json.loads((dist / "graph.jsonld").read_text(encoding="utf-8"))["@graph"]
    starts = {tuple(list(node)[:2]) if "type" in node else (next(iter(node)),) for node in node_objects(graph)}
    assert starts == {("type", "id"), ("id",)}  # ("id",): a reference, {"id": …}
    nested = [node for top in graph for node in node_objects(list(top.values()))]
    assert nested and all(list(node)[:2] == ["type", "id"] for node in nested if len(node) > 1)  # figures, …


def test_a_node_without_a_type_starts_with_its_id_and_one_typed_late_is_put_in_order() -> None:
    untyped: list[PlainTriple] = [(f"{BASE}a", "http://purl.org/dc/terms/title", Lit("a", "", "pl"))]
    typed_late: list[PlainTriple] = [*untyped, (f"{BASE}a", RDF_TYPE, "https://w3id.org/civicgraph/ontology#Report")]
    assert json.dumps(compact_document(untyped, BASE)["@graph"]) == '[{"id": "a", "title": {"pl": "a"}}]'
    assert json.dumps(compact_document(typed_late, BASE)["@graph"]) == (
        '[{"type": "cg:Report", "id": "a", "title": {"pl": "a"}}]'
    )


def test_each_node_of_the_graph_is_one_line(dist: Path) -> None:
    text = (dist / "graph.jsonld").read_text(encoding="utf-8")
    document = json.loads(text)
    lines = text.splitlines()
    assert lines[1] == '"@graph":['
    assert lines[-1] == "]}"
    node_lines = lines[2:-1]
    assert [json.loads(line.removesuffix(",")) for line in node_lines] == document["@graph"]
    assert all(line.endswith(",") for line in node_lines[:-1])


@pytest.fixture
def in_two(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every graph written by two processes, also on a one-core machine; the list counts the forks."""
    forks: list[int] = []
    forked = parallel.forked

    def counted(work: Any) -> Any:
        forks.append(1)
        return forked(work)

    monkeypatch.setattr(jsonld, "PARALLEL_MINIMUM", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "forked", counted)
    return forks


def test_two_processes_write_the_same_bytes_as_one(
    built: BuiltGraph, dist: Path, in_two: list[int], tmp_path: Path
) -> None:
    jsonld.write_jsonld(built.plain, tmp_path / "graph.jsonld", BASE)
    assert in_two == [1]
    assert (tmp_path / "graph.jsonld").read_bytes() == (dist / "graph.jsonld").read_bytes()
    assert [path.name for path in tmp_path.iterdir()] == ["graph.jsonld"]  # the child's part is gone


def test_the_cut_leaves_no_nested_node_on_the_other_side(built: BuiltGraph) -> None:
    cut = jsonld._cut(built.plain)
    assert cut is not None and built.plain[cut - 1][0] != built.plain[cut][0]
    before = {subject for subject, _p, _o in built.plain[:cut]}
    after = {subject for subject, _p, _o in built.plain[cut:]}
    assert [(s, x) for s in before for x in after if x.startswith(s + "/")] == []


def test_a_cut_between_a_node_and_its_children_is_refused() -> None:
    """ "a/c" nests in "a", and "a-b" sorts between them: the cut, searched from the middle ("a-b"), is at "d"."""
    names = ("0", "a", "a-b", "a/c", "d")
    triples = [(f"{BASE}{name}", RDF_TYPE, "https://example.org/C") for name in names]
    assert jsonld._cut(triples) == names.index("d")


def test_triples_out_of_order_are_written_by_one_process_as_sorted(
    built: BuiltGraph, dist: Path, in_two: list[int], tmp_path: Path
) -> None:
    shuffled = list(built.plain)
    random.Random(7).shuffle(shuffled)
    jsonld.write_jsonld(shuffled, tmp_path / "graph.jsonld", BASE)
    assert in_two == [1]  # tried, and given up when the halves turned out not to be sorted
    assert (tmp_path / "graph.jsonld").read_bytes() == (dist / "graph.jsonld").read_bytes()
    assert [path.name for path in tmp_path.iterdir()] == ["graph.jsonld"]


@pytest.mark.parametrize(
    ("identifier", "iri"),
    [
        ("member/3064011", f"{BASE}member/3064011"),  # relative to @base
        ("member/a:b", f"{BASE}member/a:b"),  # a colon after a "/": no scheme, still relative
        ("cgv:hedge/about", "https://w3id.org/civicgraph/vocab/hedge/about"),  # a prefix of the context
        ("urn:example:x", "urn:example:x"),  # an absolute IRI, no prefix of the context
        # not as the writer writes these IRIs: "wd:Q1", and a bare namespace is never cut to its prefix
        ("http://www.wikidata.org/entity/Q1", None),
        ("cg:", None),
    ],
)
def test_the_iri_of_a_node_is_read_back_from_its_id(identifier: str, iri: str | None) -> None:
    assert jsonld.iri_of_node(BASE)(identifier) == iri
