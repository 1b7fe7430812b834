"""Terms of the data graph (plain terms: :mod:`civicgraph.graph.terms`) and of rdflib, the shapes graph's."""

from __future__ import annotations

import sys

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from civicgraph.graph.terms import Blank, Lit, Term
from civicgraph.util.iris import RDF_LANG_STRING, XSD_STRING


def term_from_rdflib(node: Node) -> Term:
    """A term of an rdflib graph — the shapes graph (a value of sh:in, sh:hasValue, sh:class …) or a data graph
    given as rdflib's — in the data's representation (civicgraph.graph.terms)."""
    if isinstance(node, Literal):
        if node.language:
            return Lit(str(node), RDF_LANG_STRING, node.language.lower())
        return Lit(str(node), str(node.datatype or XSD.string), None)
    if isinstance(node, BNode):
        return Blank(str(node))
    return sys.intern(str(node))  # as the data's IRIs are: membership tests then match by identity


def term_to_rdflib(term: Term) -> Node:
    """The rdflib term pyshacl would hold for ``term`` (a simple literal has no datatype in rdflib)."""
    if isinstance(term, Lit):
        if term.language:
            return Literal(term.lexical, lang=term.language)
        if term.datatype == XSD_STRING:
            return Literal(term.lexical)
        return Literal(term.lexical, datatype=URIRef(term.datatype), normalize=False)
    if isinstance(term, Blank):
        return BNode(term)
    return URIRef(term)


def show(term: Term) -> str:
    """How a report shows a node: an IRI as is, a literal by its lexical form, a blank node as ``_:label``."""
    if isinstance(term, Lit):
        return term.lexical
    if isinstance(term, Blank):
        return f"_:{term}"
    return term
