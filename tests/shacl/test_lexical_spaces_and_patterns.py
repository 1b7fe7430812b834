"""The two standards SHACL defers to, as civicgraph.shacl implements them: XSD 1.1 lexical spaces (sh:datatype) and
XPath regular expressions (sh:pattern, sh:flags). Every expectation is quoted from the specification it cites."""

from __future__ import annotations

import pytest

from civicgraph.shacl.regex import InvalidPattern, compile_pattern
from civicgraph.shacl.xsd import WELL_TYPED, is_well_typed

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("datatype", "lexical", "well_typed"),
    [
        # decimalLexicalRep ::= decimalPtNumeral | noDecimalPtNumeral (XSD 1.1 Part 2, 3.3.3)
        ("decimal", "-1.23", True),
        ("decimal", "+100000.00", True),
        ("decimal", "210", True),
        ("decimal", "5.", True),
        ("decimal", ".5", True),
        ("decimal", ".", False),
        ("decimal", "1E3", False),  # an exponent is xsd:double's
        ("decimal", "INF", False),
        ("decimal", "NaN", False),
        ("decimal", " 5", False),  # an RDF lexical form is taken as written: no whitespace processing
        ("decimal", "5\n", False),
        ("decimal", "1_000", False),
        ("decimal", "٣", False),  # digits are #x30-#x39
        # integer: [\-+]?[0-9]+, and the bounds of the types derived from it (3.4.13 and after)
        ("integer", "-0", True),
        ("integer", "12.0", False),
        ("byte", "127", True),
        ("byte", "128", False),
        ("nonNegativeInteger", "-1", False),
        ("unsignedLong", "18446744073709551615", True),
        # dateLexicalRep, with the day-of-month constraint (3.3.9, D.3.5); year 0000 is 1 BCE, a leap year
        ("date", "2024-02-29", True),
        ("date", "2023-02-29", False),
        ("date", "1900-02-29", False),
        ("date", "2000-02-29", True),
        ("date", "0000-02-29", True),
        ("date", "-0004-02-29", True),
        ("date", "2023-04-31", False),
        ("date", "2023-1-1", False),
        ("date", "2023-01-01Z", True),
        ("date", "2023-01-01-14:00", True),
        ("date", "2023-01-01+14:01", False),  # timezoneFrag: at most 14:00
        # gYearLexicalRep (3.3.11): four digits or more, no leading zero beyond four
        ("gYear", "2023", True),
        ("gYear", "23", False),
        ("gYear", "02023", False),
        ("gYear", "12023", True),
        ("gYear", "-0044", True),
        # dateTime: hour 24 only as 24:00:00 (3.3.7)
        ("dateTime", "2023-01-01T24:00:00", True),
        ("dateTime", "2023-01-01T24:00:01", False),
        # anyURI (3.3.17): XSD 1.1 takes any string of XML characters
        ("anyURI", "::", True),
        ("anyURI", "http://example.org/a b", True),
        # string (3.3.1): XML characters; civicgraph takes XML 1.0's Char, as XSD 1.1 allows
        ("string", "tab\there", True),
        ("string", "bell\x07", False),
        ("string", "nul\x00", False),
        ("string", "\ufffe", False),
        ("boolean", "1", True),
        ("boolean", "True", False),
        ("double", "-INF", True),
        ("double", "1e-5", True),
        ("hexBinary", "0FB7", True),
        ("hexBinary", "0FB", False),
    ],
)
def test_lexical_spaces_are_xml_schema_11s(datatype: str, lexical: str, well_typed: bool) -> None:
    assert is_well_typed(lexical, XSD + datatype) is well_typed


def test_a_datatype_without_a_lexical_space_here_is_not_judged() -> None:
    assert is_well_typed("x", "http://example.org/myDatatype") is None
    assert XSD + "duration" not in WELL_TYPED  # the compiler refuses a shape asking for it


@pytest.mark.parametrize(
    ("pattern", "flags", "text", "matches"),
    [
        # F&O 3.1, 5.6.1.1: without "m", $ matches only at the end of the string (Python's also before a final \n)
        ("^[0-9]{7}$", "", "3064011", True),
        ("^[0-9]{7}$", "", "3064011\n", False),
        # without "s", . matches neither newline nor carriage return
        ("^a.b$", "", "a\rb", False),
        ("^a.b$", "s", "a\rb", True),
        ("^abc$", "i", "ABC", True),
        # "m": ^ after a newline, $ before one — but not after or before a newline that ends the string
        ("^b$", "m", "a\nb", True),
        ("^$", "m", "a\n", False),
        ("^$", "m", "a\n\n", True),
        # "x": whitespace removed outside character classes; "#" stays a character
        ("a b", "x", "ab", True),
        ("a#b", "x", "a#b", True),
        ("[a b]+", "x", " ", True),
        # "q": every character stands for itself
        ("a.b", "q", "a.b", True),
        ("a.b", "q", "axb", False),
        # XML Schema's character classes: \s is space, tab, newline, return; \w excludes punctuation (so "_")
        ("^\\s$", "", "\f", False),
        ("^\\w$", "", "_", False),
        ("^\\w$", "", "$", True),
        ("^\\d$", "", "٣", True),  # \d is \p{Nd}
        ("^\\p{Lu}$", "", "Ł", True),
        ("^[a-z-[aeiou]]$", "", "e", False),  # class subtraction
        ("^[a-z-[aeiou]]$", "", "b", True),
    ],
)
def test_patterns_are_xpath_regular_expressions(pattern: str, flags: str, text: str, matches: bool) -> None:
    assert (compile_pattern(pattern, flags).search(text) is not None) is matches


@pytest.mark.parametrize(
    ("pattern", "flags", "named"),
    [
        ("a\\b", "", "\\\\b"),  # \b is Python's word boundary, not XPath
        ("(?=a)", "", "(?"),  # no look-ahead in XPath
        ("[a", "", "[a"),
        ("a", "g", "'g' is not an XPath regular-expression flag"),
    ],
)
def test_what_is_not_an_xpath_regular_expression_is_refused(pattern: str, flags: str, named: str) -> None:
    with pytest.raises(InvalidPattern, match=named.replace("(", "\\(").replace("[", "\\[")):
        compile_pattern(pattern, flags)
