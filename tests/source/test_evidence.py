"""Locating quotes: any run of white space in a quote matches any run in the text; offsets are the text's own.

Expected offsets are counted by hand in the short texts below (code points, end exclusive).
"""

from __future__ import annotations

import pytest

from civicgraph.source.evidence import QuoteNotFound, QuoteNotUnique, locate

# A0 l1 a2 NBSP3 m4 a5 sp6 sp7 k8 o9 t10 a11 .12 NL13 A14 l15 a16 sp17 m18 a19 sp20 p21 s22 a23 .24
TEXT = "Ala\u00a0ma  kota.\nAla ma psa."


def test_a_quote_typed_with_one_space_matches_two_spaces_and_a_no_break_space() -> None:
    passage = locate(TEXT, "ma kota")
    assert (passage.start, passage.end) == (4, 12)
    assert passage.exact == "ma  kota"
    assert passage.prefix == "Ala\u00a0"
    assert passage.suffix == ".\nAla ma psa."


def test_a_quote_across_a_line_break() -> None:
    passage = locate(TEXT, "kota. Ala")
    assert (passage.start, passage.end) == (8, 17)
    assert passage.exact == "kota.\nAla"


def test_a_quote_with_extra_white_space_of_its_own() -> None:
    passage = locate(TEXT, "  ma \t psa ")
    assert (passage.start, passage.end) == (18, 24)


def test_occurrences_with_different_white_space_count_as_two() -> None:
    with pytest.raises(QuoteNotUnique) as raised:
        locate(TEXT, "Ala ma")
    assert raised.value.count == 2


def test_a_quote_missing_from_the_text() -> None:
    with pytest.raises(QuoteNotFound):
        locate(TEXT, "ma psa i kota")
    with pytest.raises(QuoteNotFound):
        locate(TEXT, " \n ")
