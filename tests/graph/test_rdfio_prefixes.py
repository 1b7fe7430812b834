"""The prefixes a written Turtle file declares, read back from its head, and an own N-Triples file written again as
RDF/XML."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from civicgraph.graph.rdfio import (
    declared_prefixes,
    write_ntriples,
    write_own_ntriples_as_rdfxml,
    write_rdfxml,
    write_turtle,
)

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


def test_an_own_ntriples_file_is_written_as_rdfxml_of_its_triples_in_the_order_of_its_lines(tmp_path: Path) -> None:
    write_ntriples(TRIPLES, tmp_path / "member.nt")
    prefixes = {"dct": "http://purl.org/dc/terms/", "org": "http://www.w3.org/ns/org#"}
    write_own_ntriples_as_rdfxml(tmp_path / "member.nt", tmp_path / "member.rdf", prefixes)
    # N-Triples lines sort by subject, then predicate: <http://purl.org/…title> before <http://www.w3.org/…memberOf>
    write_rdfxml([TRIPLES[1], TRIPLES[0]], tmp_path / "expected.rdf", prefixes)
    written = (tmp_path / "member.rdf").read_text(encoding="utf-8")
    assert written == (tmp_path / "expected.rdf").read_text(encoding="utf-8")
    assert written.index("<dct:title") < written.index("<org:memberOf")
