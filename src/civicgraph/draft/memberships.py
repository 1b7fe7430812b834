"""Memberships: the list(s) of organisations a member belongs to, each name matched to a recorded organisation
or proposed as a new one.

Lists come bulleted, numbered, lettered or dashed (one organisation a line, with or without semicolons), after a
colon, or as prose ("jest członkiem Związku Powiatów Polskich, Stowarzyszenia … oraz …"). A sentence that names an
organisation as left ("wystąpiło z …") adds none. An organisation named only in a paragraph about what a
membership delivered ("W ramach członkostwa w …") is drafted as a membership too, to be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from ..language.names import How, Match, NameIndex
from ..language.numbers import Quantity, quantities
from ..language.text import Span, is_list_item, item_body, sentences, tokens
from .cues import LEAVING, MEMBERSHIP, has_lemma, opener
from .inflection import key_for, nominative_name, organisation_type
from .model import Membership, Note, PrintedVariant, ProposedOrganisation, Sureness
from .quotes import unique

SURENESS = {
    How.EXACT: Sureness.SURE,
    How.INFLECTED: Sureness.SURE,
    How.ABBREVIATION: Sureness.SURE,
    How.INITIALS: Sureness.LIKELY,
    How.LONGER: Sureness.LIKELY,
    How.SHORTENED: Sureness.CHECK,
    How.SIMILAR: Sureness.CHECK,
}
HOW_SAID = {
    How.EXACT: "the recorded name",
    How.INFLECTED: "the recorded name, inflected",
    How.ABBREVIATION: "the recorded abbreviation",
    How.INITIALS: "the recorded name with an acronym for some of its words",
    How.LONGER: "the recorded name with more words around it",
    How.SHORTENED: "the beginning of the recorded name",
    How.SIMILAR: "a spelling similar to the recorded name",
}
# Nouns that count organisations in a stated count ("16 krajowych organizacji", "5 stowarzyszeń i związków").
COUNTED_ORGANISATIONS = frozenset({"organizacja", "stowarzyszenie", "związek", "sieć", "podmiot", "członkostwo"})
_SEPARATORS = re.compile(r"\s*(?:[,;]\s+|\s+oraz\s+|\s+a także\s+|\s+i także\s+)\s*")


@dataclass
class Found:
    memberships: list[Membership] = field(default_factory=list)
    proposed: list[ProposedOrganisation] = field(default_factory=list)
    variants: list[PrintedVariant] = field(default_factory=list)
    count: Quantity | None = None  # the stated count of organisations
    listed: int = 0  # organisations the sentences listing memberships name
    left: list[str] = field(default_factory=list)
    list_sentences: list[Span] = field(default_factory=list)  # sentences that are the list: no activities there
    printed: dict[str, str] = field(default_factory=dict)  # key -> the name as printed (for proposals)

    def member_keys(self) -> set[str]:
        return {m.key for m in self.memberships}


def find_memberships(text: str, index: NameIndex, taken_keys: set[str]) -> Found:
    found = Found()
    all_sentences = sentences(text)
    listed = 0
    following_colon_list = False
    for position, sentence in enumerate(all_sentences):
        if _is_list_line(text, sentence):
            continue  # read with the sentence that introduces the list
        if has_lemma(text, sentence, LEAVING):
            found.left += [m.key for m in index.find(text, sentence.start, sentence.end)]
            continue
        cue = has_lemma(text, sentence, MEMBERSHIP) if opener(text, sentence) is None else None
        if cue is None and not (following_colon_list and ":" in sentence.of(text)):
            following_colon_list = False
            continue
        items = _items(text, sentence, cue.end if cue else sentence.start, all_sentences[position + 1 :])
        if cue is not None and found.count is None:
            found.count = _stated_count(text, sentence)
        added = sum(_add_item(text, item, index, taken_keys, found) for item in items)
        listed += added
        following_colon_list = cue is not None and added == 0
        if added:
            found.list_sentences.append(sentence)
            found.list_sentences += [s for s in all_sentences[position + 1 :] if any(s.contains(i) for i in items)]
    found.listed = listed
    return found


def _is_list_line(text: str, sentence: Span) -> bool:
    line_start = text.rfind("\n", 0, sentence.start) + 1
    return is_list_item(text, Span(line_start, sentence.end))


def _items(text: str, sentence: Span, after: int, rest: list[Span]) -> list[Span]:
    """The printed names of a list: the list lines after a sentence ending with ":", or the prose after a colon
    or after the membership word."""
    body = sentence.of(text).rstrip()
    if body.endswith(":"):
        lines = []
        for following in rest:
            if not _is_list_line(text, following):
                break
            lines.append(item_body(text, following))
        return lines
    colon = text.find(":", sentence.start, sentence.end)
    start = colon + 1 if colon != -1 else after
    return _prose_items(text, Span(start, sentence.end))


def _prose_items(text: str, span: Span) -> list[Span]:
    """The pieces of a prose list between commas, semicolons, "oraz" and "a także", outside quotation marks
    and parentheses; "i" is not a separator here, since names contain it ("Gmin i Powiatów")."""
    pieces, start, depth = [], span.start, 0
    end = span.end - (1 if text[span.end - 1 : span.end] == "." else 0)
    position = span.start
    while position < end:
        char = text[position]
        if char in "„(“":
            depth += 1
        elif char in "”)":
            depth = max(0, depth - 1)
        if depth == 0:
            separator = _SEPARATORS.match(text, position, end)
            if separator is not None and separator.end() > position and text[position] in ",; \u00a0":
                pieces.append(Span(start, position))
                start = position = separator.end()
                continue
        position += 1
    pieces.append(Span(start, end))
    return [p for p in (_strip(text, piece) for piece in pieces) if p is not None]


def _strip(text: str, piece: Span) -> Span | None:
    start, end = piece.start, piece.end
    while start < end and not (text[start].isalnum() or text[start] in '„“"'):
        start += 1
    while end > start and text[end - 1] in " \u00a0\t\n,;.:":
        end -= 1
    return Span(start, end) if start < end else None


def _add_item(text: str, item: Span, index: NameIndex, taken_keys: set[str], found: Found) -> int:
    """Add the memberships an item names; the number of organisations it names."""
    inside = index.find(text, item.start, item.end)
    names = {m.key: m for m in inside}
    if len(names) > 1 and _several_names(text, item, inside):
        for match in names.values():
            _add_known(text, match, found, Span(match.span.start, match.span.end))
        return len(names)
    matches = index.match(text, item)
    if matches:
        _add_known(text, matches[0], found, item, ambiguous=matches[1:2] if _tied(matches) else [])
        return 1
    name_start = _name_start(text, item)
    if name_start is None:
        return 0
    _propose(text, name_start, taken_keys, found)
    return 1


def _several_names(text: str, item: Span, inside: list[Match]) -> bool:
    """Prose such as "Związku Miast Polskich i Stowarzyszenia Zdrowych Miast Polskich": names joined by "i"."""
    between = [text[a.span.end : b.span.start].strip() for a, b in pairwise(inside)]
    return all(gap in ("i", "oraz", ",", "a") for gap in between)


def _tied(matches: list[Match]) -> bool:
    return len(matches) > 1 and matches[0].score == matches[1].score


def _add_known(text: str, match: Match, found: Found, item: Span, ambiguous: list[Match] | None = None) -> None:
    if match.key in found.member_keys():
        return
    quote = unique(text, item)
    how = f"list item {quote_preview(text, item)!r} is {HOW_SAID[match.how]} {match.form.text!r}"
    sureness = SURENESS[match.how]
    if ambiguous:
        how += f"; as close to {ambiguous[0].form.text!r} ({ambiguous[0].key})"
        sureness = Sureness.CHECK
    found.memberships.append(Membership(match.key, quote, Note(sureness, how)))
    if not match.how.strict and match.how is not How.LONGER:
        found.variants.append(
            PrintedVariant(
                match.key,
                nominative_name(text, item),
                quote,
                Note(sureness, "a printed name not recorded yet; once checked, add it to the variants"),
            )
        )


def _propose(text: str, name: Span, taken_keys: set[str], found: Found) -> None:
    nominative = nominative_name(text, name)
    key = key_for(nominative, taken_keys | found.member_keys())
    kind = organisation_type(nominative)
    printed = _printed(text, name)
    how = f"{printed!r} matches no recorded organisation: proposed as {nominative!r}"
    kind_said = f"type {kind} from its first words" if kind else "no type: its first words state none of the vocabulary"
    found.proposed.append(
        ProposedOrganisation(key, nominative, printed, kind, Note(Sureness.CHECK, f"{how}; {kind_said}"))
    )
    found.memberships.append(Membership(key, unique(text, name), Note(Sureness.CHECK, how)))
    found.printed[key] = printed


def _name_start(text: str, item: Span) -> Span | None:
    """The name in a prose piece: from its first capitalised word, acronym or opening quotation mark on
    ("a na arenie międzynarodowej – sieci Energy Cities" names "Energy Cities"); None when it has none."""
    for token in tokens(text, item.start, item.end):
        if token.text[0].isupper() or token.text in '„“"':
            return Span(token.start, item.end)
    return None


def _printed(text: str, span: Span) -> str:
    return " ".join(span.of(text).split())


def quote_preview(text: str, span: Span) -> str:
    printed = _printed(text, span)
    return printed if len(printed) <= 60 else printed[:57] + "..."


def _stated_count(text: str, sentence: Span) -> Quantity | None:
    for quantity in quantities(text, sentence.start, sentence.end):
        if quantity.noun is not None and quantity.noun.lemmas & COUNTED_ORGANISATIONS:
            return quantity
    return None


def count_note(found: Found) -> str | None:
    """What the text says about how many organisations, against what the draft found."""
    if found.count is None:
        return None
    listed = found.listed
    stated = int(found.count.value)
    total = len(found.memberships)
    if stated == total == listed:
        return f"the text states {stated} organisations and the sentences listing memberships name {listed}: they agree"
    if stated == total:
        more = f"{total - listed} more only in paragraphs about activities"
        return f"the text states {stated} organisations; the lists name {listed}, {more}"
    return f"check: the text states {stated} organisations but the draft found {total} (the lists name {listed})"


def activity_memberships(text: str, index: NameIndex, found: Found, openers: list[tuple[Span, Match]]) -> None:
    """Organisations named after "W ramach członkostwa w …" that no list named: memberships to check."""
    for sentence, match in openers:
        if match.key in found.member_keys() or match.key in found.left:
            continue
        quote = unique(text, Span(sentence.start, match.span.end))
        how = f"named in a sentence about what a membership delivered ({quote_preview(text, quote)!r}), not in a list"
        found.memberships.append(Membership(match.key, quote, Note(Sureness.CHECK, how)))
