"""Shape-based constraint components (SHACL 4.7): sh:node, sh:qualifiedValueShape with its counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import SH

from civicgraph.graph.terms import Term
from civicgraph.shacl.index import Values
from civicgraph.shacl.shapes import NO_RESULTS, Check, Constraint, Run, Shape, Test


@dataclass
class NodeConstraint(Constraint):
    shape: Shape
    component = SH.NodeConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        return run.passes(self.shape)


@dataclass
class QualifiedCountConstraint(Constraint):
    """sh:qualifiedValueShape with sh:qualifiedMinCount or sh:qualifiedMaxCount: each bound is its own component."""

    shape: Shape
    bound: int
    at_most: bool

    @property
    def component(self) -> URIRef:  # type: ignore[override]
        return SH.QualifiedMaxCountConstraintComponent if self.at_most else SH.QualifiedMinCountConstraintComponent

    def check(self, run: Run, shape: Shape) -> Check:
        bound, at_most = self.bound, self.at_most
        conforms = run.passes(self.shape)

        def count(_focus: Term, values: Values) -> Sequence[Term | None]:
            if not values and (at_most or bound < 1):
                return NO_RESULTS
            qualified = 0
            for value in values:
                if conforms(value):
                    qualified += 1
            return (None,) if (qualified > bound if at_most else qualified < bound) else NO_RESULTS

        return count
