"""Property pair constraint components (SHACL 4.5): sh:equals, sh:lessThan, sh:lessThanOrEquals."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import URIRef
from rdflib.namespace import SH

from civicgraph.graph.terms import Lit, Term
from civicgraph.shacl.compare import is_ill_typed
from civicgraph.shacl.index import EMPTY, Values
from civicgraph.shacl.shapes import NO_RESULTS, Check, Constraint, Run, Shape


@dataclass
class EqualsConstraint(Constraint):
    predicate: str
    component = SH.EqualsConstraintComponent

    def predicates(self) -> Iterator[str]:
        return iter((self.predicate,))

    def check(self, run: Run, shape: Shape) -> Check:
        others = run.index.objects(self.predicate)

        def differences(focus: Term, values: Values) -> Sequence[Term | None]:
            compared = others.get(focus, EMPTY)
            if not values and not compared:
                return NO_RESULTS
            mine, theirs = set(values), set(compared)
            if mine == theirs:
                return NO_RESULTS
            return [*(mine - theirs), *(theirs - mine)]

        return differences


# A literal as sh:lessThan compares it: its value (rdflib's), whether it is a string, its number (or None).
Comparable = tuple[object, bool, int | Decimal | None]


@dataclass
class LessThanConstraint(Constraint):
    predicate: str
    or_equal: bool

    @property
    def component(self) -> URIRef:  # type: ignore[override]
        return SH.LessThanOrEqualsConstraintComponent if self.or_equal else SH.LessThanConstraintComponent

    def predicates(self) -> Iterator[str]:
        return iter((self.predicate,))

    def check(self, run: Run, shape: Shape) -> Check:
        others, or_equal = run.index.objects(self.predicate), self.or_equal

        def comparable(term: Term) -> Comparable | None:
            # SPARQL's < and <=: numbers by value, strings with strings, dates, times and years each with their
            # own kind (by rdflib's reading of a well-typed literal). An IRI, a blank node or an ill-typed literal
            # cannot be compared (None), which SHACL makes a result; pyshacl compares IRIs as strings and stops
            # at a blank node (docs/validation.md).
            if type(term) is not Lit or is_ill_typed(term):
                return None
            literal = run.rdflib_literal(term)
            if isinstance(literal.value, str):
                return literal.value, True, None
            return literal, False, run.number(term)

        def ordered(left: Comparable, right: Comparable) -> bool:
            (left_value, left_is_string, left_number), (right_value, right_is_string, right_number) = left, right
            if left_number is not None and right_number is not None:
                return in_order(left_number, right_number)
            return left_is_string == right_is_string and in_order(left_value, right_value)

        def in_order(left: object, right: object) -> bool:
            # SHACL: two values that cannot be compared are a result; pyshacl raises instead (TypeError for a
            # gYear against a date, InvalidOperation for a "NaN" decimal), which would stop the whole validation.
            try:
                return bool(left <= right if or_equal else left < right)  # type: ignore[operator]
            except (TypeError, InvalidOperation):
                return False

        def not_less(focus: Term, values: Values) -> Sequence[Term | None]:
            compared = others.get(focus, EMPTY)
            failed: list[Term | None] = []
            for value in values:
                left = comparable(value)
                for other in compared:
                    right = comparable(other)
                    if left is None or right is None or not ordered(left, right):
                        failed.append(value)  # one result per pair of values
            return failed

        return not_less
