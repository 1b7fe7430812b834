"""Plain Python RDF terms: an IRI is a ``str``, a literal a :class:`Lit`, a blank node a :class:`Blank`.

The build makes the graph in this form only (``BuiltGraph.plain``): the JSON-LD writer, the SHACL engine and the
index of the publishing stage read it, and Oxigraph's serializers get Oxigraph terms made from it as they write
(:class:`OxigraphTerms`), never kept. A million Oxigraph triples kept take 0.45 GB: each holds its own copy of
its three terms' text, where the plain triples share one interned ``str`` per IRI. And reading an Oxigraph term's
parts crosses from Python into Rust and makes a new ``str`` each time: only reading subject, predicate and object
of every triple of a national graph took 0.4 s, more than half the time of Oxigraph's whole JSON-LD serializer.

IRIs of the plain triples are interned (:func:`sys.intern`): the same IRI is the same object wherever it occurs,
so dictionary look-ups and comparisons between them match by identity instead of comparing long strings.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import pyoxigraph as ox


class Blank(str):
    """A blank node, by its label. A ``str`` so that it hashes as fast as an IRI; the two cannot be confused, as an
    IRI is absolute (it has a ':') and a blank-node label has none."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (xsd:string for a simple literal, rdf:langString for a tagged one)
    and language tag in lower case (Oxigraph normalises it so; rdflib compares tags ignoring case)."""

    lexical: str
    datatype: str
    language: str | None


# An IRI (a plain str), a Blank or a Lit.
Term = str | Lit
PlainTriple = tuple[str, str, Term]


def term_from_oxigraph(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Term:
    if isinstance(term, ox.NamedNode):
        return sys.intern(term.value)
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return Blank(term.value)
    raise ValueError(f"RDF-star triple term {term} in the data: civicgraph's graphs have none")


def plain_triples(triples: Iterable[ox.Triple]) -> Iterator[PlainTriple]:
    """Oxigraph triples as plain ones, in the same order (for graphs that were not made by the build)."""
    named, literal, intern = ox.NamedNode, ox.Literal, sys.intern
    last_subject: object = None
    s: Term = ""
    for triple in triples:
        subject, obj = triple.subject, triple.object
        # The triples of a subject mostly follow each other: comparing two terms costs less than reading one's IRI.
        if subject != last_subject:
            last_subject = subject
            s = intern(subject.value) if type(subject) is named else term_from_oxigraph(subject)
        if type(obj) is named:
            o: Term = intern(obj.value)
        elif type(obj) is literal:
            o = Lit(obj.value, obj.datatype.value, obj.language)
        else:
            o = term_from_oxigraph(obj)
        yield s, intern(triple.predicate.value), o  # type: ignore[misc]  # a Blank subject is a str too


class OxigraphTerms:
    """Plain terms made into Oxigraph's, for its serializers. Each IRI's ``NamedNode`` is made once and kept, as
    Oxigraph checks an IRI each time it makes one; triples and literals are made as they are asked for, so a
    serializer that reads them one by one never holds more than a few. Making a triple costs Oxigraph 0.2 µs with
    an IRI as its object and 1.5 µs with a literal (it tries the other kinds of term first): 1.5 s for a national
    year's graph, each time it is written."""

    def __init__(self) -> None:
        self.nodes: dict[str, ox.NamedNode] = {}

    def node(self, iri: str) -> ox.NamedNode:
        node = self.nodes.get(iri)
        if node is None:
            node = self.nodes[iri] = ox.NamedNode(iri)
        return node

    def literal(self, literal: Lit) -> ox.Literal:
        if literal.language is not None:
            return ox.Literal(literal.lexical, language=literal.language)
        return ox.Literal(literal.lexical, datatype=self.node(literal.datatype))

    def term(self, term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, Lit):
            return self.literal(term)
        if isinstance(term, Blank):
            return ox.BlankNode(term)
        return self.node(term)

    def triples(self, triples: Iterable[PlainTriple]) -> Iterator[ox.Triple]:
        """The triples as Oxigraph triples, in the same order, made one by one."""
        # The hot loop of writing a national graph (a million triples): the look-ups are written out here.
        nodes, make, named = self.nodes, ox.Triple, ox.NamedNode
        last_subject: str | None = None
        subject: Any = None
        obj: Any
        for s, p, o in triples:
            if s is not last_subject:  # a subject's triples mostly follow each other
                last_subject = s
                subject = self.term(s)
            predicate = nodes.get(p)
            if predicate is None:
                predicate = nodes[p] = named(p)
            if type(o) is str:
                obj = nodes.get(o)
                if obj is None:
                    obj = nodes[o] = named(o)
            else:
                obj = self.term(o)
            yield make(subject, predicate, obj)


def oxigraph_triples(triples: Iterable[PlainTriple]) -> Iterator[ox.Triple]:
    """Plain triples as Oxigraph triples, in the same order, made one by one (:class:`OxigraphTerms`)."""
    return OxigraphTerms().triples(triples)
