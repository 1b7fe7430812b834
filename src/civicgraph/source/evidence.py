"""Locating quoted passages in a source text (W3C Web Annotation text-quote and text-position selectors).

People type quotes with ordinary spaces while report texts carry non-breaking ones (``w\\u00a02023\\u00a0r.``),
so any run of white space in a quote matches any run of white space in the text. The passage recorded as
evidence is always the verbatim slice of the source text, never the typed quote.

A quote is searched for in the text with each run of white space made one space (made once per text), with
``str.find``: a regular expression per quote cost more to compile than the search (60 % of loading a national
dataset). Positions found there are mapped back to the text's.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from civicgraph.source.records import Passage

CONTEXT = 32  # characters of prefix and suffix kept in the text-quote selector


class QuoteNotFound(ValueError):
    pass


class QuoteNotUnique(ValueError):
    def __init__(self, count: int) -> None:
        super().__init__(f"the passage occurs {count} times")
        self.count = count


def locate(text: str, quote: str) -> Passage:
    """The single occurrence of ``quote`` in ``text``; offsets are Unicode code points, end exclusive."""
    words = quote.split()  # splits where ``\\s`` matches: both use str.isspace
    if not words:
        raise QuoteNotFound(quote)
    spaced = _one_space_per_run(text)
    needle = " ".join(words)
    found = []  # where the needle occurs, each occurrence searched for after the previous one (no overlaps)
    at = spaced.text.find(needle)
    while at != -1:
        found.append(at)
        at = spaced.text.find(needle, at + len(needle))
    if not found:
        raise QuoteNotFound(quote)
    if len(found) > 1:
        raise QuoteNotUnique(len(found))
    start, end = spaced.original(found[0]), spaced.original(found[0] + len(needle))
    return Passage(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


_WHITE_SPACE = re.compile(r"\s+")


class _Spaced:
    """A text with each run of white space made one space, and the way back to the text's positions."""

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        self.spaces: list[int] = []  # position of each run's one space here
        self.removed: list[int] = []  # characters the runs removed, up to and including each run
        removed, after_run = 0, 0
        for run in _WHITE_SPACE.finditer(text):
            start, end = run.span()
            pieces.append(text[after_run:start])
            self.spaces.append(start - removed)
            removed += end - start - 1
            self.removed.append(removed)
            after_run = end
        pieces.append(text[after_run:])
        self.text = " ".join(pieces)

    def original(self, position: int) -> int:
        """The text's position of ``position`` here, which is not a run's space (a passage starts and ends with
        a word): shifted by what the runs before it removed."""
        runs_before = bisect_left(self.spaces, position)
        return position + (self.removed[runs_before - 1] if runs_before else 0)


@lru_cache(maxsize=4)  # the quotes of a report are located one after another in its text
def _one_space_per_run(text: str) -> _Spaced:
    return _Spaced(text)
