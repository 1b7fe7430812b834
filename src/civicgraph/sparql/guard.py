"""Queries refused before any parser sees them: too long, or nested too deeply.

pyoxigraph's SPARQL parser is recursive: about 5,000 nested braces or parentheses (10 KB of text), or 10,000
``!`` in a row, overflow its stack and the process dies with SIGSEGV — no exception, no message. Nested blank-node
property lists (``[ :p [ :p [ … ] ] ]``) take time growing with the cube of their depth (128 levels: 0.16 s,
512: 10 s). rdflib's parser gives up with a RecursionError from about 32 levels. Real queries nest a handful of
levels, so a query is refused when it opens more than :data:`MAX_DEPTH` brackets (``(``, ``{``, ``[``) without
closing them, or writes more than :data:`MAX_DEPTH` unary operators in a row. The count skips comments, strings
and IRIs, where brackets are plain text. (Figures for pyoxigraph 0.5.)
"""

from __future__ import annotations

import re

MAX_DEPTH = 64  # brackets open at once, or unary operators in a row
MAX_QUERY_BYTES = 1024 * 1024  # a query given on the command line or in a file; the endpoint has its own limit

# The SPARQL tokens whose text may hold any character without it being syntax: comments, strings, IRIs (a
# fragment of a verbose pattern, shared with the library's scan for the WHERE group).
LEXICAL_TOKENS = r"""
                \#[^\n]*                                    # comment
              | '''(?:[^'\\]|\\.|'(?!''))*'''               # long strings
              | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '(?:[^'\\\n]|\\.)*'                         # short strings
              | "(?:[^"\\\n]|\\.)*"
              | <[^<>"{}|^`\\\x00-\x20]*>                   # IRI
"""

# What may hold a bracket without being one: those tokens and "!=". Then brackets and unary operators.
_TOKEN = re.compile(
    r"""
      (?P<skip> """
    + LEXICAL_TOKENS
    + r"""
              | !=                                          # not a unary operator
              )
    | (?P<open> [({\[] )
    | (?P<close> [)}\]] )
    | (?P<unary> [!+-] )
    | (?P<blank> \s+ )
    | (?P<other> [^({\[)}\]!+\-\s\#'"<]+ | . )
    """,
    re.VERBOSE | re.DOTALL,
)


class QueryTooComplex(ValueError):
    """A query refused before parsing; the message says which limit it passed and where."""


def check_query_shape(query: str, source: str = "query", max_bytes: int = MAX_QUERY_BYTES) -> None:
    """Raise :class:`QueryTooComplex` when ``query`` is longer than ``max_bytes`` or nests deeper than
    :data:`MAX_DEPTH`; the check reads the text once and never parses it."""
    size = len(query.encode("utf-8"))
    if size > max_bytes:
        raise QueryTooComplex(f"{source}: the query is {size} bytes, more than the {max_bytes} allowed")
    depth = 0
    unary_run = 0
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "blank":
            continue  # "! ! !" is a run of three
        unary_run = unary_run + 1 if kind == "unary" else 0
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        if depth > MAX_DEPTH or unary_run > MAX_DEPTH:
            what = "brackets open at once" if depth > MAX_DEPTH else "unary operators in a row"
            line = query.count("\n", 0, match.start()) + 1
            column = match.start() - (query.rfind("\n", 0, match.start()) + 1) + 1
            raise QueryTooComplex(
                f"{source}:{line}:{column}: the query nests too deeply (more than {MAX_DEPTH} {what}); "
                "refused before parsing"
            )
