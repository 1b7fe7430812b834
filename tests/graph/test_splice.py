"""A serialization spliced from an earlier one is byte for byte the serialization of the new triples, as Oxigraph
(or the catalogue's JSON-LD writer) writes them whole: with blocks changed, added and removed at the start, in
the middle and at the end, in Turtle, N-Triples with sorted lines, RDF/XML and flat JSON-LD. An earlier file
that does not fit what the caller says is refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from civicgraph.graph import splice as splice_module
from civicgraph.graph.rdfio import rdfxml_of, sorted_ntriples_of, turtle_of
from civicgraph.graph.splice import (
    NTRIPLES,
    RDFXML,
    Blocks,
    DoesNotFit,
    Syntax,
    flat_jsonld,
    splice,
    splice_file,
    turtle,
)
from civicgraph.publish.catalog import Catalog, _Triples, flat_jsonld_of, node_triples

EX, VOC = "http://example.org/", "http://vocab.example/"
PREFIXES = {"ex": EX, "voc": VOC}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Subjects that sort apart differently in lines ("<…/s>" after "<…/s/x>") and as IRIs, one written with an
# escaped local name in Turtle ("ex:s\/x"), one with no prefix, one a vocabulary term.
SUBJECTS = [
    f"{EX}s",
    f"{EX}s/x",
    f"{EX}a&b",
    "https://other.example/z",
    f"{VOC}Term",
    *(f"{EX}n{i}" for i in range(12)),
]
UNTYPED = f"{EX}n5"


def catalog_of(subjects: list[str], changed: set[str]) -> Catalog:
    """Three triples per subject, a label with a line break, '&' and '<' in it; ``changed`` ones labelled anew. One
    subject has no type (a JSON-LD node then starts with its identifier, the others with their types)."""
    named = ox.NamedNode
    triples = _Triples(named)
    for subject in subjects:
        version = "v2" if subject in changed else "v1"
        if subject != UNTYPED:
            triples.add(subject, RDF_TYPE, named(f"{VOC}Thing"))
        triples.add(subject, f"{VOC}label", ox.Literal(f"{subject} {version}\nline & <b>", language="pl"))
        triples.add(subject, f"{VOC}link", named(f"{EX}n0"))
    return Catalog(triples, {3: _Triples(named)})


Writer = Callable[[Catalog], bytes]
WRITERS: dict[str, tuple[Syntax, Writer]] = {
    "Turtle": (turtle(PREFIXES), lambda c: turtle_of(node_triples(c.nodes(3)), PREFIXES)),
    "N-Triples": (NTRIPLES, lambda c: sorted_ntriples_of(node_triples(c.nodes(3)))),
    "RDF/XML": (RDFXML, lambda c: rdfxml_of(node_triples(c.nodes(3)), PREFIXES)),
    "flat JSON-LD": (flat_jsonld(PREFIXES), lambda c: flat_jsonld_of(c.nodes(3), PREFIXES)),
}

CHANGES = {
    "first and last changed": (SUBJECTS, SUBJECTS, {f"{EX}a&b", "https://other.example/z"}),
    "middle changed": (SUBJECTS, SUBJECTS, {f"{EX}n5", f"{EX}s"}),
    "added first, in between and last": (SUBJECTS[1:-1], SUBJECTS[:5] + SUBJECTS[6:], set()),
    "removed first, in between and last": (SUBJECTS, SUBJECTS[1:5] + SUBJECTS[6:-1], set()),
    "removed and added beside each other": (SUBJECTS[:8], SUBJECTS[:3] + SUBJECTS[8:], {f"{EX}s"}),
}


@pytest.mark.parametrize("syntax_name", WRITERS)
@pytest.mark.parametrize("change", CHANGES)
def test_a_spliced_serialization_is_the_whole_serialization_of_the_new_triples(syntax_name: str, change: str) -> None:
    syntax, write = WRITERS[syntax_name]
    before, after, changed = CHANGES[change]
    earlier = write(catalog_of(before, set()))
    # The blocks made anew: the changed and the added subjects, with one subject every build writes (n7).
    made_subjects = sorted((changed | (set(after) - set(before)) | {f"{EX}n7"}) & set(after))
    dropped = (changed | (set(before) - set(after)) | {f"{EX}n7"}) & set(before)
    made = write(catalog_of(made_subjects, changed))

    spliced = io.BytesIO()
    splice(Blocks(earlier, syntax), Blocks(made, syntax), dropped, made_subjects, spliced)

    assert spliced.getvalue() == write(catalog_of(after, changed))


@pytest.mark.parametrize("syntax_name", WRITERS)
def test_blocks_removed_with_none_made_give_the_whole_serialization_of_the_rest(syntax_name: str) -> None:
    """A report removed that leaves every other subject as it was drops blocks and makes none: what the writer
    gives for no triple still carries the header and footer the earlier file's are compared with (Oxigraph writes
    no Turtle prefix lines for no triple; ``turtle_of`` gives them)."""
    syntax, write = WRITERS[syntax_name]
    after = SUBJECTS[1:5] + SUBJECTS[6:-1]
    earlier, made = write(catalog_of(SUBJECTS, set())), write(catalog_of([], set()))

    spliced = io.BytesIO()
    splice(Blocks(earlier, syntax), Blocks(made, syntax), set(SUBJECTS) - set(after), [], spliced)

    assert spliced.getvalue() == write(catalog_of(after, set()))


def test_the_turtle_of_no_triple_is_its_prefix_lines() -> None:
    header = turtle_of([], PREFIXES)
    lines = {b"@prefix ex: <http://example.org/> .\n", b"@prefix voc: <http://vocab.example/> .\n"}
    assert sorted(header.splitlines(keepends=True)) == sorted(lines)  # in Oxigraph's order
    assert turtle_of([], {}) == b""


def test_a_subject_with_a_block_in_the_earlier_file_must_be_dropped_to_be_written() -> None:
    syntax, write = WRITERS["Turtle"]
    earlier = write(catalog_of(SUBJECTS, set()))
    made = write(catalog_of([f"{EX}n3"], {f"{EX}n3"}))
    with pytest.raises(DoesNotFit, match=r"http://example.org/n3 has a block in the earlier serialization"):
        splice(Blocks(earlier, syntax), Blocks(made, syntax), set(), [f"{EX}n3"], io.BytesIO())


def test_an_earlier_file_with_other_prefixes_is_refused() -> None:
    syntax = turtle(PREFIXES)
    earlier = turtle_of(node_triples(catalog_of(SUBJECTS, set()).nodes(3)), {"ex": EX})
    made = turtle_of(node_triples(catalog_of([f"{EX}n3"], set()).nodes(3)), PREFIXES)
    with pytest.raises(DoesNotFit, match="other prefixes"):
        splice(Blocks(earlier, syntax), Blocks(made, syntax), {f"{EX}n3"}, [f"{EX}n3"], io.BytesIO())


@pytest.mark.parametrize(
    ("line", "subject"),
    [
        (b'{"@type":["voc:Thing","voc:Other"],"@id":"ex:a","voc:label":[]}', f"{EX}a"),
        (b'{"@id":"ex:a","voc:label":[]}', f"{EX}a"),  # no types: the identifier first
        (b'{"@type":["voc:]"],"@id":"https://other.example/z"}', "https://other.example/z"),  # "]" in a type
        (b'{"@type":["voc:Thing"],"voc:label":[],"@id":"ex:a"}', None),  # the identifier after another key
        (b'{"voc:label":[],"@type":["voc:Thing"],"@id":"ex:a"}', None),  # the types after another key
        (b'{"@type":["voc:Thing"', None),  # types that do not end on the line
    ],
)
def test_a_json_ld_node_is_found_by_its_identifier_after_its_types(line: bytes, subject: str | None) -> None:
    """The streaming document form: a node's types (if any), then its identifier, then its other keys."""
    data = line + b"\n"
    if subject is not None:
        assert flat_jsonld(PREFIXES).subject(data, 0) == subject
        return
    with pytest.raises(DoesNotFit, match=r"at byte 0$|near the start of its line, byte 0$"):
        flat_jsonld(PREFIXES).subject(data, 0)


