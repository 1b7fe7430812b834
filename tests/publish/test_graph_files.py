"""graph.jsonld written from the earlier release's is byte for byte what the JSON-LD writer writes whole of the new
graph, when nesting changes too: a node nested in its parent (its IRI extends the parent's with "/", and no other
node refers to it) leaves the parent's line for a line of its own when a changed node starts referring to it, and
comes back when that reference, or the node holding it, is gone; the lines of every other tree are copied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicgraph.graph.jsonld import write_jsonld
from civicgraph.graph.rdfio import write_ntriples
from civicgraph.graph.splice import DoesNotFit, splice_file
from civicgraph.graph.subjects import kept_digests, triples_of
from civicgraph.graph.terms import Lit, OxigraphTerms, PlainTriple
from civicgraph.publish import graph_files
from civicgraph.publish.graph_files import EarlierGraph, earlier_triples, jsonld_written_from, referred_iris
from civicgraph.util.iris import RDF_TYPE

BASE = "https://w3id.org/civicgraph/id/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PART_OF = "http://purl.org/dc/terms/isPartOf"
RELATION = "http://purl.org/dc/terms/relation"
TITLE = "http://purl.org/dc/terms/title"
THING = "https://w3id.org/civicgraph/ontology#Report"

# a: a report; a/f: a figure nested in it; a/f/s: a selector nested in the figure; b and n0…n9: other reports
A, F, S, B = f"{BASE}a", f"{BASE}a/f", f"{BASE}a/f/s", f"{BASE}b"
OTHERS = [f"{BASE}n{i}" for i in range(10)]


def node(iri: str, title: str, *links: tuple[str, str]) -> list[PlainTriple]:
    return [(iri, RDF_TYPE, THING), (iri, TITLE, Lit(title, "", "pl")), *((iri, p, o) for p, o in links)]


def graph(*changes: str) -> list[PlainTriple]:
    """The tree a ⊃ a/f ⊃ a/f/s, b and ten others, in canonical order, with ``changes`` made."""
    triples = [
        *node(A, "a", (RELATION, F)),
        *node(F, "f 1" if "figure retitled" not in changes else "f 2", (RELATION, S)),
        *node(S, "s" if "selector retitled" not in changes else "s 2"),
        *([] if "b removed" in changes else node(B, "b", *([(RELATION, F)] if "b refers to a/f" in changes else []))),
        *(triple for other in OTHERS for triple in node(other, other[-2:], (PART_OF, B))),
    ]
    if "n4 is typed a/f" in changes:  # a class in a type is no reference: a/f stays nested in a
        triples.append((OTHERS[4], RDF_TYPE, F))
    if "n3 refers to a/f" in changes:
        triples.append((OTHERS[3], RELATION, F))
    if "a/g added" in changes:
        triples += [(A, RELATION, f"{A}/g"), *node(f"{A}/g", "g")]
    return sorted(triples, key=lambda t: (t[0], t[1] != RDF_TYPE, t[1], str(t[2])))


def subjects_and_triples(triples: list[PlainTriple]) -> dict[str, set[PlainTriple]]:
    by_subject: dict[str, set[PlainTriple]] = {}
    for triple in triples:
        by_subject.setdefault(triple[0], set()).add(triple)
    return by_subject


def earlier_release(triples: list[PlainTriple], folder: Path) -> EarlierGraph:
    folder.mkdir()
    write_jsonld(triples, folder / "graph.jsonld", BASE)
    write_ntriples(OxigraphTerms().triples(triples), folder / "graph.nt")
    digests = {subject: bytes(16) for subject in subjects_and_triples(triples)}  # only which subjects there were counts
    return EarlierGraph(
        {"graph.jsonld": folder / "graph.jsonld", "graph.nt": folder / "graph.nt"}, kept_digests(digests)
    )


def splice_jsonld(before: list[PlainTriple], after: list[PlainTriple], tmp_path: Path) -> bytes:
    earlier = earlier_release(before, tmp_path / "earlier")
    old, new = subjects_and_triples(before), subjects_and_triples(after)
    changed = {subject for subject, triples in new.items() if old.get(subject) != triples}
    dropped = {subject for subject in old if subject in changed or subject not in new}
    into = tmp_path / "graph.jsonld"
    # what the changed subjects' triples refer to, before (read from the earlier graph.nt) and now
    referred = referred_iris(earlier_triples(earlier, dropped))
    referred |= referred_iris(OxigraphTerms().triples(triples_of(after, changed)))
    jsonld_written_from(earlier, sorted(old), changed, dropped, referred, after, sorted(new), BASE, into)
    return into.read_bytes()


def whole_jsonld(triples: list[PlainTriple], tmp_path: Path) -> bytes:
    write_jsonld(triples, tmp_path / "whole.jsonld", BASE)
    return (tmp_path / "whole.jsonld").read_bytes()


def node_lines(jsonld: bytes) -> dict[str, str]:
    """The lines of graph.jsonld's top-level nodes (after its context and "@graph":[, before ]}), by their id."""
    lines = jsonld.decode().splitlines()[2:-1]
    return {json.loads(line.removesuffix(","))["id"]: line for line in lines}


