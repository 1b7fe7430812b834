"""Other constraint components (SHACL 4.8): sh:in, sh:hasValue."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.namespace import SH

from civicgraph.graph.terms import Term
from civicgraph.shacl.shapes import NO_RESULTS, Check, Constraint, Run, Shape, Test


@dataclass
class InConstraint(Constraint):
    allowed: frozenset[Term]
    component = SH.InConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        return self.allowed.__contains__


@dataclass
class HasValueConstraint(Constraint):
    value: Term
    component = SH.HasValueConstraintComponent

    def check(self, run: Run, shape: Shape) -> Check:
        wanted = self.value
        return lambda _focus, values: NO_RESULTS if wanted in values else (None,)
