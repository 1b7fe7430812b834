"""Plain Python RDF terms: an IRI is a ``str``, a literal a :class:`Lit`, a blank node a :class:`Blank`.

The build makes the graph in this form as well as in Oxigraph terms (``BuiltGraph.plain``), and the JSON-LD
writer and the SHACL engine read it. Reading an Oxigraph term's parts crosses from Python into Rust and makes a
new ``str`` each time: only reading subject, predicate and object of every triple of a national graph took 0.4 s,
more than half the time of Oxigraph's whole JSON-LD serializer (0.7 s).

IRIs of the plain triples are interned (:func:`sys.intern`): the same IRI is the same object wherever it occurs,
so dictionary look-ups and comparisons between them match by identity instead of comparing long strings.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import NamedTuple

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
