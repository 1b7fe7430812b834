"""Activities: the sentences of a paragraph about one membership, with their title, types, period, figures and
the local governments named as taking part."""

from __future__ import annotations

import re

from ..language.lemmas import lemmas, readings
from ..language.names import Match, NameIndex
from ..language.numbers import quantities
from ..language.text import Span, Token, paragraphs, sentences
from .cues import LEAVING, MEMBERSHIP, ROLES, has_lemma, opener, role_of, words_of
from .figures import draft_figure
from .inflection import key_for
from .memberships import Found, quote_preview
from .model import Activity, Figure, Note, Participant, Sureness
from .quotes import unique
from .registry import Member, concepts

# Local-government kinds by the word a report uses for the reporting member itself ("miasto współtworzyło").
SELF_WORDS = {
    "miasto": {"city-with-county-rights", "urban-commune", "urban-rural-commune"},
    "gmina": {"urban-commune", "urban-rural-commune", "rural-commune", "city-with-county-rights"},
    "powiat": {"county"},
    "województwo": {"voivodeship"},
    "samorząd": {"voivodeship", "county", "city-with-county-rights", "urban-commune", "urban-rural-commune"},
}
TITLE_AFTER = frozenset({"pn", "pt", "nazwą", "hasłem", "tytułem"})
_QUOTED = re.compile(r"„[^”\n]+”|“[^”\n]+”")
CONTINUED = "no organisation named: the organisation of the paragraph before"
GROUP_GAPS = frozenset({",", "i", "oraz", "wspólnie z", "wspólnie ze", "a także", "razem z"})


def find_activities(
    text: str,
    year: int,
    reporting: Member | None,
    index: NameIndex,
    members: NameIndex,
    found: Found,
) -> tuple[list[Activity], list[Figure], list[tuple[Span, Match]]]:
    """The activities, the figures outside them, and the organisations named after an activity opener."""
    activities: list[Activity] = []
    loose: list[Figure] = []
    openers: list[tuple[Span, Match]] = []
    taken_keys: set[str] = set()
    figure_keys: set[str] = set()
    current: str | None = None  # a paragraph that names no organisation goes on about the one before
    for paragraph in paragraphs(text):
        continued = current is not None
        for position, sentence in enumerate(sentences(text, paragraph.start, paragraph.end)):
            if any(s.overlaps(sentence) for s in found.list_sentences) or has_lemma(text, sentence, LEAVING):
                loose += _figures(text, sentence, figure_keys)
                continue
            membership, how = _membership_of(text, sentence, position == 0, index, found, openers)
            if membership is not None:
                current, continued = membership, False
            states_membership = opener(text, sentence) is None and has_lemma(text, sentence, MEMBERSHIP)
            if current is None or states_membership:
                loose += _figures(text, sentence, figure_keys)
                continue
            mentions = index.find(text, sentence.start, sentence.end)
            if not how:
                how = _how_inherited(text, current, continued, mentions)
            activity = _activity(text, sentence, current, how, year, mentions)
            activity.key = key_for(_key_words(activity), taken_keys)
            taken_keys.add(activity.key)
            activity.figures = _figures(text, sentence, figure_keys)
            activity.participants = _participants(text, sentence, reporting, members)
            activities.append(activity)
    return activities, loose, openers


def _membership_of(
    text: str,
    sentence: Span,
    first: bool,
    index: NameIndex,
    found: Found,
    openers: list[tuple[Span, Match]],
) -> tuple[str | None, str]:
    mentions = index.find(text, sentence.start, sentence.end)
    cue = opener(text, sentence)
    if cue is not None:
        after = [m for m in mentions if m.span.start >= cue.end and len(text[cue.end : m.span.start].split()) <= 3]
        if after:
            openers.append((sentence, after[0]))
            return after[0].key, f"opened by {quote_preview(text, Span(sentence.start, after[0].span.end))!r}"
    if not first:
        return None, ""
    heading = text.find(":", sentence.start, sentence.end)
    for mention in mentions:
        at_start = not text[sentence.start : mention.span.start].strip(" \u00a0„")
        is_heading = heading != -1 and at_start and not text[mention.span.end : heading].strip()
        if at_start and (mention.key in found.member_keys() or is_heading):
            return mention.key, f"the paragraph starts with {mention.span.of(text)!r}"
    return None, ""


def _how_inherited(text: str, membership: str, continued: bool, mentions: list[Match]) -> str:
    """How a sentence that opens with no organisation got the one of its paragraph (or of the paragraph before,
    ``continued``): by naming it later on ("…przez samorządy stowarzyszone w Metropolii Poznań…"), which makes it
    likely, or by naming none, which a person must check."""
    named = next((m for m in mentions if m.key == membership), None)
    if named is not None:
        return f"the sentence names {named.span.of(text)!r}"
    return CONTINUED if continued else "the paragraph's organisation"


def _activity(text: str, sentence: Span, membership: str, how: str, year: int, mentions: list[Match]) -> Activity:
    quote = unique(text, sentence)
    title, titled = _title(text, sentence, mentions)
    types = _types(text, sentence)
    period = year if re.search(rf"\b{year}\s*r\.|\bw\s+{year}\b", sentence.of(text)) else None
    if how.startswith("opened by"):
        sureness = Sureness.SURE
    elif how == CONTINUED:
        sureness = Sureness.CHECK
    else:
        sureness = Sureness.LIKELY
    said = f"{how}; title {'quoted in the text' if titled else 'from the sentence: shorten it'}"
    said += f"; types {', '.join(types)} from its words" if types else "; no type found: choose from the vocabulary"
    return Activity("", membership, types, title, quote, Note(sureness, said), period)


