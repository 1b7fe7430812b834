"""Names found and matched whatever their case, quotation marks, dashes and capitals."""

from __future__ import annotations

import pytest

from civicgraph.language.names import How, NameIndex
from civicgraph.language.text import Span

ENTRIES = [
    ("zmp", "Związek Miast Polskich", "name"),
    ("zmp", "ZMP", "abbreviation"),
    ("ubc", "Związek Miast Bałtyckich", "name"),
    ("ubc", "Union of the Baltic Cities", "english"),
    ("metropolia-poznan", "Metropolia Poznań", "name"),
    ("metropolia-poznan", "Stowarzyszenie Metropolia Poznań", "variant"),
    ("forum", "Stowarzyszenie „Forum Rewitalizacji”", "name"),
    ("zgwrp", "Związek Gmin Wiejskich Rzeczypospolitej Polskiej", "name"),
    ("sgipp", "Stowarzyszenie Gmin i Powiatów Pojezierza", "name"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(ENTRIES)


def whole(index: NameIndex, printed: str) -> list[tuple[str, How]]:
    return [(m.key, m.how) for m in index.match(printed, Span(0, len(printed)))]


@pytest.mark.parametrize(
    ("printed", "key", "how"),
    [
        ("Związek Miast Polskich", "zmp", How.EXACT),
        ("Związku Miast Polskich", "zmp", How.INFLECTED),
        ("Związkowi Miast Polskich", "zmp", How.INFLECTED),
        ("Stowarzyszeniem Metropolia Poznań", "metropolia-poznan", How.INFLECTED),
        ("Metropolii Poznań", "metropolia-poznan", How.INFLECTED),
        ("ZWIĄZEK MIAST POLSKICH", "zmp", How.EXACT),
        ("Stowarzyszenie Forum Rewitalizacji", "forum", How.EXACT),
        ("Stowarzyszenia „Forum Rewitalizacji”", "forum", How.INFLECTED),
        ("Union of the Baltic Cities", "ubc", How.EXACT),
        ("ZMP", "zmp", How.ABBREVIATION),
        ("Związek Gmin Wiejskich RP", "zgwrp", How.INITIALS),
        ("Stowarzyszenie Gmin i Powiatów Pojezierza (SGiPP)", "sgipp", How.LONGER),
        ("Związek Gmin Wiejskich", "zgwrp", How.SHORTENED),
        ("Zwiazek Miast Polskch", "zmp", How.SIMILAR),
    ],
)
def test_a_printed_name_is_matched(index: NameIndex, printed: str, key: str, how: How) -> None:
    assert whole(index, printed)[0] == (key, how)


@pytest.mark.parametrize("printed", ["Związek Gmin Podgórza", "Fundacja Rozwoju Demokracji Lokalnej", "zmp"])
def test_a_name_recorded_nowhere_matches_nothing(index: NameIndex, printed: str) -> None:
    assert whole(index, printed) == []


def test_names_sharing_words_are_not_confused(index: NameIndex) -> None:
    assert whole(index, "Związku Miast Bałtyckich")[0][0] == "ubc"
    assert [m.key for m in index.find("Związku Miast Bałtyckich")] == ["ubc"]


def test_names_in_running_text(index: NameIndex) -> None:
    text = "W ramach współpracy ze Stowarzyszeniem Metropolia Poznań oraz w Związku Miast Polskich (ZMP) miasto"
    found = index.find(text)
    assert [(m.key, m.span.of(text), m.how) for m in found] == [
        ("metropolia-poznan", "Stowarzyszeniem Metropolia Poznań", How.INFLECTED),
        ("zmp", "Związku Miast Polskich", How.INFLECTED),
        ("zmp", "ZMP", How.ABBREVIATION),
    ]


def test_a_name_recorded_with_quotation_marks_keeps_the_closing_one(index: NameIndex) -> None:
    text = "członek Stowarzyszenia „Forum Rewitalizacji” od 2010 r."
    assert [m.span.of(text) for m in index.find(text)] == ["Stowarzyszenia „Forum Rewitalizacji”"]


def test_strict_finding_accepts_only_the_recorded_words(index: NameIndex) -> None:
    text = "Dzięki członkostwu w Związku Gmin Wiejskich RP sołtysi"
    assert [m.how for m in index.find(text)] == [How.INITIALS]
    assert index.find(text, strict=True) == []
