"""Value range constraint components (SHACL 4.3): sh:minInclusive."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import InvalidOperation

from rdflib import Literal
from rdflib.namespace import SH

from civicgraph.graph.terms import Lit, Term
from civicgraph.shacl.compare import compare_literals, is_ill_typed, xsd_number
from civicgraph.shacl.shapes import Constraint, Run, Shape, Test, remembered
from civicgraph.shacl.terms import term_from_rdflib


@dataclass
class MinInclusiveConstraint(Constraint):
    minimum: Literal
    component = SH.MinInclusiveConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        minimum, as_rdflib, number = self.minimum, run.rdflib_literal, run.number
        minimum_is_string = isinstance(minimum.value, str)
        minimum_number = xsd_number(term_from_rdflib(minimum))  # type: ignore[arg-type]  # a literal (compiler)

        def at_least(value: Term) -> bool:
            # SPARQL's >=: IRIs and blank nodes fail; numbers compare by value, strings only with strings; an
            # ill-typed literal ("1E3"^^xsd:decimal) cannot be compared, which SHACL makes a result.
            if type(value) is not Lit:
                return False
            value_number = number(value)
            if value_number is not None and minimum_number is not None:
                return value_number >= minimum_number
            if is_ill_typed(value):
                return False
            literal = as_rdflib(value)
            if isinstance(literal.value, str) != minimum_is_string:
                return False
            try:
                return compare_literals(literal, minimum) >= 0
            except (TypeError, NotImplementedError, InvalidOperation):
                return False  # SHACL: a value that cannot be compared is a result (pyshacl stops on "NaN" decimals)

        return remembered(at_least)  # offsets, counts and amounts repeat across a national graph
