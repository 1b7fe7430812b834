"""An edition's N-Triples written with its triples given back in the order of the file's lines, from which its
page's RDF/XML is written: it must read as the file does."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from civicgraph.graph.rdfio import write_few_ntriples, write_ntriples, write_rdfxml

MEMBER = ox.NamedNode("https://w3id.org/civicgraph/id/member/3064011")
TRIPLES = [
    ox.Triple(MEMBER, ox.NamedNode("http://www.w3.org/ns/org#memberOf"), ox.NamedNode("http://example.org/zmp")),
    ox.Triple(MEMBER, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Miasto Poznań", language="pl")),
    ox.Triple(ox.NamedNode("http://example.org/zmp"), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Z")),
]


def test_few_ntriples_are_the_sorted_lines_and_come_back_in_their_order(tmp_path: Path) -> None:
    in_lines = write_few_ntriples(TRIPLES, tmp_path / "few.nt")
    # Lines sort by subject, then predicate: example.org before w3id.org, …/dc/terms/title before …/ns/org#memberOf
    assert (tmp_path / "few.nt").read_text(encoding="utf-8") == (
        '<http://example.org/zmp> <http://purl.org/dc/terms/title> "Z" .\n'
        '<https://w3id.org/civicgraph/id/member/3064011> <http://purl.org/dc/terms/title> "Miasto Poznań"@pl .\n'
        "<https://w3id.org/civicgraph/id/member/3064011> <http://www.w3.org/ns/org#memberOf> "
        "<http://example.org/zmp> .\n"
    )
    assert in_lines == [TRIPLES[2], TRIPLES[1], TRIPLES[0]]
    write_ntriples(TRIPLES, tmp_path / "many.nt")
    assert (tmp_path / "few.nt").read_bytes() == (tmp_path / "many.nt").read_bytes()


def test_rdfxml_of_the_triples_in_line_order_is_that_of_the_file_read_back(tmp_path: Path) -> None:
    prefixes = {"dct": "http://purl.org/dc/terms/", "org": "http://www.w3.org/ns/org#"}
    write_rdfxml(write_few_ntriples(TRIPLES, tmp_path / "few.nt"), tmp_path / "written.rdf", prefixes)
    read_back = list(ox.parse(path=str(tmp_path / "few.nt"), format=ox.RdfFormat.N_TRIPLES))
    write_rdfxml(read_back, tmp_path / "read.rdf", prefixes)
    written = (tmp_path / "written.rdf").read_text(encoding="utf-8")
    assert written == (tmp_path / "read.rdf").read_text(encoding="utf-8")
    assert written.index("<dct:title") < written.index("<org:memberOf")


def test_no_triples_make_an_empty_file(tmp_path: Path) -> None:
    assert write_few_ntriples([], tmp_path / "none.nt") == []
    assert (tmp_path / "none.nt").read_bytes() == b""
