"""Deterministic RDF serialization: canonically ordered triples written by Oxigraph's serializers.

rdflib's Turtle writer rewrites ``"1400000000"^^xsd:decimal`` as ``1400000000.0`` — a different literal — and
is slow on large graphs; Oxigraph's writer keeps every lexical form and is fast. We give it the triples in a
stable order (by subject, ``rdf:type`` first, then predicate and object) and only the prefixes the file uses,
so the same graph always gives the same bytes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from civicgraph.graph.jsonld import published_context
from civicgraph.graph.namespaces import CGV, PREFIXES
from civicgraph.graph.terms import Lit, PlainTriple, Term, term_from_oxigraph
from civicgraph.util.errors import Failure, Message
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import RDF_TYPE, XSD_STRING


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


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Identifier:
    """The rdflib term of an Oxigraph term (the inverse of :func:`to_oxigraph`)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language is not None:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")


def canonical_key(triple: ox.Triple) -> tuple[str, bool, str, str]:
    """The place of a triple in the canonical order: by subject, ``rdf:type`` first, then predicate, object."""
    subject = triple.subject
    assert isinstance(subject, ox.NamedNode)  # civicgraph graphs have IRIs as subjects, never blank nodes
    return (
        subject.value,
        triple.predicate.value != RDF_TYPE,
        triple.predicate.value,
        str(triple.object),
    )


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as Oxigraph terms, in the canonical order of civicgraph's files."""
    triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]  # type: ignore[arg-type]
    triples.sort(key=canonical_key)
    return triples


