"""Figures: the numbers of the text with their hedge, and what they count as a unit of the vocabulary."""

from __future__ import annotations

from ..language.numbers import Hedge, Quantity
from .model import Figure, Note, Sureness
from .quotes import quote_text, unique
from .registry import concepts

# Counted nouns that count organisations, though no unit label names them.
COUNTED_ORGANISATIONS = frozenset({"organizacja", "stowarzyszenie", "związek", "sieć", "fundacja", "klaster"})


def unit_of(quantity: Quantity) -> tuple[str | None, str]:
    """The unit notation of what a figure counts, and how it was chosen; None when the vocabulary has none."""
    if quantity.multiple:
        return "times", '"-krotnie": a multiple'
    if quantity.percent:
        return None, "a percentage: the unit vocabulary has no per cent"
    noun = quantity.noun
    if noun is None:
        return None, "no counted noun after the number"
    inherited = " (the noun of the figure before it)" if noun.inherited else ""
    for concept in concepts("unit"):
        if concept.nouns & noun.lemmas:
            return concept.notation, f"{noun.text!r} counts {concept.label!r}{inherited}"
    if noun.lemmas & COUNTED_ORGANISATIONS:
        return "organisation", f"{noun.text!r} counts organisations{inherited}"
    if noun.people:
        return "person", f"{noun.text!r} counts people (a masculine-personal noun){inherited}"
    lemma = sorted(noun.lemmas)[0]
    return None, f"{noun.text!r} ({lemma}): no unit of the vocabulary counts it; choose one or add it"


def draft_figure(text: str, quantity: Quantity, taken: set[str]) -> Figure:
    hedges = {c.notation for c in concepts("hedge")}
    hedge = quantity.hedge.value
    unit, unit_how = (None, f"money ({quantity.currency})") if quantity.currency else unit_of(quantity)
    quote = unique(text, quantity.span)
    sureness = Sureness.SURE if (quantity.currency or unit) and hedge in hedges else Sureness.CHECK
    hedge_how = "no hedge" if quantity.hedge is Hedge.EXACT else f"hedge {hedge!r}"
    if hedge not in hedges:
        hedge_how += " (not in the hedge vocabulary yet)"
    key = _key(unit or (quantity.currency and "amount") or "figure", taken)
    taken.add(key)
    note = Note(sureness, f"{quantity.value} read from {quote_text(text, quantity.number)!r}; {hedge_how}; {unit_how}")
    return Figure(key, quantity.value, hedge, unit, quantity.currency, quote, note, quote_text(text, quantity.span))


def _key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
