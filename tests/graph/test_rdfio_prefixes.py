"""The prefixes a written Turtle file declares, read back from its head, and an own N-Triples file read back."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from civicgraph.graph.rdfio import declared_prefixes, read_own_ntriples, write_ntriples, write_turtle

MEMBER = ox.NamedNode("https://w3id.org/civicgraph/id/member/3064011")
TRIPLES = [
    ox.Triple(MEMBER, ox.NamedNode("http://www.w3.org/ns/org#memberOf"), ox.NamedNode("http://example.org/zmp")),
    ox.Triple(MEMBER, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Miasto Poznań", language="pl")),
]


def test_the_prefixes_a_turtle_file_declares_are_those_it_was_written_with(tmp_path: Path) -> None:
    prefixes = {"dct": "http://purl.org/dc/terms/", "ex": "http://example.org/", "org": "http://www.w3.org/ns/org#"}
    write_turtle(TRIPLES, tmp_path / "member.ttl", prefixes=prefixes)
    assert declared_prefixes(tmp_path / "member.ttl") == prefixes


def test_a_turtle_file_without_prefixes_declares_none(tmp_path: Path) -> None:
    write_turtle(TRIPLES, tmp_path / "member.ttl", prefixes={})
    assert declared_prefixes(tmp_path / "member.ttl") == {}


def test_an_own_ntriples_file_reads_back_as_its_triples_in_the_order_of_its_lines(tmp_path: Path) -> None:
    write_ntriples(TRIPLES, tmp_path / "member.nt")
    # N-Triples lines sort by subject, then predicate: <http://purl.org/…title> before <http://www.w3.org/…memberOf>
    assert read_own_ntriples(tmp_path / "member.nt") == [TRIPLES[1], TRIPLES[0]]
