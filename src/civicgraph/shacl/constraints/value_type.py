"""Value type constraint components (SHACL 4.1): sh:class, sh:datatype, sh:nodeKind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib.namespace import SH

from civicgraph.graph.terms import Blank, Lit, Term
from civicgraph.shacl.index import SUBCLASS_OF
from civicgraph.shacl.shapes import Constraint, Run, Shape, Test, remembered
from civicgraph.shacl.xsd import WELL_TYPED
from civicgraph.util.iris import RDF_TYPE


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
    datatype: str  # one of civicgraph.shacl.xsd.WELL_TYPED (the compiler refuses any other)
    component = SH.DatatypeConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        # SHACL 4.1.2: a literal of exactly this datatype whose lexical form is in the datatype's lexical space
        # (XSD 1.1, the form as written: no whitespace collapsed, no Python number syntax; civicgraph.shacl.xsd).
        datatype, well_typed = self.datatype, WELL_TYPED[self.datatype]
        return remembered(lambda value: type(value) is Lit and value.datatype == datatype and well_typed(value.lexical))


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