def _title(text: str, sentence: Span, mentions: list[Match]) -> tuple[str, bool]:
    """A name in quotation marks after "pn.", "pt." or a noun ("projekt „…”", "kampanię „…”") that is not an
    organisation's; or else the sentence's words after the organisation it opens with."""
    for match in _QUOTED.finditer(text, sentence.start, sentence.end):
        if any(m.span.overlaps(Span(match.start(), match.end())) for m in mentions):
            continue
        before = text[max(sentence.start, match.start() - 40) : match.start()].split()[-2:]
        folded = [w.casefold().rstrip(".:") for w in before]
        if any(w in TITLE_AFTER for w in folded) or any(_is_noun(w) for w in before):
            return " ".join(match.group().split()), True
    start = sentence.start
    opening = [m for m in mentions if len(text[sentence.start : m.span.start].split()) <= 6]
    if opening:
        start = opening[0].span.end
        abbreviation = re.match(r"\s*\([^)]{1,12}\)", text[start : sentence.end])
        start += abbreviation.end() if abbreviation else 0
    words = " ".join(text[start : sentence.end].split()).strip(" ,:;–-")
    words = words[:1].upper() + words[1:]
    return (words if len(words) <= 80 else words[: words.rfind(" ", 0, 77)] + " …"), False


def _is_noun(word: str) -> bool:
    return any(r.is_noun for r in readings(word.strip(",.:;"))) if word[:1].isalpha() else False


def _types(text: str, sentence: Span) -> list[str]:
    """Activity types whose label's noun (or its stem: "zakupowej" for "zakupy") the sentence uses."""
    found_lemmas = {lemma for token in words_of(text, sentence) for lemma in lemmas(token.text)}
    chosen = []
    for concept in concepts("activity-type"):
        stems = {_stem(noun) for noun in concept.nouns}
        if any(lemma.startswith(stem) for stem in stems for lemma in found_lemmas):
            chosen.append(concept.notation)
    return chosen


def _stem(lemma: str) -> str:
    """The lemma without its ending vowel(s): "szkolenie" -> "szkoleni", "kampania" -> "kampani"."""
    return lemma.rstrip("aeiouyąę") if len(lemma) > 5 else lemma


def _figures(text: str, sentence: Span, taken: set[str]) -> list[Figure]:
    return [draft_figure(text, q, taken) for q in quantities(text, sentence.start, sentence.end)]


def _participants(text: str, sentence: Span, reporting: Member | None, members: NameIndex) -> list[Participant]:
    words = words_of(text, sentence)
    found: list[Participant] = []
    for group in _groups(text, members.find(text, sentence.start, sentence.end, strict=True)):
        cue = _role_cue(words, group[0].span.start, group[-1].span.end)
        if cue is None:
            continue
        role, token = cue
        start, end = min(group[0].span.start, token.start), max(group[-1].span.end, token.end)
        quote = unique(text, Span(start, end))
        for mention in group:
            how = f"{mention.span.of(text)!r} with {token.text!r}"
            found.append(Participant(mention.key, role, quote, Note(Sureness.LIKELY, how)))
    if reporting is not None:
        found += _self_reference(text, words, reporting, {p.member for p in found})
    return found


def _groups(text: str, mentions: list[Match]) -> list[list[Match]]:
    """Mentions listed together ("Województwo Wielkopolskie, Miasto Poznań i Powiat Poznański")."""
    groups: list[list[Match]] = []
    for mention in mentions:
        if groups and " ".join(text[groups[-1][-1].span.end : mention.span.start].split()) in GROUP_GAPS:
            groups[-1].append(mention)
        else:
            groups.append([mention])
    return groups


def _role_cue(words: list[Token], start: int, end: int) -> tuple[str, Token] | None:
    """The most specific role word within six words after a group of names or four before it."""
    after = [w for w in words if w.start >= end][:6]
    before = [w for w in words if w.end <= start][-4:]
    for role, _ in ROLES:
        for token in after + before[::-1]:
            if role_of(token) == role:
                return role, token
    return None


def _self_reference(text: str, words: list[Token], reporting: Member, named: set[str]) -> list[Participant]:
    """ "miasto współtworzyło", "województwo było współorganizatorem": the reporting member itself, when a
    word for its kind is followed by a role more specific than taking part."""
    if reporting.teryt in named:
        return []
    specific = {role for role, _ in ROLES if role != "participant"}
    for index, token in enumerate(words):
        kinds = SELF_WORDS.get(token.text.casefold())
        if not kinds or reporting.kind not in kinds:
            continue
        for following in words[index + 1 : index + 4]:
            role = role_of(following)
            if role in specific:
                quote = unique(text, Span(token.start, following.end))
                how = f"{token.text!r} (the reporting {reporting.name}) with {following.text!r}"
                return [Participant(reporting.teryt, role, quote, Note(Sureness.CHECK, how))]
    return []


def _key_words(activity: Activity) -> str:
    title = activity.title.strip("„”“ ")
    return title if len(title.split()) <= 6 else " ".join(title.split()[:4])


__all__ = ["ROLES", "find_activities"]
