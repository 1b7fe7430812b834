"""The JSON-LD writer: the same document whatever the order of the triples, one line per node of ``@graph``."""

from __future__ import annotations

import json
import random
from pathlib import Path

from civicgraph.build import BuiltGraph
from civicgraph.jsonld import compact_document

from .conftest import BASE


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
