"""Tokens and sentences of a report text, with their character offsets into it.

Report texts are copied from web pages and PDFs: they carry non-breaking spaces, typographic quotation marks
(„…”) and dashes, bullets and numbered or lettered list items. Every token and sentence keeps the offsets of its
characters in the text, so that any passage found here is a verbatim slice of the text and can become a quote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A word: letters, with inner hyphens ("szkoleniowo-doradczego") or apostrophes; a number: a run of digits;
# anything else that is not white space is one punctuation token.
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|[^\s\w]|_")

# Abbreviations that are never the last word of a sentence: the period after them does not end one.
# (Those that may end one, such as "r." after a year or "tys.", end a sentence when a capital letter follows.)
NEVER_FINAL = frozenset(
    {"pn", "ok", "im", "tj", "np", "ds", "nr", "ul", "tzw", "św", "godz", "ws", "al", "pt", "m.in", "in", "ust", "art"}
    | {"pkt", "poz", "prof", "dr", "mgr", "inż"}
)

# What starts an item of a list: a bullet, a dash, "1.", "1)", "a)".
LIST_MARKER = re.compile(r"[ \t\u00a0]*(?:[•·▪◦‣*\-–—]|\d{1,3}[.)]|[a-z]\))[ \t\u00a0]+")

QUOTATION_MARKS = "„”“\"«»‘’‚'"
DASHES = "-–—‒"


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    @property
    def is_number(self) -> bool:
        return self.text[0].isdigit()

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def is_acronym(self) -> bool:
        """ZMP, RP, SGiPP, LOT: two or more letters, most of them capitals."""
        capitals = sum(1 for c in self.text if c.isupper())
        return self.is_word and len(self.text) >= 2 and capitals >= 2 and capitals * 2 > len(self.text)


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` of the text it was found in."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``text[start:end]``, with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, stop)]


def lines(text: str) -> list[Span]:
    """Each non-blank line, without its surrounding white space."""
    found = []
    for match in re.finditer(r"[^\n]+", text):
        span = _trimmed(text, match.start(), match.end())
        if span is not None:
            found.append(span)
    return found


def is_list_item(text: str, line: Span) -> bool:
    return LIST_MARKER.match(text, line.start) is not None or _starts_with_marker(text, line)


def _starts_with_marker(text: str, line: Span) -> bool:
    # the marker may have been trimmed away with the leading white space of the line
    before = text.rfind("\n", 0, line.start) + 1
    return LIST_MARKER.match(text[before : line.end]) is not None


def item_body(text: str, line: Span) -> Span:
    """A list item without its marker and its closing ``;``, ``,`` or ``.``."""
    before = text.rfind("\n", 0, line.start) + 1
    marker = LIST_MARKER.match(text, before)
    start = max(marker.end(), line.start) if marker else line.start
    end = line.end
    while end > start and text[end - 1] in ";,.":
        end -= 1
    trimmed = _trimmed(text, start, end)
    return trimmed if trimmed is not None else Span(start, start)


def paragraphs(text: str) -> list[Span]:
    """Blocks of text separated by blank lines (a line of spaces alone counts as blank; a line may end "\r\n", as a
    text saved on Windows does)."""
    found = []
    for match in re.finditer(r"(?:[^\n]|\n(?![ \t\u00a0\r]*\n))+", text):
        span = _trimmed(text, match.start(), match.end())
        if span is not None:
            found.append(span)
    return found


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The sentences of ``text[start:end]``; every line of a list is a sentence of its own.

    A sentence ends at ``.``, ``!`` or ``?`` followed by white space and a capital letter, a digit or an opening
    quotation mark, unless the period closes an abbreviation that never ends a sentence (``pn.``, ``m.in.``,
    ``ok.``) or an ordinal (``30. Konferencja``). A line break ends a sentence when the next line is a list item,
    or when the line ends with ``:`` or ``;``.
    """
    stop = len(text) if end is None else end
    found: list[Span] = []
    begin = start
    position = start
    while position < stop:
        char = text[position]
        cut = None
        if char in ".!?" and _ends_sentence(text, position, stop):
            cut = position + 1
        elif char == "\n" and _breaks_line(text, position, stop):
            cut = position
        if cut is not None:
            span = _trimmed(text, begin, cut)
            if span is not None:
                found.append(span)
            begin = cut
        position += 1
    span = _trimmed(text, begin, stop)
    if span is not None:
        found.append(span)
    return found


def _ends_sentence(text: str, position: int, stop: int) -> bool:
    after = position + 1
    while after < stop and text[after] in QUOTATION_MARKS + ")":
        after += 1
    if after >= stop:
        return True
    if not text[after].isspace():
        return False
    while after < stop and text[after].isspace():
        after += 1
    if after >= stop:
        return True
    following = text[after]
    if not (following.isupper() or following.isdigit() or following in QUOTATION_MARKS or following in "•·▪–—-"):
        return False
    if text[position] != ".":
        return True
    if _abbreviation_before(text, position):
        return False
    return not _ordinal_before(text, position)


def _abbreviation_before(text: str, period: int) -> bool:
    word = re.search(r"(?:\w+\.)*\w+$", text[max(0, period - 12) : period])
    if word is None:
        return False
    return word.group().casefold() in NEVER_FINAL or (len(word.group()) == 1 and word.group().isupper())


def _ordinal_before(text: str, period: int) -> bool:
    """``30. Konferencja``: one to three digits right before the period, not a part of a longer number."""
    digits = re.search(r"(?<!\d[ \u00a0])(?<![\d,])\d{1,3}$", text[max(0, period - 6) : period])
    return digits is not None


def _breaks_line(text: str, position: int, stop: int) -> bool:
    line_end = position
    while line_end > 0 and text[line_end - 1] in " \t\u00a0":
        line_end -= 1
    if line_end > 0 and text[line_end - 1] in ":;\n":
        return True
    next_line = text[position + 1 : text.find("\n", position + 1) if "\n" in text[position + 1 : stop] else stop]
    return not next_line.strip() or LIST_MARKER.match(next_line) is not None or _is_list_line(text, position)


def _is_list_line(text: str, newline: int) -> bool:
    """Whether the line that ends at ``newline`` is itself a list item."""
    begin = text.rfind("\n", 0, newline) + 1
    return LIST_MARKER.match(text[begin:newline]) is not None


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and (text[start].isspace() or text[start] in "•·▪◦‣"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def fold(text: str) -> str:
    """Case, diacritics, quotation marks, dashes and white space ignored: for comparing names as typed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(" " if c in DASHES else "" if c in QUOTATION_MARKS else c for c in plain)
    return " ".join(plain.casefold().split())
