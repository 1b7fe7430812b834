"""Which literals are well-typed: the lexical spaces of XML Schema 1.1 Part 2, as RDF 1.1 and SHACL use them.

A literal is ill-typed when its lexical form is not in its datatype's lexical space (RDF 1.1 Concepts, 3.3) and
sh:datatype then reports it (SHACL 4.1.2). The spaces below are the grammar productions of XSD 1.1 Part 2
(decimalLexicalRep, dateLexicalRep, …) written as regular expressions, matched against the whole lexical form,
plus the rules a grammar cannot say (a day that exists in its month, an integer type's bounds).

Where engines read these spaces their own way (rdflib, and so pyshacl, takes what Python's ``Decimal`` or
``int`` takes — ``"1E3"``, ``"INF"``, ``"1_000"``, ``"٣"``; Apache Jena first collapses whitespace, as an XML
validator does to element content, so ``" 5"`` is a decimal there), civicgraph follows the specification: an RDF
literal's lexical form is used as it is, with no whitespace processing (RDF 1.1 Concepts, 3.3: the lexical form
must be in the lexical space). docs/validation.md lists each difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# XSD 1.1 Part 2, appendix D.3 and the datatypes' lexical mappings.
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"  # yearFrag: at least four digits, no leading zero beyond four
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"  # timezoneFrag: -14:00 … +14:00
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"

_PATTERNS = {
    "string": None,  # checked by _is_xml_text: any sequence of XML characters
    "boolean": r"true|false|1|0",
    "decimal": _DECIMAL,
    "integer": r"[+-]?[0-9]+",
    "double": rf"({_DECIMAL}([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)",
    "float": rf"({_DECIMAL}([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)",
    "date": rf"{_YEAR}-{_MONTH}-{_DAY}{_ZONE}",
    "dateTime": rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_ZONE}",
    "time": rf"{_TIME}{_ZONE}",
    "gYear": rf"{_YEAR}{_ZONE}",
    "gYearMonth": rf"{_YEAR}-{_MONTH}{_ZONE}",
    "hexBinary": r"([0-9a-fA-F]{2})*",
    "anyURI": None,  # XSD 1.1: any sequence of XML characters (the 1.0 rules on URI syntax were dropped)
}
# The integer types derived from xsd:integer, by their value bounds (inclusive; None: unbounded).
_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
# XML 1.0's Char production: XSD 1.1 leaves the choice of XML 1.0 or 1.1 to the implementation; civicgraph takes
# XML 1.0's, so control characters other than tab, line feed and carriage return make a string ill-typed.
_XML_TEXT = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_COMPILED = {name: re.compile(pattern) for name, pattern in _PATTERNS.items() if pattern is not None}
_DATE_PARTS = re.compile(r"(-?[0-9]+)-([0-9]{2})-([0-9]{2})")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_xml_text(lexical: str) -> bool:
    return _XML_TEXT.fullmatch(lexical) is not None


def _day_exists(lexical: str) -> bool:
    """dateLexicalRep's constraint: the day is at most the number of days in its month (XSD 1.1 counts the year
    0000, 1 BCE, as a leap year, as the proleptic Gregorian calendar does)."""
    parts = _DATE_PARTS.match(lexical)
    assert parts is not None  # the grammar matched before
    year, month, day = (int(part) for part in parts.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= (29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1])


def _checker(name: str) -> Callable[[str], bool] | None:
    if name in ("string", "anyURI"):
        return _is_xml_text
    if name in _INTEGER_BOUNDS:
        low, high = _INTEGER_BOUNDS[name]
        grammar = _COMPILED["integer"]
        return lambda lexical: (
            grammar.fullmatch(lexical) is not None
            and ((low is None or int(lexical) >= low) and (high is None or int(lexical) <= high))
        )
    if name not in _COMPILED:
        return None
    grammar = _COMPILED[name]
    if name in ("date", "dateTime"):
        return lambda lexical: grammar.fullmatch(lexical) is not None and _day_exists(lexical)
    return lambda lexical: grammar.fullmatch(lexical) is not None


WELL_TYPED: dict[str, Callable[[str], bool]] = {
    XSD + name: checker for name in (*_PATTERNS, *_INTEGER_BOUNDS) if (checker := _checker(name)) is not None
}
WELL_TYPED[RDF_LANG_STRING] = _is_xml_text


def is_well_typed(lexical: str, datatype: str) -> bool | None:
    """Whether ``lexical`` is in the lexical space of ``datatype``; None for a datatype not known here."""
    checker = WELL_TYPED.get(datatype)
    return None if checker is None else checker(lexical)
