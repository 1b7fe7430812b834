"""Value type constraint components (SHACL 4.1): sh:class, sh:datatype, sh:nodeKind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from civicgraph.graph.terms import Blank, Lit, Term
from civicgraph.shacl.index import SUBCLASS_OF
from civicgraph.shacl.shapes import Constraint, Run, Shape, Test, remembered
from civicgraph.util.iris import RDF_TYPE, XSD_STRING


@dataclass
class ClassConstraint(Constraint):
    cls: Term
    component = SH.ClassConstraintComponent

    def predicates(self) -> Iterator[str]:
        return iter((RDF_TYPE, SUBCLASS_OF))

    def test(self, run: Run, shape: Shape) -> Test:
        # A set's own membership test: no Python code runs per value node.
        return run.instances(self.cls).__contains__


@dataclass
class DatatypeConstraint(Constraint):
    datatype: URIRef
    component = SH.DatatypeConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        if self.datatype == XSD.string:
            # What the rules below come to for xsd:string: a literal of that datatype (or none), no language tag.
            return lambda value: type(value) is Lit and value.datatype == XSD_STRING
        datatype, as_rdflib = self.datatype, run.rdflib_literal
        return remembered(lambda value: type(value) is Lit and _datatype_matches(as_rdflib(value), datatype))


def _datatype_matches(literal: Literal, rule: URIRef) -> bool:
    """pyshacl 0.40's DatatypeConstraintComponent for one literal (rdflib decides what is ill-typed)."""
    if literal.datatype == rule:
        return literal.ill_typed is not True and _value_has_type(literal, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype:
        return literal.datatype is not None
    if rule == XSD.string and literal.datatype is None and literal.language is None:
        return _value_has_type(literal, rule)
    if rule == RDF.langString and literal.language:
        return _value_has_type(literal, rule)
    return False


_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _value_has_type(literal: Literal, rule: URIRef) -> bool:
    """pyshacl checks the Python type of the value for these datatypes, and accepts any other."""
    expected = _PYTHON_TYPES.get(rule)
    return expected is None or isinstance(literal.value, expected)


NODE_KINDS = {
    SH.IRI: frozenset({"iri"}),
    SH.BlankNode: frozenset({"blank"}),
    SH.Literal: frozenset({"literal"}),
    SH.BlankNodeOrIRI: frozenset({"blank", "iri"}),
    SH.BlankNodeOrLiteral: frozenset({"blank", "literal"}),
    SH.IRIOrLiteral: frozenset({"iri", "literal"}),
}


def _kind(term: Term) -> str:
    return "literal" if type(term) is Lit else "blank" if type(term) is Blank else "iri"


@dataclass
class NodeKindConstraint(Constraint):
    kinds: frozenset[str]
    component = SH.NodeKindConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        kinds = self.kinds
        return lambda value: _kind(value) in kinds
