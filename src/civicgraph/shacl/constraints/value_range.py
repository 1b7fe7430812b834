"""Value range constraint components (SHACL 4.3): sh:minInclusive."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import InvalidOperation

from rdflib import Literal
from rdflib.namespace import SH

from civicgraph.graph.terms import Lit, Term
from civicgraph.shacl.compare import compare_literals, ordered_number
from civicgraph.shacl.shapes import Constraint, Run, Shape, Test, remembered


@dataclass
class MinInclusiveConstraint(Constraint):
    minimum: Literal
    component = SH.MinInclusiveConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        minimum, as_rdflib, number = self.minimum, run.rdflib_literal, run.number
        minimum_is_string = isinstance(minimum.value, str)
        minimum_number = ordered_number(minimum)

        def at_least(value: Term) -> bool:
            # pyshacl's MinInclusiveConstraintComponent: IRIs and blank nodes fail; strings compare only to strings.
            if type(value) is not Lit:
                return False
            value_number = number(value)
            if value_number is not None and minimum_number is not None:
                return value_number >= minimum_number
            literal = as_rdflib(value)
            if isinstance(literal.value, str) != minimum_is_string:
                return False
            try:
                return compare_literals(literal, minimum) >= 0
            except (TypeError, NotImplementedError, InvalidOperation):
                return False  # SHACL: a value that cannot be compared is a result (pyshacl stops on "NaN" decimals)

        return remembered(at_least)  # offsets, counts and amounts repeat across a national graph
