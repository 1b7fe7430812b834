"""The site's small pieces: numbers and amounts as people read them, Polish noun forms, passages marked in a text
(nested and overlapping, the text itself untouched), bar widths, relative links."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import html

from civicgraph.publish.site.charts import bar_width
from civicgraph.publish.site.marks import Mark, paragraphs
from civicgraph.publish.site.model import relative
from civicgraph.publish.site.numbers import amount, format_number, percent
from civicgraph.publish.site.words import counted

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "currency", "lang", "shown"),
    [
        # As the Poznań 2023 report prints them: "blisko 1,4 mld zł", "ponad 800 mln zł".
        ("1400000000", "PLN", "pl", "1,4 mld zł"),
        ("800000000", "PLN", "pl", "800 mln zł"),
        ("1400000000", "PLN", "en", "PLN 1.4 billion"),
        ("2500000", "PLN", "pl", "2,5 mln zł"),
        # Not shortened when a digit would be lost, nor below a million.
        ("1234567", "PLN", "pl", "1 234 567 zł"),
        ("56758.96", "PLN", "pl", "56 758,96 zł"),
        ("56758.96", "EUR", "en", "EUR 56,758.96"),
        # A count is its digits, never shortened: "przeszkolono 7233 osoby".
        ("7233", None, "pl", "7 233"),
        ("2000000", None, "en", "2,000,000"),
    ],
)
def test_amounts_read_as_reports_print_them(value: str, currency: str | None, lang: str, shown: str) -> None:
    assert amount(Decimal(value), currency, lang) == shown.replace(" ", NBSP)


def test_numbers_percentages_and_noun_forms() -> None:
    assert format_number("14025", "pl") == f"14{NBSP}025"  # "możliwość nauki dla 14 025 uczniów"
    assert format_number("14025", "en") == "14,025"
    assert format_number("0.5", "pl") == "0,5"
    assert percent(2562, 3091) == 83 and percent(1, 200) == 1 and percent(0, 0) == 0
    forms = {n: counted(n, "organisation", "pl") for n in (1, 2, 4, 5, 12, 16, 22, 25, 112)}
    assert forms == {
        1: f"1{NBSP}organizacja",
        2: f"2{NBSP}organizacje",
        4: f"4{NBSP}organizacje",
        5: f"5{NBSP}organizacji",
        12: f"12{NBSP}organizacji",
        16: f"16{NBSP}organizacji",
        22: f"22{NBSP}organizacje",
        25: f"25{NBSP}organizacji",
        112: f"112{NBSP}organizacji",
    }
    assert counted(1, "membership", "en") == f"1{NBSP}membership"
    assert counted(2, "membership", "en") == f"2{NBSP}memberships"


def _marked(text: str, marks: list[Mark]) -> html.HtmlElement:
    return html.fragment_fromstring(paragraphs(text, marks), create_parent="div")


def test_nested_passages_are_nested_marks_and_the_text_is_untouched() -> None:
    text = "Zrealizowano 139 projektów za blisko 1,4 mld zł.\nDruga linia."
    outer = Mark(0, 48, "m-activity", "a", after="<sup>1</sup>")
    inner = Mark(13, 26, "m-figure", "f", before='<span id="f/quote"></span>', after="<sup>2</sup>")
    root = _marked(text, [inner, outer])
    first, second = root.findall("p")
    assert second.text_content() == "Druga linia."
    (activity,) = first.findall("mark")
    assert (activity.get("id"), activity.get("class")) == ("a", "m-activity")
    (figure,) = activity.findall("mark")
    assert (figure.get("id"), figure.text_content()) == ("f", "139 projektów")
    assert figure.getprevious().get("id") == "f/quote"  # the selector's anchor just before its passage
    for sup in root.iter("sup"):
        sup.drop_tree()
    assert [p.text_content() for p in root.findall("p")] == text.split("\n")


def test_overlapping_passages_are_split_so_the_html_stays_nested() -> None:
    text = "aaa bbb ccc"
    root = _marked(text, [Mark(0, 7, "x", "x", after="<sup>x</sup>"), Mark(4, 11, "y", "y", after="<sup>y</sup>")])
    (paragraph,) = root.findall("p")
    # x: "aaa bbb" (ids on the first piece only); y: "bbb" inside x, then " ccc" after it.
    assert html.tostring(paragraph, encoding="unicode", with_tail=False) == (
        '<p><mark class="x" id="x">aaa <mark class="y" id="y">bbb</mark></mark><sup>x</sup>'
        '<mark class="y"> ccc</mark><sup>y</sup></p>'
    )


def test_a_passage_across_lines_is_marked_in_each_paragraph() -> None:
    text = "one two\nthree four"
    root = _marked(text, [Mark(4, 13, "x", "x", after="<sup>1</sup>")])
    first, second = root.findall("p")
    assert [m.text_content() for m in first.iter("mark")] == ["two"]
    assert [m.text_content() for m in second.iter("mark")] == ["three"]
    assert [m.get("id") for m in root.iter("mark")] == ["x", None]
    assert [s.getparent().tag for s in root.iter("sup")] == ["p"] and second.find("sup") is not None


def test_bar_widths_are_decimal_and_rounded_half_up() -> None:
    assert bar_width(Decimal(800000000), Decimal(1400000000)) == "57.1"
    assert bar_width(Decimal(3), Decimal(48)) == "6.3"  # 6.25 → 6.3
    assert bar_width(Decimal(48), Decimal(48)) == "100"
    assert bar_width(Decimal(0), Decimal(48)) == "0"


def test_relative_links() -> None:
    assert relative("member/3064011", "organisation/zmp.html") == "../organisation/zmp.html"
    assert relative("index", "member/3064011.html") == "member/3064011.html"
    assert relative("report/3064011/2023", "report/3064011/2023/text.html") == "2023/text.html"
    assert relative("vocab/index", "vocab/hedge.html") == "hedge.html"
