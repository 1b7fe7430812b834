"""Locating quoted passages in a source text (W3C Web Annotation text-quote and text-position selectors).

People type quotes with ordinary spaces while report texts carry non-breaking ones (``w\\u00a02023\\u00a0r.``),
so any run of white space in a quote matches any run of white space in the text. The passage recorded as
evidence is always the verbatim slice of the source text, never the typed quote.
"""

from __future__ import annotations

import re

from .records import Passage

CONTEXT = 32  # characters of prefix and suffix kept in the text-quote selector


class QuoteNotFound(ValueError):
    pass


class QuoteNotUnique(ValueError):
    def __init__(self, count: int) -> None:
        super().__init__(f"the passage occurs {count} times")
        self.count = count


def locate(text: str, quote: str) -> Passage:
    """The single occurrence of ``quote`` in ``text``; offsets are Unicode code points, end exclusive."""
    words = quote.split()
    if not words:
        raise QuoteNotFound(quote)
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    matches = list(pattern.finditer(text))
    if not matches:
        raise QuoteNotFound(quote)
    if len(matches) > 1:
        raise QuoteNotUnique(len(matches))
    start, end = matches[0].span()
    return Passage(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )
