"""Deterministic RDF serialization: canonically ordered triples written by Oxigraph's serializers.

rdflib's Turtle writer rewrites ``"1400000000"^^xsd:decimal`` as ``1400000000.0`` — a different literal — and
is slow on large graphs; Oxigraph's writer keeps every lexical form and is fast. We give it the triples in a
stable order (by subject, ``rdf:type`` first, then predicate and object) and only the prefixes the file uses,
so the same graph always gives the same bytes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .namespaces import CGV, PREFIXES

_RDF_TYPE = str(RDF.type)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_oxigraph(term: Node, allow_blank: bool = False) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The Oxigraph term of an rdflib term; blank nodes only with ``allow_blank`` (query results may have them)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        if allow_blank:
            return ox.BlankNode(str(term))
        raise ValueError(f"blank node {term.n3()} in the graph: civicgraph mints IRIs for every resource")
    raise TypeError(f"unsupported RDF term {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """The rdflib term of an Oxigraph term (the inverse of :func:`to_oxigraph`)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language is not None:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")


def canonical_key(triple: ox.Triple) -> tuple[str, bool, str, str]:
    """The place of a triple in the canonical order: by subject, ``rdf:type`` first, then predicate, object."""
    subject = triple.subject
    assert isinstance(subject, ox.NamedNode)  # civicgraph graphs have IRIs as subjects, never blank nodes
    return (
        subject.value,
        triple.predicate.value != _RDF_TYPE,
        triple.predicate.value,
        str(triple.object),
    )


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as Oxigraph terms, in the canonical order of civicgraph's files."""
    triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]  # type: ignore[arg-type]
    triples.sort(key=canonical_key)
    return triples


@contextmanager
def paused_cycle_collector() -> Iterator[None]:
    """Run a block without Python's cycle collector, for code that makes millions of objects and no cycles.

    Each collection of the oldest generation re-scans every live object (the loaded dataset, the triples made
    so far) and finds nothing to free: 40 % of a national build. Reference counting frees objects as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def used_prefixes(triples: Iterable[ox.Triple], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The prefixes (of ``PREFIXES``, one per concept scheme, and ``extra``) that some IRI of the triples uses.

    Concept schemes get a prefix each (``hedge:nearly``) because a slash in a local name would have to be
    escaped (``cgv:hedge\\/nearly``); the broad ``cgv:`` prefix is therefore never offered.
    """
    candidates = {**{k: v for k, v in PREFIXES.items() if k != "cgv"}, **(extra or {})}
    # Tight loop (it runs over every triple of a national graph): rdf:type is written `a`, plain strings and
    # language-tagged literals show no datatype, subjects that are blank nodes would have no IRI.
    named, literal = ox.NamedNode, ox.Literal
    iris: set[str] = set()
    add = iris.add
    for triple in triples:
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        if type(subject) is named:
            add(subject.value)
        if predicate != _RDF_TYPE:
            add(predicate)
        if type(obj) is named:
            add(obj.value)
        elif type(obj) is literal and obj.language is None:
            add(obj.datatype.value)
    iris.discard(_XSD_STRING)
    for iri in iris:
        if iri.startswith(str(CGV)) and "/" in iri[len(str(CGV)) :]:
            scheme = iri[len(str(CGV)) :].split("/")[0]
            candidates.setdefault(scheme, f"{CGV}{scheme}/")
    # A prefixed name's local part may contain neither '/' nor '#' (unescaped), so the only namespace that can
    # abbreviate an IRI is the IRI up to its last '/' or '#': one dictionary look-up per IRI.
    prefix_of: dict[str, str] = {}
    for prefix, namespace in candidates.items():
        prefix_of.setdefault(namespace, prefix)
    used: dict[str, str] = {}
    for iri in iris:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        found = prefix_of.get(iri[:cut]) if 0 < cut < len(iri) else None
        if found is not None:
            used[found] = iri[:cut]
    return dict(sorted(used.items()))


def write_turtle(triples: list[ox.Triple], path: Path, extra_prefixes: dict[str, str] | None = None) -> None:
    # Serialized in memory, then written at once: Oxigraph writing to a path makes a system call per token,
    # about ten times slower for the many small files of the site.
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples, extra_prefixes))
    assert turtle is not None  # bytes are returned when no output is given
    path.write_bytes(turtle)


def write_ntriples(triples: list[ox.Triple], path: Path) -> None:
    """Sorted N-Triples: one canonical line per triple, lines in byte order (diff-friendly)."""
    serialized = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert serialized is not None  # bytes are returned when no output is given
    lines = serialized.splitlines(keepends=True)
    lines.sort()
    path.write_bytes(b"".join(lines))


FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".nq": "nquads"}


def read_graph(path: Path) -> Graph:
    """Parse a Turtle, N-Triples or JSON-LD file into an rdflib graph (format from the file name).

    Raises ValueError naming the file (and the parser's position) when it is not valid RDF.
    """
    rdf_format = FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise ValueError(f"{path}: unknown RDF file type {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    graph = Graph()
    # Keep lexical forms as written ("+5" stays "+5"): the shapes check canonical forms, and rdflib would
    # otherwise normalise literals while parsing, hiding exactly what they look for.
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        graph.parse(path, format=rdf_format)
    except Exception as error:  # rdflib's parsers raise many unrelated exception types
        raise ValueError(f"{path}: not valid {rdf_format}: {error}") from error
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph
