"""The documents behind two namespaces: ``…/vocab/`` (the concept schemes, ``site/vocab/index``) and
``…/shapes`` (the SHACL shapes, ``site/shapes``), each an HTML page in both languages with its Turtle and
JSON-LD beside it, so that every namespace the graph uses under the project's address resolves to a document.

The shapes hold RDF lists (``sh:in``, ``sh:xone``), whose blank nodes have no stable name: their Turtle is the
shapes file itself, and their JSON-LD is written from a graph whose blank nodes are canonically relabelled
(:func:`rdflib.compare.to_canonical_graph`), in sorted order, so that the same shapes give the same bytes.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from markupsafe import Markup

from civicgraph.publish.release import GraphIndex
from civicgraph.publish.site.model import Page, SiteModel
from civicgraph.publish.site.parts import View
from civicgraph.util.iris import RDF_TYPE, SKOS
from civicgraph.util.resources import shapes_files, vocabularies_file

SH = "http://www.w3.org/ns/shacl#"
SHAPES_IRI = "https://w3id.org/civicgraph/shapes"
VOCAB_PAGE = "vocab/index"
SHAPES_PAGE = "shapes"


def vocabulary_triples() -> list[ox.Triple]:
    """The concept schemes' triples in canonical order (the vocabularies have no blank nodes)."""
    triples = [q.triple for q in ox.parse(path=str(vocabularies_file()), format=ox.RdfFormat.TURTLE)]
    triples.sort(key=lambda t: (str(t.subject), t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))
    return triples


def vocab_index_context(model: SiteModel, lang: str) -> dict[str, Any]:
    view = View(model, Page("", VOCAB_PAGE), lang)
    index = model.index
    schemes = []
    for scheme in index.of_type(f"{SKOS}ConceptScheme"):
        concepts = index.referrers(scheme, f"{SKOS}inScheme")
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
    named.sort(key=lambda t: (str(t.subject), t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))
    return GraphIndex.of(named, SHAPES_IRI), triples


def shapes_context(model: SiteModel, lang: str) -> dict[str, Any]:
    """Every shape with an IRI: its anchor (the part after ``#``), what it targets or constrains, its severity
    and its message in the page's language."""
    view = View(model, Page("", SHAPES_PAGE), lang)
    index, _triples = shapes_index()
    w = view.w
    shapes = []
    for shape in sorted(index.by_subject):
        if not shape.startswith(f"{SHAPES_IRI}#"):
            continue
        targets = index.iris(shape, f"{SH}targetClass") or index.iris(shape, f"{SH}path")
        severity = index.iri(shape, f"{SH}severity")
        shapes.append(
            {
                "id": shape.split("#", 1)[1],
                "iri": shape,
                "targets": Markup(", ".join(view.link(t) for t in targets)),
                "severity": w["violation"] if severity == f"{SH}Violation" else w["warning"] if severity else "",
                "message": index.literal(shape, f"{SH}message", lang) or "",
            }
        )
    return {"title": w["shapes"], "lead": w["shapes_lead"], "shapes": shapes}


def shapes_jsonld() -> bytes:
    """The shapes as JSON-LD (expanded), written by Oxigraph from the triples in sorted order, blank nodes named
    canonically: the same shapes give the same bytes."""
    from rdflib import BNode, Graph, URIRef
    from rdflib.compare import to_canonical_graph
    from rdflib.term import Identifier

    graph = Graph()
    for source in shapes_files():
        graph.parse(source, format="turtle")

    def term(node: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, BNode):
            return ox.BlankNode(str(node))
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if node.language:  # type: ignore[attr-defined]
            return ox.Literal(str(node), language=node.language)  # type: ignore[attr-defined]
        datatype = node.datatype  # type: ignore[attr-defined]
        return ox.Literal(str(node), datatype=ox.NamedNode(str(datatype)) if datatype else None)

    triples = sorted(
        (ox.Triple(term(s), term(p), term(o)) for s, p, o in to_canonical_graph(graph)),  # type: ignore[arg-type]
        key=str,
    )
    document = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    assert document is not None  # no output file given: the serialization is returned
    return document + b"\n"
