"""A printed organisation name put back into the nominative, and the type its head noun states."""

from __future__ import annotations

import re
import unicodedata

from ..language.lemmas import Reading, agrees, inflect, readings
from ..language.names import NameIndex
from ..language.text import Span, Token, tokens
from .registry import concepts


def nominative_name(text: str, span: Span) -> str:
    """``Fundacji Wspierania Szkolnictwa Zawodowego`` is ``Fundacja Wspierania Szkolnictwa Zawodowego``;
    ``Celowym Związku Gmin „Czysty Pojezierz”`` is ``Celowy Związek Gmin „Czysty Pojezierz”``: the head noun and
    the adjectives that agree with it, before it and right after it, in the nominative; the rest as printed."""
    words = [t for t in tokens(text, span.start, span.end) if t.is_word]
    printed = span.of(text)
    head_index, head = _head(words)
    if head is None or any(r.has("nom") and r.has("sg") for r in readings(words[head_index].text) if r.is_noun):
        return printed
    number = "sg" if head.has("sg") else "pl"
    gender = head.value_of(frozenset({"m1", "m2", "m3", "f", "n"}))
    changed: dict[int, str] = {}
    replacement = inflect(words[head_index].text, head, "nom", number, gender)
    if replacement is None:
        return printed
    changed[head_index] = replacement
    for index in [*range(head_index - 1, -1, -1), *range(head_index + 1, len(words))]:
        adjective = _agreeing_adjective(words[index].text, head)
        if adjective is None:
            if index < head_index:
                continue
            break
        inflected = inflect(words[index].text, adjective, "nom", number, gender)
        if inflected is not None:
            changed[index] = inflected
    result, at = [], span.start
    for index, word in enumerate(words):
        if index in changed:
            result.append(text[at : word.start] + changed[index])
            at = word.end
    result.append(text[at : span.end])
    return "".join(result)


def _head(words: list[Token]) -> tuple[int, Reading | None]:
    """The head noun of the name and the reading to put into the nominative (singular and oblique), or None
    when the name is already in the nominative.

    The head is the first word that can only be a noun ("Związku", not "Wielkopolskiego", which can be an
    adjective too); of its readings, the one an adjective right before it agrees with ("Celowym Związku" is in
    the locative, though "Związku" alone could be the genitive)."""
    candidates = [i for i, w in enumerate(words) if _nouns(w.text)]
    nouns_only = [i for i in candidates if not any(r.is_adjective for r in readings(words[i].text))]
    if not candidates:
        return 0, None
    index = (nouns_only or candidates)[0]
    nouns = _nouns(words[index].text)
    oblique = [r for r in nouns if r.has("sg") and not r.has("nom")] or [r for r in nouns if not r.has("nom")]
    if index > 0:
        before = words[index - 1].text
        agreed = [r for r in oblique if _agreeing_adjective(before, r) is not None]
        oblique = agreed or oblique
    return index, (oblique[0] if oblique else None)


def _nouns(word: str) -> list[Reading]:
    return [r for r in readings(word) if r.is_noun and not r.has("nazwisko")]


def _agreeing_adjective(word: str, head: Reading) -> Reading | None:
    for reading in readings(word):
        if reading.is_adjective and agrees(reading, head):
            return reading
    return None


def organisation_type(name: str) -> str | None:
    """The organisation type the name's first words state ("Stowarzyszenie …" association, "Związek
    Stowarzyszeń …" union of associations, "LOT …" local tourism organisation), or None."""
    found = _type_index().find(name)
    at_start = [m for m in found if m.span.start == _first_word_start(name)]
    return at_start[0].key if at_start else None


def _first_word_start(name: str) -> int:
    words = [t for t in tokens(name) if t.text[0].isalnum()]
    return words[0].start if words else 0


_TYPE_INDEX: list[NameIndex] = []


def _type_index() -> NameIndex:
    if not _TYPE_INDEX:
        _TYPE_INDEX.append(NameIndex((c.notation, c.label, "name") for c in concepts("organisation-type")))
    return _TYPE_INDEX[0]


def key_for(name: str, taken: set[str]) -> str:
    """A key for a proposed organisation: its first words in ASCII, lower case, joined by hyphens."""
    plain = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    words = re.findall(r"[a-z0-9]+", plain)
    key = "-".join(words[:5]) or "organisation"
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}-{n}", n + 1
    return candidate
