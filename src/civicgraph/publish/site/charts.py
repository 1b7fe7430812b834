"""Bar charts made at build time: a table whose last column draws each row's value as an inline SVG bar.

The table is the chart's text alternative and the chart at once: a screen reader reads its rows, a phone wraps
its labels, and the bars need neither script nor fonts. The bars are hidden from assistive technology (they say
what the value column says). Widths are computed with decimals and written with one decimal place, so the same
values always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from civicgraph.publish.site.markup import escape


@dataclass(frozen=True)
class Bar:
    label: str  # HTML (escaped; may be a link)
    value: Decimal
    shown: str  # the value as people read it, HTML (escaped)


def bar_width(value: Decimal, largest: Decimal) -> str:
    """The bar's length in per cent of the longest one, one decimal place (``73.2``)."""
    if largest <= 0 or value <= 0:
        return "0"
    width = (value * 100 / largest).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{width.normalize():f}"


def bar_chart(ident: str, caption: str, headers: tuple[str, str, str], bars: Sequence[Bar], note: str = "") -> str:
    """A ``<figure>`` with its caption (HTML, escaped) and an optional note, and the table of ``bars``: label,
    value, bar. ``ident`` must be unique on the page (the caption's id); ``headers`` name the three columns."""
    largest = max((bar.value for bar in bars), default=Decimal(0))
    rows = []
    for bar in bars:
        width = bar_width(bar.value, largest)
        rows.append(
            f'<tr><th scope="row">{bar.label}</th><td class="num">{bar.shown}</td><td class="bar">'
            f'<svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
            f'<rect width="{width}" height="10"></rect></svg></td></tr>\n'
        )
    label, value, drawn = (escape(h) for h in headers)
    note_html = f'<p class="note">{escape(note)}</p>\n' if note else ""
    return (
        f'<figure class="chart" aria-labelledby="{ident}">\n<figcaption id="{ident}">{caption}</figcaption>\n'
        f'{note_html}<table>\n<thead><tr><th scope="col">{label}</th><th scope="col" class="num">{value}</th>'
        f'<th scope="col" class="bar"><span class="vh">{drawn}</span></th></tr></thead>\n<tbody>\n{"".join(rows)}'
        "</tbody>\n</table>\n</figure>\n"
    )