def used_prefixes(triples: Iterable[ox.Triple], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The prefixes (of ``PREFIXES``, one per concept scheme, and ``extra``) that some IRI of the triples uses.

    Concept schemes get a prefix each (``hedge:nearly``) because a slash in a local name would have to be
    escaped (``cgv:hedge\\/nearly``); the broad ``cgv:`` prefix is therefore never offered.
    """
    return prefixes_for(written_iris(triples), extra)


def used_prefixes_of_plain(triples: Iterable[PlainTriple]) -> dict[str, str]:
    """:func:`used_prefixes` of plain triples (:mod:`civicgraph.graph.terms`): for a writer that holds them beside
    the Oxigraph triples it makes of them (an edition, a page), read without crossing into Oxigraph's terms, which
    makes a new ``str`` for each part read (at a national year: 1 s of the editions' and the pages' work)."""
    iris: set[str] = set()
    predicates: set[str] = set()
    add = iris.add
    for subject, predicate, obj in triples:
        if type(subject) is str:  # not a Blank
            add(subject)
        predicates.add(predicate)
        if type(obj) is str:
            add(obj)
        elif type(obj) is Lit and obj.language is None:
            add(obj.datatype)
    predicates.discard(RDF_TYPE)  # written `a`
    iris |= predicates
    iris.discard(XSD_STRING)
    return prefixes_for(iris)


def written_iris(triples: Iterable[ox.Triple]) -> set[str]:
    """The IRIs a Turtle file of the triples writes: those of subjects, of predicates but ``rdf:type`` (written
    ``a``), of objects, and the datatypes of literals that show one (neither ``xsd:string`` nor a language tag)."""
    # Tight loop (it runs over every triple of a national graph): the triples of a subject follow each other, so
    # its IRI is read once; predicates are few, kept as terms.
    named, literal = ox.NamedNode, ox.Literal
    iris: set[str] = set()
    add = iris.add
    predicates: set[ox.NamedNode] = set()
    last_subject: object = None
    for subject, predicate, obj in triples:
        if subject != last_subject:
            last_subject = subject
            if type(subject) is named:
                add(subject.value)
        predicates.add(predicate)
        if type(obj) is named:
            add(obj.value)
        elif type(obj) is literal and obj.language is None:
            add(obj.datatype.value)
    iris.update(predicate.value for predicate in predicates if predicate.value != RDF_TYPE)
    iris.discard(XSD_STRING)
    return iris


def prefixes_for(iris: Iterable[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The prefixes (of ``PREFIXES``, one per concept scheme, and ``extra``) that abbreviate some of the IRIs."""
    candidates = {**{k: v for k, v in PREFIXES.items() if k != "cgv"}, **(extra or {})}
    vocab = str(CGV)
    # A prefixed name's local part may contain neither '/' nor '#' (unescaped), so the only namespace that can
    # abbreviate an IRI is the IRI up to its last '/' or '#': one dictionary look-up per distinct namespace.
    namespaces: set[str] = set()
    for iri in iris:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        if 0 < cut < len(iri):
            namespaces.add(iri[:cut])
    for namespace in namespaces:
        if namespace.startswith(vocab) and namespace.endswith("/") and namespace.count("/", len(vocab)) == 1:
            scheme = namespace[len(vocab) : -1]
            candidates.setdefault(scheme, namespace)
    prefix_of: dict[str, str] = {}
    for prefix, namespace in candidates.items():
        prefix_of.setdefault(namespace, prefix)
    used = {prefix_of[namespace]: namespace for namespace in namespaces if namespace in prefix_of}
    return dict(sorted(used.items()))


def write_turtle(
    triples: Iterable[ox.Triple],
    path: Path,
    extra_prefixes: dict[str, str] | None = None,
    prefixes: dict[str, str] | None = None,
) -> None:
    """Turtle with the prefixes the triples use: ``prefixes`` when the caller knows them (the build does, see
    :attr:`civicgraph.graph.build.BuiltGraph.prefixes`; the triples may then come one by one), else those
    :func:`used_prefixes` finds."""
    if prefixes is None:
        triples = list(triples)  # read twice: for the prefixes they use, then written
        prefixes = used_prefixes(triples, extra_prefixes)
    # Serialized in memory, then written at once: Oxigraph writing to a path makes a system call per token,
    # about ten times slower for the many small files of the site.
    path.write_bytes(turtle_of(triples, prefixes))


def turtle_of(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """The Turtle of the triples, with ``prefixes`` (as :func:`write_turtle` writes it), which blocks made anew are
    spliced from (:mod:`civicgraph.graph.splice`, whose header is the prefix lines). With no triple, the prefix
    lines alone: Oxigraph then writes none, and an earlier file's header would be found to differ.

    A report removed that leaves every other subject as it was makes no block: graph.ttl was then written whole,
    and with the change not known, the tables too. A national year, a commune's report removed: 13.58 s against
    19.47 at cef203f, the graph files 1.23 s against 5.96 (medians of 4 alternating pairs, faster in 4 of 4)."""
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert turtle is not None  # bytes are returned when no output is given
    if turtle or not prefixes:
        return turtle
    one = ox.NamedNode("urn:civicgraph:prefixes")  # a triple of its own, cut off: only the lines before it are kept
    with_one = ox.serialize([ox.Triple(one, one, one)], format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert with_one is not None
    return with_one[: with_one.index(f"<{one.value}>".encode())]


def write_rdfxml(triples: list[ox.Triple], path: Path, prefixes: dict[str, str] | None = None) -> None:
    """RDF/XML (what SPARQLWrapper and older RDF tools ask for) with the prefixes the triples use, in the order the
    triples come: the same triples give the same bytes."""
    path.write_bytes(rdfxml_of(triples, prefixes if prefixes is not None else used_prefixes(triples)))


def rdfxml_of(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """The RDF/XML of the triples, with ``prefixes`` (as :func:`write_rdfxml` writes it)."""
    document = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)
    assert document is not None  # bytes are returned when no output is given
    return document


# Triples serialized, and lines written, per slice of this many: the buffers stay small (a national graph's one
# buffer of 150 MB costs more to grow, copy and page in than the serialization itself).
_SLICE = 1 << 15


def write_ntriples(triples: Iterable[ox.Triple], path: Path, *, in_line_order: bool = False) -> None:
    """Sorted N-Triples: one canonical line per triple, lines in byte order (diff-friendly).

    ``in_line_order``: the triples already come in that order (``BuiltGraph.plain_in_lines``), so they are
    written as they come instead of serialized, split into lines and sorted.
    """
    if in_line_order:  # handed to Oxigraph as they come, written through a buffered file: no list, no slices
        with path.open("wb") as file:
            ox.serialize(triples, file, format=ox.RdfFormat.N_TRIPLES)
        return
    lines: list[bytes] = []
    for part in _slices(triples):
        lines += _lines(part)
    # Without their newlines the lines sort the same: a newline sorts before any character a line can hold.
    lines.sort()
    with path.open("wb") as file:
        for start in range(0, len(lines), _SLICE):
            file.write(b"\n".join(lines[start : start + _SLICE]) + b"\n")


def ntriples_of(triples: Iterable[ox.Triple]) -> bytes:
    """The N-Triples of the triples, a line each in the order they come (as ``write_ntriples(...,
    in_line_order=True)`` writes them)."""
    serialized = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert serialized is not None  # bytes are returned when no output is given
    return serialized


def sorted_ntriples_of(triples: list[ox.Triple]) -> bytes:
    """The N-Triples of a few triples, lines in byte order (as :func:`write_ntriples` writes them)."""
    return b"".join(line + b"\n" for line in sorted(_lines(triples)))


def write_few_ntriples(triples: list[ox.Triple], path: Path) -> list[ox.Triple]:
    """:func:`write_ntriples` of the few triples of one edition or page, giving back the triples in the order of
    the file's lines: RDF/XML written from them reads as the file does, without parsing the file again (which
    cost the site 0.96 ms per national report, more than serializing it)."""
    lines = _lines(triples)
    order = sorted(range(len(lines)), key=lines.__getitem__)
    path.write_bytes(b"".join(lines[i] + b"\n" for i in order))
    return [triples[i] for i in order]


def _slices(triples: Iterable[ox.Triple]) -> Iterator[list[ox.Triple]]:
    """The triples in lists of at most :data:`_SLICE`, in order."""
    them = iter(triples)
    while part := list(islice(them, _SLICE)):
        yield part


def _lines(triples: list[ox.Triple]) -> list[bytes]:
    """The triples' N-Triples lines, in their order, without their newlines."""
    lines = ntriples_of(triples).split(b"\n")
    lines.pop()  # after the last line's newline
    return lines


FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".nq": "nquads"}
_OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
}
# The addresses of civicgraph's own JSON-LD context (the published one and the ontology's copy): a document that
# refers to it gets the copy installed with civicgraph, read from disk.
OWN_CONTEXTS = ("https://w3id.org/civicgraph/context.jsonld", "https://w3id.org/civicgraph/ontology/context.jsonld")


def read_triples(path: Path) -> list[PlainTriple]:
    """The triples of a Turtle, N-Triples, RDF/XML, N-Quads or JSON-LD file (format from the file name), parsed by
    Oxigraph into plain terms (:mod:`civicgraph.graph.terms`), the form the SHACL engine reads.

    Lexical forms stay as written (``"+5"`` stays ``"+5"``): the shapes check canonical forms. Of an N-Quads file,
    the default graph's triples are read. Raises :class:`~civicgraph.util.errors.Failure` naming the file (and the
    parser's line and column) when it is not valid RDF, or when a JSON-LD document refers to a context other than
    civicgraph's own: nothing is fetched from the network or read from another file (a hanging server would hang
    the command; ``"@context": "file:///etc/passwd"`` would read it).
    """
    name, quads = _parsed(path)
    try:
        with paused_cycle_collector():  # a million small tuples: collections would only re-scan them
            return _plain_triples_of_default_graph(quads)
    except (SyntaxError, ValueError) as error:
        raise _not_valid(path, name, error) from error


def read_graph(path: Path) -> Graph:
    """:func:`read_triples` as an rdflib graph (for pyshacl and tests), lexical forms kept."""
    name, quads = _parsed(path)
    graph = Graph()
    # rdflib would otherwise normalise literals as they are made ("+5" -> "5"), hiding what the shapes look for.
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        for subject, predicate, obj, graph_name in quads:
            if isinstance(graph_name, ox.DefaultGraph):
                graph.add((to_rdflib(subject), to_rdflib(predicate), to_rdflib(obj)))
    except (SyntaxError, ValueError, TypeError) as error:
        raise _not_valid(path, name, error) from error
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph


def _parsed(path: Path) -> tuple[str, Iterator[ox.Quad]]:
    """The format's name and Oxigraph's parser of the file (a JSON-LD document with its contexts resolved first)."""
    name = FORMATS.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(FORMATS))
        raise Failure(
            Message(
                f"{path}: nieznany rodzaj pliku RDF {path.suffix!r}; użyj jednego z: {known}",
                f"{path}: unknown RDF file type {path.suffix!r}; use one of {known}",
            )
        )
    base = path.resolve().as_uri()  # relative IRIs resolve against the file, as rdflib resolved them
    if name == "json-ld":
        document = json.dumps(_with_local_contexts(path)).encode("utf-8")
        return name, ox.parse(document, format=ox.RdfFormat.JSON_LD, base_iri=base)
    return name, ox.parse(path=path, format=_OXIGRAPH_FORMATS[name], base_iri=base)


