"""Comparing literals as SPARQL's operators do: shared by the range and property-pair components.

Numbers (xsd:integer, xsd:decimal) compare by value; other literals by rdflib's reading of their values, once they
are known to be well-typed. An ill-typed literal (``"1E3"^^xsd:decimal``) has no value and cannot be compared,
which SHACL makes a validation result (pyshacl compares the value rdflib reads with Python's Decimal).
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from rdflib import Literal
from rdflib.namespace import XSD

from civicgraph.graph.terms import Lit
from civicgraph.shacl.xsd import WELL_TYPED

XSD_INTEGER, XSD_DECIMAL = str(XSD.integer), str(XSD.decimal)
# The numeric datatypes compared by value here: both in xsd:decimal's value space.
ORDERED_NUMBERS = (XSD_INTEGER, XSD_DECIMAL)


def is_ill_typed(literal: Lit) -> bool:
    """Whether the literal's lexical form is outside its datatype's lexical space (for the datatypes known)."""
    well_typed = WELL_TYPED.get(literal.datatype)
    return well_typed is not None and not well_typed(literal.lexical)


def xsd_number(literal: Lit) -> int | Decimal | None:
    """The value of a well-typed xsd:integer or xsd:decimal literal, else None. Their lexical spaces are part of
    what Python's int and Decimal read, so a form XSD accepts reads as the value XSD gives it."""
    if literal.datatype not in ORDERED_NUMBERS or is_ill_typed(literal):
        return None
    return int(literal.lexical) if literal.datatype == XSD_INTEGER else Decimal(literal.lexical)


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