def test_a_blank_node_subject_is_refused_not_misread() -> None:
    blank = ox.Triple(ox.BlankNode("b0"), ox.NamedNode(f"{VOC}label"), ox.Literal("x"))
    earlier = sorted_ntriples_of([blank])
    with pytest.raises(DoesNotFit, match="a subject written '_:b0'"):
        Blocks(earlier, NTRIPLES).span(f"{EX}n1")


@pytest.mark.parametrize(
    ("data", "end", "expected"),
    [(b"a\n\t<b>\n", 3, 2), (b"a\n\t<b>\n", 6, 2), (b"a\n\t\t<b>\n\t<c>\n", 5, 5), (b"a\n\t\t<b>\n\t<c>\n", 10, 8)],
    ids=["its-line-starts-just-before-the-end", "well-before", "a-property-line-only-before-the-end", "past-it"],
)
def test_rdfxml_finds_an_element_starting_just_before_the_end_it_is_given(data: bytes, end: int, expected: int) -> None:
    """The binary search looks for the next element no further than where its answer lies: an element whose line
    starts before that end is found, though its ``<`` lies past it; a line two tabs in starts none, and without
    one before the end, the end is given."""
    assert splice_module._rdfxml_next_start(data, 0, end) == expected


def test_a_file_that_does_not_fit_is_refused_after_some_of_it_was_read(tmp_path: Path) -> None:
    """The earlier file is mapped into memory and its pieces are views of it: refused halfway (its block of
    ex:n3 taken, then ex:n5 found to have a block it was not told to drop), the refusal is what the caller gets,
    not an error about the views still held when the map is closed, and nothing more is written."""
    syntax, write = WRITERS["Turtle"]
    earlier = tmp_path / "earlier.ttl"
    earlier.write_bytes(write(catalog_of(SUBJECTS, set())))
    made = write(catalog_of([f"{EX}n3", f"{EX}n5"], {f"{EX}n3", f"{EX}n5"}))
    with pytest.raises(DoesNotFit, match=r"http://example.org/n5 has a block in the earlier serialization"):
        splice_file(earlier, made, syntax, {f"{EX}n3"}, [f"{EX}n3", f"{EX}n5"], tmp_path / "spliced.ttl")
