"""Pieces the story pages share, as HTML: a figure as a large number with its hedge in words, an activity with
its figures and partners, and the source passage shown on demand, highlighted in its paragraph, with its year.

Each piece is written for one page in one language (:class:`View`): links are relative to that page, and a
resource shown on that page carries its anchor (the path of its IRI) as its id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from civicgraph.publish.site.charts import Bar, bar_chart
from civicgraph.publish.site.facts import ActivityFact, FigureFact, Passage
from civicgraph.publish.site.marks import Mark, lines_of, paragraphs
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.model import Page, SiteModel, file_of, relative
from civicgraph.publish.site.numbers import amount, format_number
from civicgraph.publish.site.words import WORDS
from civicgraph.util.iris import DCT

# Units of figures that count the local governments taking part in an activity (cgv:unit notations).
PARTICIPANT_UNITS = frozenset({"local-government", "county", "commune"})

# The class of a passage's <mark> by the kind of fact it backs (report.css in base.html gives their colours).
MARK_CLASS = {
    "membership": "m-membership",
    "activity": "m-activity",
    "figure": "m-figure",
    "participation": "m-participation",
    "name": "m-name",
}


@dataclass
class View:
    """One page in one language, and the anchors it has placed so far (every section's resource must get its
    anchor somewhere on the page)."""

    model: SiteModel
    page: Page
    lang: str
    placed: set[str] = field(default_factory=set)

    @property
    def w(self) -> dict[str, str]:
        return WORDS[self.lang]

    @property
    def path(self) -> str:
        return self.page.path

    def label(self, iri: str) -> str:
        return self.model.label(iri, self.lang)

    def name(self, iri: str) -> str:
        """The label of ``iri`` as HTML, marked with its language when it is not the page's."""
        return self.model.name(iri, self.lang)

    def title_lang(self, iri: str) -> str:
        """`` lang="pl"`` for a heading naming ``iri`` by a label in another language than the page's, or ""."""
        other = self.model.label_language(iri, self.lang)
        return f' lang="{other}"' if other else ""

    def link(self, iri: str, text: str | None = None) -> str:
        return self.model.link(self.page.path, iri, self.lang, text)

    def href(self, iri: str) -> str | None:
        return self.model.href(self.page.path, iri, self.lang)

    def site_href(self, path: str) -> str:
        """The link to another page of the site, by its path (``index``, ``voivodeship/30``)."""
        return relative(self.page.path, file_of(path, self.lang))

    def id_of(self, iri: str) -> str:
        """`` id="…"`` for a resource shown on this page (its anchor), recorded as placed; "" otherwise."""
        anchor = self.model.anchors.get(iri)
        if anchor is None or self.model.owner.get(iri) != self.page.iri or anchor in self.placed:
            return ""
        self.placed.add(anchor)
        return f' id="{escape(anchor)}"'

    def anchor_span(self, iri: str) -> str:
        """An empty element carrying a resource's anchor, for resources shown by what is next to it (a selector
        beside its passage, a membership's period beside its start)."""
        ident = self.id_of(iri)
        return f"<span{ident}></span>" if ident else ""


def in_name_order(iris: Iterable[str], label: Callable[[str], str]) -> list[str]:
    """``iris`` by their names (``label``), case set aside, and by IRI where names tie: resources of the same name
    then come in the same order whatever order they are given in (a set's depends on the hash seed)."""
    return sorted(iris, key=lambda iri: (label(iri).casefold(), iri))


def figure_item(view: View, figure: FigureFact, refs: str = "") -> str:
    """``<li>`` of a figure: the value as a large number, the hedge in words before it, what it measures below
    (and ``refs``, links to its passages)."""
    hedge = f'<span class="hedge">{view.name(figure.hedge)}</span> ' if figure.hedge else ""
    value = escape(amount(figure.value, figure.currency, view.lang))
    what = view.name(figure.iri)
    return (
        f'<li{view.id_of(figure.iri)}><span class="big">{hedge}<span class="value">{value}</span></span> '
        f'<span class="what">{what}{refs}</span></li>\n'
    )


def figure_text(view: View, figure: FigureFact) -> str:
    """A figure in running text: ``blisko 1,4 mld zł``, escaped."""
    hedge = f"{view.label(figure.hedge)} " if figure.hedge else ""
    return escape(hedge + amount(figure.value, figure.currency, view.lang))


def stated(view: View, figures: Iterable[FigureFact]) -> str:
    """The sentence giving figures a report states about itself: ``Raport podaje — Liczba …: 16.``, escaped."""
    listed = "; ".join(f"{view.name(f.iri)}: {figure_text(view, f)}" for f in figures)
    return escape(view.w["report_states"]).format(stated=listed) if listed else ""


def period_words(view: View, start: str | None, end: str | None) -> str:
    """A membership's period as stated: ``od 2010``, ``2011-05-01 – 2024-12-31``, ``do 2024``, ``nie podano``."""
    if start and end:
        return f"{start} – {end}"
    if start:
        return view.w["since"].format(start=start)
    if end:
        return view.w["until"].format(end=end)
    return view.w["since_unknown"]


