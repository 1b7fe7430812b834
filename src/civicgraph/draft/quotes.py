"""Quotes the build accepts: a passage of the text that occurs in it exactly once (white space aside)."""

from __future__ import annotations

import re

from ..language.text import Span
from ..source.evidence import QuoteNotFound, QuoteNotUnique, locate

_WORD_EDGE = re.compile(r"\S+")
MAX_GROWTH = 12  # words added to a passage before giving up on making it unique


def unique(text: str, span: Span) -> Span:
    """``span``, lengthened by its closing punctuation and then by whole words on either side until it occurs
    once in ``text``; as long as it gets after MAX_GROWTH words (the build then says it is ambiguous)."""
    current = _trim(text, span)
    if _once(text, current):
        return current
    if current.end < len(text) and text[current.end] in ";,.:)”":
        current = Span(current.start, current.end + 1)
        if _once(text, current):
            return current
    for step in range(MAX_GROWTH):
        current = _grow(text, current, left=step % 2 == 0)
        if _once(text, current):
            return current
    return current


def quote_text(text: str, span: Span) -> str:
    """The passage as a quote is typed: every run of white space one ordinary space."""
    return " ".join(span.of(text).split())


def _once(text: str, span: Span) -> bool:
    try:
        locate(text, span.of(text))
    except (QuoteNotFound, QuoteNotUnique):
        return False
    return True


def _grow(text: str, span: Span, left: bool) -> Span:
    if left and span.start > 0:
        before = list(_WORD_EDGE.finditer(text, 0, span.start))
        if before:
            return Span(before[-1].start(), span.end)
    after = _WORD_EDGE.search(text, span.end)
    if after is not None:
        return Span(span.start, after.end())
    before = list(_WORD_EDGE.finditer(text, 0, span.start))
    return Span(before[-1].start(), span.end) if before else span


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)
