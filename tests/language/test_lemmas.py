"""Readings of words from Morfeusz's dictionary."""

from __future__ import annotations

from civicgraph.language.lemmas import inflect, lemmas, readings


def test_every_reading_of_a_word() -> None:
    assert {"związek"} <= lemmas("Związku")
    assert {"rok", "lato"} <= lemmas("lat")
    assert "tysiąc" in {r.lemma for r in readings("tys.")}  # an abbreviation with its period


def test_an_unknown_word_stands_for_itself() -> None:
    assert lemmas("Dębogrodu") == frozenset({"dębogrodu"})
    assert [r.pos for r in readings("Dębogrodu")] == ["ign"]


def test_masculine_personal_nouns_count_people() -> None:
    assert any(r.counts_people for r in readings("urzędników"))
    assert not any(r.counts_people for r in readings("szkoleń"))


def test_a_word_put_into_the_nominative_keeps_its_capital() -> None:
    reading = next(r for r in readings("Fundacji") if r.is_noun and r.has("gen"))
    assert inflect("Fundacji", reading, "nom", "sg", frozenset({"f"})) == "Fundacja"
