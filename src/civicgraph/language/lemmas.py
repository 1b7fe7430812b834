"""Polish words reduced to their dictionary forms, with Morfeusz 2 and its SGJP dictionary.

Morfeusz was chosen over simplemma, spaCy's Polish lookup tables, LemmaGen and the Stempel stemmer by measuring
them on the report texts (``benchmarks/language_choices.py``): it gives every reading of a word, not a guess
at one ("Związku" is "związek" in the genitive and the locative; "lat" is a form of "rok"), with case, number
and gender, so names are compared by the readings two forms share, the head noun of a printed name can be put
back into the nominative, and a counted noun can be recognised as counting people (masculine-personal gender).

Words the dictionary does not know (new place names, English names) stand for themselves, case-folded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import morfeusz2


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a word: its lemma and its grammatical features as Morfeusz tags them."""

    lemma: str  # without Morfeusz's qualifiers ("rok:Sm3~lata" is "rok"), case kept ("Poznań")
    pos: str  # subst, adj, num, fin, ger, brev, ign (unknown word), ...
    features: tuple[frozenset[str], ...]  # the tag's further fields, each a set of alternatives: {sg}, {gen, loc}

    def has(self, value: str) -> bool:
        return any(value in alternatives for alternatives in self.features)

    def value_of(self, group: frozenset[str]) -> frozenset[str]:
        """The alternatives this reading has among ``group`` (its cases, its numbers or its genders)."""
        return frozenset().union(*(alternatives & group for alternatives in self.features))

    @property
    def is_noun(self) -> bool:
        return self.pos in ("subst", "depr")

    @property
    def is_adjective(self) -> bool:
        return self.pos in ("adj", "pact", "ppas")

    @property
    def counts_people(self) -> bool:
        """A noun of the masculine-personal gender (m1): urzędników, delegatów, mieszkańców."""
        return self.is_noun and self.has("m1")


@cache
def _analyser() -> Any:
    return morfeusz2.Morfeusz(generate=False, expand_tags=False)


@cache
def _generator() -> Any:
    return morfeusz2.Morfeusz(analyse=False, generate=True, expand_tags=False)


@lru_cache(maxsize=65536)
def readings(word: str) -> tuple[Reading, ...]:
    """Every reading of a single word; a word Morfeusz does not know has one reading of part of speech ``ign``."""
    found: dict[Reading, None] = {}
    analyses = _analyser().analyse(word)
    last = max((end for _, end, _ in analyses), default=0)
    for start, end, (_, lemma, tag, _, _) in analyses:
        # An abbreviation with its period ("tys.") is the abbreviation read before the period.
        whole = end == last or (word.endswith(".") and end == last - 1 and tag.startswith("brev:pun"))
        if start != 0 or not whole:
            continue  # a part of a word Morfeusz splits ("miałbym"); the whole word is what names are made of
        pos, *rest = tag.split(":")
        found[Reading(lemma.split(":")[0], pos, tuple(frozenset(field.split(".")) for field in rest))] = None
    if not found:
        found[Reading(word, "ign", ())] = None
    return tuple(found)


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """The case-folded lemmas of every reading of ``word``, and the word itself case-folded."""
    return frozenset({word.casefold(), *(r.lemma.casefold() for r in readings(word))})


def agrees(a: Reading, b: Reading) -> bool:
    """Whether two readings can be the same number, case and gender (an adjective and its noun)."""
    return all(
        a.value_of(group) & b.value_of(group)
        for group in (_NUMBERS, _CASES, _GENDERS)
        if a.value_of(group) and b.value_of(group)
    )


def inflect(word: str, reading: Reading, case: str, number: str, gender: frozenset[str]) -> str | None:
    """``word`` (read as ``reading``) in another case and number, its capitalisation kept; None when the
    dictionary has no such form."""
    for form, _, tag, _, _ in _generator().generate(reading.lemma):
        fields = [frozenset(field.split(".")) for field in tag.split(":")[1:]]
        if len(fields) < 3 or number not in fields[0] or case not in fields[1]:
            continue
        if reading.is_adjective and not gender & fields[2]:
            continue
        return _capitalised_as(word, form)
    return None


_GENDERS = frozenset({"m1", "m2", "m3", "f", "n"})
_NUMBERS = frozenset({"sg", "pl"})
_CASES = frozenset({"nom", "gen", "dat", "acc", "inst", "loc", "voc"})


def _capitalised_as(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