def _not_valid(path: Path, name: str, error: Exception) -> Failure:
    return Failure(Message(f"{path}: to nie jest poprawny plik {name}: {error}", f"{path}: not valid {name}: {error}"))


def _plain_triples_of_default_graph(quads: Iterable[ox.Quad]) -> list[PlainTriple]:
    """The plain triples of the quads in the default graph.

    The hot loop of reading a national graph (1 M triples): quads are unpacked rather than read attribute by
    attribute, a subject is converted once for the run of triples that share it (files are written subject by
    subject) and each predicate once — reading a term's text crosses from Rust into Python and makes a new string.
    """
    named, literal, default, intern = ox.NamedNode, ox.Literal, ox.DefaultGraph, sys.intern
    predicates: dict[ox.NamedNode, str] = {}
    triples: list[PlainTriple] = []
    add = triples.append
    last_subject: object = None
    subject_term: Term = ""
    for subject, predicate, obj, graph_name in quads:
        if type(graph_name) is not default:
            continue
        if subject != last_subject:
            last_subject = subject
            subject_term = intern(subject.value) if type(subject) is named else term_from_oxigraph(subject)
        predicate_term = predicates.get(predicate)
        if predicate_term is None:
            predicate_term = predicates[predicate] = intern(predicate.value)
        kind = type(obj)
        if kind is named:
            object_term: Term = intern(obj.value)
        elif kind is literal:
            object_term = Lit(obj.value, obj.datatype.value, obj.language)
        else:
            object_term = term_from_oxigraph(obj)
        add((subject_term, predicate_term, object_term))  # type: ignore[arg-type]  # a Blank subject is a str too
    return triples


