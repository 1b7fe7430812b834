"""Comparing literals as pyshacl does (rdflib's value space): shared by the range and property-pair components."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from rdflib import Literal
from rdflib.namespace import XSD

# Numeric datatypes rdflib compares by value alone (they are in its _NUMERIC_LITERAL_TYPES): for two well-typed
# literals with finite values, its eq, <, <=, > are those of the values, so the engine may compare the values.
ORDERED_NUMBERS = (str(XSD.integer), str(XSD.decimal))


def ordered_number(literal: Literal) -> int | Decimal | None:
    """The value of a well-typed xsd:integer or xsd:decimal literal with a finite value, else None."""
    if str(literal.datatype) in ORDERED_NUMBERS and not literal.ill_typed:
        value = literal.value
        if (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, Decimal) and value.is_finite()
        ):
            return value
    return None


def compare_literals(first: Literal, second: Literal) -> int:
    """pyshacl 0.40's rdfutil.compare.compare_literal: rdflib's value-space order, datetimes and times unforced."""
    if first.eq(second):
        return 0
    if first.value.__class__ in (datetime, time):
        if first.value == second.value:
            return 0
        if first.value > second.value:
            return 1
    elif first > second:
        return 1
    return -1
