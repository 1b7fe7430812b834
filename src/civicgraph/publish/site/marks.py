"""A report's text as HTML paragraphs with the passages facts rest on marked (``<mark>``).

Passages nest (a figure's words inside its activity's sentence) and may overlap; a passage that crosses another
one's end is closed and opened again, so the HTML stays well nested. Each line of the text is a paragraph, as in
the report. The text is never changed: only tags go between its characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from civicgraph.publish.site.markup import escape


@dataclass(frozen=True)
class Mark:
    """A passage to mark: characters ``start`` to ``end`` of the text, the ``<mark>`` element's class, its id
    (on the first of its pieces), and HTML put before its first piece and after its last."""

    start: int
    end: int
    css: str
    ident: str | None = None
    before: str = ""
    after: str = ""


def lines_of(text: str, first: int, last: int) -> tuple[int, int]:
    """The start of the line holding character ``first`` and the end of the line holding ``last - 1``."""
    start = text.rfind("\n", 0, first) + 1
    end = text.find("\n", max(first, last - 1))
    return start, len(text) if end < 0 else end


def paragraphs(text: str, marks: list[Mark], first: int = 0, last: int | None = None) -> str:
    """The lines of ``text`` from ``first`` to ``last`` (whole lines) as ``<p>`` elements, ``marks`` marked; blank
    lines are left out."""
    last = len(text) if last is None else last
    ordered = sorted(marks, key=lambda m: (m.start, -m.end))
    html: list[str] = []
    opened: set[int] = set()  # marks whose first piece is written (its id and `before` go there only)
    line_start = first
    while line_start <= last:
        line_end = text.find("\n", line_start, last)
        line_end = last if line_end < 0 else line_end
        if text[line_start:line_end].strip():
            html.append(_paragraph(text, ordered, line_start, line_end, opened))
        line_start = line_end + 1
    return "".join(html)


def _paragraph(text: str, marks: list[Mark], start: int, end: int, opened: set[int]) -> str:
    here = [(number, m) for number, m in enumerate(marks) if m.start < end and m.end > start]
    bounds = sorted({start, end, *(max(m.start, start) for _, m in here), *(min(m.end, end) for _, m in here)})
    out = ["<p>"]
    stack: list[tuple[int, Mark]] = []
    for a, b in pairwise(bounds):
        wanted = [(n, m) for n, m in here if m.start <= a and m.end >= b]
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep][0] == wanted[keep][0]:
            keep += 1
        for _n, m in reversed(stack[keep:]):
            out.append("</mark>")
            if m.end == a:  # the passage's last piece: what follows it (a note) goes here
                out.append(m.after)
        stack = stack[:keep]
        for n, m in wanted[keep:]:
            if n not in opened:
                opened.add(n)
                ident = f' id="{escape(m.ident)}"' if m.ident else ""
                out.append(f'{m.before}<mark class="{m.css}"{ident}>')
            else:
                out.append(f'<mark class="{m.css}">')
            stack.append((n, m))
        out.append(escape(text[a:b]))
    for _n, m in reversed(stack):
        out.append("</mark>")
        if m.end <= end:
            out.append(m.after)
    out.append("</p>\n")
    return "".join(out)
