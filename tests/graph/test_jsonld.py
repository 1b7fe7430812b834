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
from civicgraph.util import parallel
from civicgraph.util.iris import RDF_TYPE

from ..conftest import BASE


def test_the_order_of_the_triples_does_not_change_the_document(built: BuiltGraph) -> None:
    shuffled = list(built.plain)
    random.Random(4).shuffle(shuffled)
    assert compact_document(shuffled, BASE) == compact_document(built.plain, BASE)
    assert compact_document(shuffled[::-1], BASE) == compact_document(built.plain, BASE)


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