def activity_item(
    view: View,
    activity: ActivityFact,
    year: int,
    quote: bool = True,
    member: str = "",
    refs: dict[str, str] | None = None,
) -> str:
    """``<li>`` of an activity: its title, kinds and period, description, figures, partners, and (``quote``) the
    passage it rests on in a disclosure; ``member`` (HTML) names who reported it, on an organisation's page;
    ``refs`` (by fact IRI) the links to the passages of the activity and its figures and partners."""
    refs = refs or {}
    model, lang = view.model, view.lang
    title = view.name(activity.iri)
    kinds = ", ".join(view.name(t) for t in activity.types)
    period = view.link(activity.period) if activity.period else ""  # "2023", linked to its page
    meta = " · ".join(part for part in (member, kinds, period) if part)
    description = model.index.literal(activity.iri, f"{DCT}description", lang)
    parts = [
        f'<li class="activity"{view.id_of(activity.iri)}>\n<p class="title">{title}{refs.get(activity.iri, "")}</p>\n',
        f'<p class="meta">{meta}</p>\n' if meta else "",
        f"<p>{escape(description)}</p>\n" if description else "",
    ]
    charted = participant_figures(activity)
    if len(charted) + (1 if activity.partners else 0) < 2:
        charted = []
    numbers = [f for f in activity.figures if f not in charted]
    if numbers:
        parts.append(
            f'<ul class="figures">\n{"".join(figure_item(view, f, refs.get(f.iri, "")) for f in numbers)}</ul>\n'
        )
    if charted:
        parts.append(participants_chart(view, activity, charted, refs))
    if activity.partners:
        parts.append(partners_html(view, activity, refs))
    if quote:
        passages = [*activity.passages, *(p for f in activity.figures for p in f.passages)]
        marks = _marks(activity.passages, "activity") + [
            m for f in activity.figures for m in _marks(f.passages, "figure")
        ]
        marks += [m for p in activity.partners for m in _marks(p.passages, "participation")]
        parts.append(source_details(view, passages, marks, year))
    parts.append("</li>\n")
    return "".join(parts)


def participant_figures(activity: ActivityFact) -> list[FigureFact]:
    """The figures counting the local governments taking part in an activity (all, counties, communes)."""
    return [f for f in activity.figures if f.unit is not None and f.unit.rsplit("/", 1)[-1] in PARTICIPANT_UNITS]


def participants_chart(view: View, activity: ActivityFact, figures: list[FigureFact], refs: dict[str, str]) -> str:
    """Who takes part in a joint activity, as the report counts them, and the partners it names, as bars; each
    figure's anchor is on its row."""
    w = view.w
    bars = [
        Bar(
            f"<span{view.id_of(f.iri)}>{view.name(f.iri)}</span>{refs.get(f.iri, '')}",
            f.value,
            figure_text(view, f),
        )
        for f in figures
    ]
    if activity.partners:
        count = len({p.participant for p in activity.partners})
        bars.append(Bar(escape(w["named_partners"]), Decimal(count), format_number(str(count), view.lang)))
    caption = escape(w["participants_chart"]).format(title=view.name(activity.iri))
    ident = f"chart-{view.model.path_of(activity.iri)}"
    return bar_chart(ident, caption, (w["col_participants"], w["col_count"], w["col_bar"]), bars)


def partners_html(view: View, activity: ActivityFact, refs: dict[str, str]) -> str:
    """The partners of an activity grouped by role: ``współfinansujący: A, B, C``."""
    by_role: dict[str, list[str]] = {}
    for partner in activity.partners:
        name = view.link(partner.participant)
        by_role.setdefault(partner.role, []).append(f"<span{view.id_of(partner.iri)}>{name}</span>")
    shown_refs = dict.fromkeys(refs.get(p.iri, "") for p in activity.partners)  # partners often share a passage
    roles = "; ".join(f"{view.name(role)}: {', '.join(names)}" for role, names in by_role.items())
    return f'<p class="partners">{escape(view.w["partners"])} — {roles}{"".join(shown_refs)}</p>\n'


def _marks(passages: Iterable[Passage], kind: str) -> list[Mark]:
    return [Mark(p.start, p.end, MARK_CLASS[kind]) for p in passages]


def source_details(view: View, passages: list[Passage], marks: list[Mark], year: int) -> str:
    """A disclosure with the paragraphs holding ``passages`` (``marks`` highlighted), titled with the report's
    year, and a link to the first passage in the report's text."""
    if not passages:
        return ""
    text_iri = view.model.index.iri(passages[0].iri, "http://www.w3.org/ns/oa#hasSource")
    text = view.model.texts.get(text_iri or "")
    if text is None:
        return ""
    key = (text_iri, tuple(marks))
    quoted = view.model.quotes.get(key)
    if quoted is None:  # the same in both languages, and on the member's and the organisation's page
        start, end = lines_of(text, min(p.start for p in passages), max(p.end for p in passages))
        quoted = view.model.quotes[key] = paragraphs(text, marks, start, end)
    summary = escape(view.w["where_said"].format(year=year))
    href = view.href(passages[0].iri)
    more = f'<p class="in-text"><a href="{href}">{escape(view.w["in_text"])}</a></p>\n' if href else ""
    return (
        f'<details class="source"><summary>{summary}</summary>\n<blockquote lang="pl">\n{quoted}</blockquote>\n'
        f"{more}</details>\n"
    )
