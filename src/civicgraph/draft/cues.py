"""The words that tell the drafter what a sentence is about, by lemma.

These are facts of Polish usage in such reports, not of one text: "było członkiem", "należało do" introduce the
list of memberships; "w ramach członkostwa w", "dzięki członkostwu w", "jako członek" open a paragraph about what
one membership delivered; "wystąpiło z" names an organisation left; "współfinansują", "współorganizatorem"
give the part a local government played.
"""

from __future__ import annotations

from ..language.lemmas import lemmas
from ..language.text import Span, Token, tokens

# A sentence with one of these lemmas states memberships ("jest członkiem", "należała do", "członkostwo w").
MEMBERSHIP = frozenset({"członek", "należeć", "członkostwo", "zrzeszony"})
# ... unless one of these phrases opens it: then it is about what a membership delivered.
ACTIVITY_OPENERS = (
    ("w", "ramach", "członkostwa"),
    ("w", "ramach", "współpracy"),
    ("dzięki", "członkostwu"),
    ("jako", "członek"),
    ("w", "ramach"),
    ("współpraca", "z"),
    ("współpraca", "ze"),
)
# An organisation named with one of these lemmas was left, not belonged to.
LEAVING = frozenset({"wystąpić", "wystąpienie", "rezygnacja", "zrezygnować", "wykreślić", "wykreślenie", "opuścić"})

# The part a local government played, by lemma; the most specific in reach wins (in this order).
ROLES: tuple[tuple[str, frozenset[str]], ...] = (
    ("co-financer", frozenset({"współfinansować", "współfinansowanie", "współfinansujący"})),
    ("co-creator", frozenset({"współtworzyć", "współtworzenie", "współtwórca"})),
    ("co-organiser", frozenset({"współorganizować", "współorganizowanie", "współorganizator"})),
    ("organiser", frozenset({"organizator", "lider", "zorganizować", "organizować"})),
    (
        "participant",
        frozenset({"uczestniczyć", "udział", "przygotować", "zaangażować", "zaangażowany", "dołączyć", "uczestnik"}),
    ),
)


def words_of(text: str, span: Span) -> list[Token]:
    return [t for t in tokens(text, span.start, span.end) if t.is_word]


def has_lemma(text: str, span: Span, wanted: frozenset[str]) -> Token | None:
    for token in words_of(text, span):
        if lemmas(token.text) & wanted:
            return token
    return None


def opener(text: str, span: Span) -> Token | None:
    """The last word of an activity opener in the sentence (its first words), or None."""
    words = words_of(text, span)
    folded = [w.text.casefold() for w in words]
    for phrase in ACTIVITY_OPENERS:
        for start in range(min(len(folded), 12)):
            if tuple(folded[start : start + len(phrase)]) == phrase:
                return words[start + len(phrase) - 1]
    return None


def role_of(token: Token) -> str | None:
    found = lemmas(token.text)
    for role, cue in ROLES:
        if found & cue:
            return role
    return None