class RefusedContext(Failure):
    """A JSON-LD document refers to a context civicgraph does not read (anything but its own)."""


def _with_local_contexts(path: Path) -> Any:
    """The JSON-LD document with every reference to civicgraph's own context replaced by the context itself; any
    other reference to a context document (in ``@context``, a scoped context or ``@import``) is refused."""
    try:
        document = json.loads(path.read_bytes())
    except ValueError as error:
        raise Failure(
            Message(f"{path}: to nie jest poprawny JSON: {error}", f"{path}: not valid JSON: {error}")
        ) from error
    return _inline(document, path)


def _inline(value: Any, path: Path) -> Any:
    """A part of the document (node objects, values, lists), its contexts resolved wherever they appear."""
    if isinstance(value, list):
        return [_inline(item, path) for item in value]
    if isinstance(value, dict):
        return {key: _context(item, path) if key == "@context" else _inline(item, path) for key, item in value.items()}
    return value


def _context(value: Any, path: Path) -> Any:
    """The value of an ``@context``: null, a reference to a context document, an inline context, or a list."""
    if isinstance(value, str):
        return _own_context(value, path)
    if isinstance(value, list):
        return [_context(item, path) for item in value]
    if not isinstance(value, dict):
        return value
    if "@import" in value:  # JSON-LD 1.1: a context document to merge into this one
        _own_context(str(value["@import"]), path)  # civicgraph's own context imports nothing; any is refused
        imported = value["@import"]
        raise RefusedContext(
            Message(
                f"{path}: @import {imported!r}: wstaw kontekst do dokumentu zamiast go importować",
                f"{path}: @import {imported!r}: embed the context instead of importing it",
            )
        )
    return {term: _term_definition(definition, path) for term, definition in value.items()}


def _term_definition(definition: Any, path: Path) -> Any:
    """A term definition: an IRI (kept), or an object that may carry a scoped context of its own."""
    if isinstance(definition, dict) and "@context" in definition:
        return {**definition, "@context": _context(definition["@context"], path)}
    return definition


def _own_context(reference: str, path: Path) -> Any:
    if reference not in OWN_CONTEXTS:
        raise RefusedContext(
            Message(
                f"{path}: @context {reference!r}: kontekstów JSON-LD nie pobiera się z sieci ani nie czyta z innych "
                f"plików; wstaw kontekst do dokumentu albo wskaż własny kontekst civicgraph ({OWN_CONTEXTS[0]}), "
                "czytany z jego lokalnej kopii",
                f"{path}: @context {reference!r}: JSON-LD contexts are not fetched or read from other files; embed "
                f"the context, or refer to civicgraph's own ({OWN_CONTEXTS[0]}), which is read from its local copy",
            )
        )
    return published_context()
