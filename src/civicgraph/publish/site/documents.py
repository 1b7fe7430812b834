"""The documents behind two namespaces: ``…/vocab/`` (the concept schemes, ``site/vocab/index``) and
``…/shapes`` (the SHACL shapes, ``site/shapes``), each an HTML page in both languages with its Turtle and
JSON-LD beside it, so that every namespace the graph uses under the project's address resolves to a document.

The shapes hold RDF lists (``sh:in``, ``sh:xone``), whose blank nodes have no stable name: their Turtle is the
shapes file itself, and their JSON-LD is written from a graph whose blank nodes are named by where they hang
(:func:`stable_blank_nodes`), in sorted order, so that the same shapes give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup

from civicgraph.graph.build import grouped_by_subject
from civicgraph.graph.terms import PlainTriple, plain_triples
from civicgraph.publish.negotiation import SHAPES_IRI
from civicgraph.publish.release import GraphIndex
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.model import Page, SiteModel
from civicgraph.publish.site.parts import View, in_name_order
from civicgraph.util.iris import SKOS
from civicgraph.util.resources import shapes_files, vocabularies_file

SH = "http://www.w3.org/ns/shacl#"
VOCAB_PAGE = "vocab/index"
SHAPES_PAGE = "shapes"
# What a shape applies to (sh:targetClass, …), shown on the shapes' page.
_TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")


def vocabulary_triples() -> list[PlainTriple]:
    """The concept schemes' triples in canonical order (the vocabularies have no blank nodes)."""
    triples = (q.triple for q in ox.parse(path=str(vocabularies_file()), format=ox.RdfFormat.TURTLE))
    return grouped_by_subject(plain_triples(triples))


def vocab_index_context(model: SiteModel, lang: str) -> dict[str, Any]:
    view = View(model, Page("", VOCAB_PAGE), lang)
    index = model.index
    schemes = []
    for scheme in index.of_type(f"{SKOS}ConceptScheme"):
        concepts = in_name_order(index.referrers(scheme, f"{SKOS}inScheme"), view.label)
        schemes.append(
            {
                "link": Markup(view.link(scheme)),
                "definition": index.literal(scheme, f"{SKOS}definition", lang) or "",
                "concepts": Markup(", ".join(view.link(c) for c in concepts)),
            }
        )
    return {"title": view.w["vocabularies"], "lead": view.w["vocab_lead"], "schemes": schemes}


def shapes_index() -> tuple[GraphIndex, list[ox.Triple]]:
    """The shapes' named-node triples, indexed (the blank nodes of their lists are shown as their members)."""
    triples = [q.triple for path in shapes_files() for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    named = [t for t in triples if isinstance(t.subject, ox.NamedNode) and not isinstance(t.object, ox.BlankNode)]
    return GraphIndex.of(grouped_by_subject(plain_triples(named)), SHAPES_IRI), triples


def shapes_context(model: SiteModel, lang: str) -> dict[str, Any]:
    """Every shape with an IRI: its anchor (the part after ``#``), what it targets or constrains, its severity
    and its message in the page's language."""
    view = View(model, Page("", SHAPES_PAGE), lang)
    index, _triples = shapes_index()
    w = view.w
    shapes = []
    for shape in sorted(index.subjects):
        if not shape.startswith(f"{SHAPES_IRI}#"):
            continue
        targets = [t for p in _TARGETS for t in index.iris(shape, f"{SH}{p}")]
        paths = index.iris(shape, f"{SH}path")
        severity = index.iri(shape, f"{SH}severity")
        facts = [
            f"{escape(w['shape_targets'])}: {', '.join(view.link(t) for t in targets)}" if targets else "",
            f"{escape(w['shape_path'])}: {', '.join(view.link(p) for p in paths)}" if paths else "",
            escape(w["violation"] if severity == f"{SH}Violation" else w["warning"]) if severity else "",
        ]
        shapes.append(
            {
                "id": shape.split("#", 1)[1],
                "facts": Markup(" · ".join(f for f in facts if f)),
                "message": index.literal(shape, f"{SH}message", lang) or "",
            }
        )
    return {"title": w["shapes"], "lead": w["shapes_lead"], "shapes": shapes}


def shapes_jsonld() -> bytes:
    """The shapes as JSON-LD (expanded), written by Oxigraph from the triples in sorted order, their blank nodes
    named by where they hang: the same shapes give the same bytes. Each value object gives its ``@value`` first
    (:func:`value_first`)."""
    triples = [q.triple for path in shapes_files() for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    document = ox.serialize(sorted(stable_blank_nodes(triples), key=str), format=ox.RdfFormat.JSON_LD)
    assert document is not None  # no output file given: the serialization is returned
    expanded = value_first(json.loads(document))
    return json.dumps(expanded, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def value_first(node: Any) -> Any:
    """A JSON-LD document with ``@value`` the first key of each value object. Oxigraph writes ``@language`` first
    (keys in any order are JSON-LD), and a streaming JSON-LD parser refuses that ("Unknown keyword '@language'":
    jsonld-streaming-parser, which Comunica reads JSON-LD with), as the W3C's JSON-LD streaming note lets it."""
    if isinstance(node, list):
        return [value_first(item) for item in node]
    if not isinstance(node, dict):
        return node
    ordered = {key: value_first(value) for key, value in node.items()}
    return {"@value": ordered.pop("@value"), **ordered} if "@value" in ordered else ordered


def stable_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with each blank node renamed ``b0``, ``b1``, … in the order a walk from the named subjects
    (in sorted order) reaches it: a parser names blank nodes at random, and the shapes' blank nodes (the cells of
    RDF lists, such as ``sh:in ( … )``) each hang from one place. A blank node no IRI leads to is an error."""
    leaving: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode):
            leaving.setdefault(triple.subject, []).append(triple)
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def visit(node: object) -> None:
        if isinstance(node, ox.BlankNode) and node not in names:
            names[node] = ox.BlankNode(f"b{len(names)}")
            for triple in sorted(leaving.get(node, []), key=lambda t: (t.predicate.value, _named(t.object))):
                visit(triple.object)

    for triple in sorted((t for t in triples if isinstance(t.subject, ox.NamedNode)), key=str):
        visit(triple.object)
    unreached = [node for node in leaving if node not in names]
    if unreached:
        raise ValueError(f"{len(unreached)} blank node(s) of the shapes hang from no IRI: {unreached[0]}")

    def renamed(term: Any) -> Any:
        return names[term] if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(renamed(t.subject), t.predicate, renamed(t.object)) for t in triples]


def _named(term: object) -> str:
    """A term as a sort key that does not depend on a blank node's random name."""
    return "" if isinstance(term, ox.BlankNode) else str(term)