def nested_lines(jsonld: bytes) -> dict[str, bool]:
    """For a/f: whether it has a line of its own, and whether a's line holds its node (its types, then its id)."""
    lines = node_lines(jsonld)
    return {"own line": "a/f" in lines, "in a's line": '{"type":"cg:Report","id":"a/f",' in lines.get("a", "")}


CHANGES = {
    # change: (before, after, where a/f is afterwards)
    "a nested node changed": ((), ("figure retitled",), "in a's line"),
    "a node nested two deep changed": ((), ("selector retitled",), "in a's line"),
    "another node starts referring to a nested one": ((), ("b refers to a/f",), "own line"),
    "the other reference is gone": (("b refers to a/f",), (), "in a's line"),
    "the node holding the other reference is gone": (("b refers to a/f",), ("b removed",), "in a's line"),
    "a node added in a tree": ((), ("a/g added",), "in a's line"),
    "a nested node that an unchanged one names as its type changed": (
        ("n4 is typed a/f",),
        ("n4 is typed a/f", "figure retitled"),
        "in a's line",
    ),
    "a node nested in no other, as an unchanged one refers to it, changed": (
        ("n3 refers to a/f",),
        ("n3 refers to a/f", "figure retitled"),
        "own line",
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_graph_jsonld_written_from_the_earlier_one_is_the_whole_file(change: str, tmp_path: Path) -> None:
    before_changes, after_changes, where = CHANGES[change]
    before, after = graph(*before_changes), graph(*after_changes)

    spliced = splice_jsonld(before, after, tmp_path)

    assert spliced == whole_jsonld(after, tmp_path)
    assert nested_lines(spliced) == {"own line": where == "own line", "in a's line": where == "in a's line"}


def test_only_the_trees_that_may_differ_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """a/f is referred to by b now: the trees of a (holding a/f) and of b are made; n0…n9 are copied, though each
    refers to b."""
    made: list[bytes] = []

    def recorded(earlier: Path, data: bytes, *rest: Any) -> None:
        made.append(data)
        splice_file(earlier, data, *rest)

    monkeypatch.setattr(graph_files, "splice_file", recorded)

    splice_jsonld(graph(), graph("b refers to a/f"), tmp_path)

    assert list(node_lines(made[0])) == ["a", "a/f", "b"]


def test_an_earlier_file_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    """Digests kept without b, next to a graph.jsonld with a line of b: b's new line is refused a place."""
    before, after = graph(), graph("b refers to a/f")
    earlier = earlier_release(before, tmp_path / "earlier")
    without_b = sorted({t[0] for t in before} - {B})

    with pytest.raises(DoesNotFit, match=f"{B} has a block in the earlier serialization"):
        subjects = sorted({t[0] for t in after})
        jsonld_written_from(earlier, without_b, {B}, set(), set(), after, subjects, BASE, tmp_path / "graph.jsonld")


def test_an_earlier_ntriples_file_that_does_not_parse_is_refused(tmp_path: Path) -> None:
    """b's lines, read for what b referred to before and what changed, broken: refused (the caller writes the
    whole file)."""
    earlier = earlier_release(graph("b refers to a/f"), tmp_path / "earlier")
    path = earlier.files["graph.nt"]
    path.write_bytes(
        path.read_bytes().replace(f"<{B}> <{RELATION}> <{F}> .".encode(), f"<{B}> <{RELATION}> .".encode())
    )

    with pytest.raises(DoesNotFit, match=r"the earlier graph\.nt: "):
        earlier_triples(earlier, {B})


def test_the_triples_of_some_subjects_are_found_in_canonical_order() -> None:
    """Canonical order sorts the triples by subject: a subject's run lies between those of the subjects sorting
    before and after it, whichever extends the other ("a" < "a/f" < "a/f/g" < "a0")."""
    a, af, afg, a0, b = (BASE + name for name in ("a", "a/f", "a/f/g", "a0", "b"))
    name = BASE + "name"
    triples: list[PlainTriple] = [
        (a, RDF_TYPE, BASE + "T"),
        (a, name, Lit("a", XSD_STRING, None)),
        (af, name, Lit("f", XSD_STRING, None)),
        (afg, name, Lit("g", XSD_STRING, None)),
        (a0, name, Lit("0", XSD_STRING, None)),
        (a0, BASE + "next", b),
        (b, name, Lit("b", XSD_STRING, None)),
    ]
    assert triples == sorted(triples, key=lambda triple: triple[0])
    assert graph_files.triples_of(triples, {a0, a}) == [triples[0], triples[1], triples[4], triples[5]]
    assert graph_files.triples_of(triples, [af, b]) == [triples[2], triples[6]]
    assert graph_files.triples_of(triples, {BASE + "a/f/h", BASE + "c"}) == []  # subjects of no triple
