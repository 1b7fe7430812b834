"""Sentences and list items of report texts, with their offsets."""

from __future__ import annotations

from civicgraph.language.text import fold, is_list_item, item_body, lines, paragraphs, sentences


def split(text: str) -> list[str]:
    return [s.of(text) for s in sentences(text)]


def test_abbreviations_that_never_end_a_sentence() -> None:
    text = "W 2023 r. m.in. kontynuowano działania, prowadzono projekt pn. „WłączaMY ZERO WASTE!” promujący. Dalej."
    assert split(text) == [
        "W 2023 r. m.in. kontynuowano działania, prowadzono projekt pn. „WłączaMY ZERO WASTE!” promujący.",
        "Dalej.",
    ]


def test_a_year_with_r_may_end_a_sentence_and_an_ordinal_does_not() -> None:
    text = "Jest członkiem od 1991 r. W 2024 r. uczestniczyło w 17. Konferencji Generalnej UBC. Koniec."
    assert split(text) == [
        "Jest członkiem od 1991 r.",
        "W 2024 r. uczestniczyło w 17. Konferencji Generalnej UBC.",
        "Koniec.",
    ]


def test_every_list_line_is_a_sentence_of_its_own() -> None:
    text = "należały:\n\n • Związek Miast Polskich;\n • Metropolia Poznań.\n\nW ramach współpracy."
    assert split(text) == ["należały:", "Związek Miast Polskich;", "Metropolia Poznań.", "W ramach współpracy."]
    items = [line for line in lines(text) if is_list_item(text, line)]
    assert [item_body(text, line).of(text) for line in items] == ["Związek Miast Polskich", "Metropolia Poznań"]


def test_numbered_and_lettered_lists() -> None:
    text = "organizacji:\n1. Energy Cities\n2. Climate Alliance\na) Związku Powiatów Polskich,\n"
    items = [item_body(text, line).of(text) for line in lines(text) if is_list_item(text, line)]
    assert items == ["Energy Cities", "Climate Alliance", "Związku Powiatów Polskich"]


def test_paragraphs_are_separated_by_blank_lines() -> None:
    text = "Pierwszy akapit.\nDalej.\n\n  Drugi akapit."
    assert [p.of(text) for p in paragraphs(text)] == ["Pierwszy akapit.\nDalej.", "Drugi akapit."]


def test_paragraphs_of_a_text_saved_on_windows_are_those_of_the_same_text_with_line_feeds() -> None:
    """A blank line is "\r\n" alone in a text saved on Windows: it parts paragraphs as "\n" alone does."""
    text = "Pierwszy akapit.\r\nDalej.\r\n\r\n  Drugi akapit.\r\n \r\nTrzeci."
    assert [p.of(text) for p in paragraphs(text)] == ["Pierwszy akapit.\r\nDalej.", "Drugi akapit.", "Trzeci."]


def test_fold_ignores_case_diacritics_quotation_marks_and_dashes() -> None:
    assert fold("Stowarzyszenie „Forum Rewitalizacji”") == fold("stowarzyszenie forum rewitalizacji")
    assert fold("PLOT – Poznańska\u00a0Lokalna") == "plot poznanska lokalna"
