"""Property pair constraint components (SHACL 4.5): sh:equals, sh:lessThan, sh:lessThanOrEquals."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import URIRef
from rdflib.namespace import SH

from civicgraph.graph.terms import Blank, Lit, Term
from civicgraph.shacl.index import EMPTY, Values
from civicgraph.shacl.shapes import NO_RESULTS, Check, Constraint, Run, Shape, unsupported
from civicgraph.shacl.terms import show


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
        parameter = "sh:lessThanOrEquals" if or_equal else "sh:lessThan"

        def comparable(term: Term) -> tuple[object, bool, int | Decimal | None]:
            # pyshacl's _compare_lt/_compare_ltoe: IRIs and string literals compare as Python strings, other
            # literals with rdflib's operators — two numbers by their values, as rdflib itself does; a blank node
            # makes pyshacl stop, and so does this engine.
            if type(term) is Blank:
                raise unsupported(shape, f"cannot use {parameter} to compare a blank node ({show(term)})")
            if type(term) is Lit:
                literal = run.rdflib_literal(term)
                if isinstance(literal.value, str):
                    return literal.value, True, None
                return literal, False, run.number(term)
            return term, True, None

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
                left, left_is_string, left_number = comparable(value)  # first: a blank node stops it even alone
                for other in compared:
                    right, right_is_string, right_number = comparable(other)
                    if left_number is not None and right_number is not None:
                        ordered = in_order(left_number, right_number)
                    else:
                        ordered = left_is_string == right_is_string and in_order(left, right)
                    if not ordered:
                        failed.append(value)  # one result per pair, as pyshacl
            return failed

        return not_less
