"""A report's page: the section as the local government published it, every passage a fact rests on marked in
the text and numbered, and the facts below, each pointing back to its passages.

The marks show at a glance how much of the text the data cover (the page states the share). Passages are numbered
in the order of the text; the number beside a passage leads to its fact (a membership to its row on the member's
page, any other fact to its place below), and each fact lists the numbers of its passages.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from markupsafe import Markup

from civicgraph.publish.site.charts import Bar, bar_chart
from civicgraph.publish.site.facts import ActivityFact, PartnerFact, Passage, Reader, ReportFacts
from civicgraph.publish.site.marks import Mark, paragraphs
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.numbers import format_number, percent
from civicgraph.publish.site.parts import MARK_CLASS, View, activity_item, figure_item, figure_text, stated
from civicgraph.publish.site.words import name_in_case, noun
from civicgraph.util.iris import CG, ORG, RDFS, SCHEMA

# When one passage backs facts of several kinds, its colour is the most specific kind's.
_KIND_PRIORITY = ("figure", "participation", "name", "membership", "activity")


def report_context(view: View, reader: Reader) -> dict[str, Any]:
    model, w, lang = view.model, view.w, view.lang
    facts = reader.report(view.page.iri)
    text = model.texts.get(facts.text, "")
    numbers, marks = _numbered_marks(view, facts)
    refs = _refs(view, facts, numbers)
    covered = _covered(facts)
    share = percent(covered, len(text))
    return {
        "title": view.label(facts.iri),
        "title_lang": view.title_lang(facts.iri),
        "lead": Markup(_lead(view, facts)),
        "original": model.index.literal(facts.iri, f"{SCHEMA}url"),
        "numbers": [
            _number(view, len(facts.memberships), "membership"),
            _number(view, len(facts.activities), "activity"),
            {"big": f"{share}\u00a0%" if lang == "pl" else f"{share}%", "what": w["covered_short"]},
        ],
        "stated": Markup(stated(view, facts.figures)),
        "money_chart": Markup(_money_chart(view, facts)),
        "text_id": Markup(view.id_of(facts.text)),
        "text_html": Markup(paragraphs(text, marks)),
        "coverage": w["coverage"].format(
            percent=share, covered=format_number(str(covered), lang), total=format_number(str(len(text)), lang)
        ),
        "report_figures": Markup("".join(figure_item(view, f, refs.get(f.iri, "")) for f in facts.figures)),
        "memberships": Markup(_memberships(view, facts, refs)),
        "names": Markup(_names(view, facts, refs)),
        "activities": [
            {
                "organisation": Markup(view.link(m.organisation)),
                "entries": Markup("".join(activity_item(view, a, facts.year, False, refs=refs) for a in m.activities)),
            }
            for m in facts.memberships
            if m.activities
        ],
        "data_more": w["text_facts"].format(
            sha=model.index.literal(facts.text, f"{CG}sha256") or "",
            count=format_number(model.index.literal(facts.text, f"{CG}characterCount") or "0", lang),
        ),
    }


def _lead(view: View, facts: ReportFacts) -> str:
    """Which section of whose report this is: "Rozdział „Współpraca krajowa” raportu Miasta Poznania za 2023 r."
    (the genitive typed in members.yaml; without it the sentence names the member in the nominative)."""
    w = view.w
    section = view.model.index.literal(facts.iri, f"{CG}section", view.lang)
    genitive = name_in_case(view.model.members.get(facts.member), "genitive") if view.lang == "pl" else None
    if genitive is not None:
        member, key = view.link(facts.member, genitive), "report_lead_gen"
    else:
        member, key = view.link(facts.member), "report_lead"
    if not section:
        key += "_nosection"
    return escape(w[key]).format(section=escape(section or ""), member=member, year=facts.year)


def _number(view: View, count: int, name: str) -> dict[str, str]:
    return {"big": format_number(str(count), view.lang), "what": noun(count, name, view.lang)}


def _numbered_marks(view: View, facts: ReportFacts) -> tuple[dict[str, int], list[Mark]]:
    """Each distinct passage numbered in the order of the text, and its mark: coloured by the most specific kind
    of fact it backs, its id its anchor (its selectors' anchors just before it), its number after it, linking to
    the first fact it backs."""
    kinds: dict[str, set[str]] = defaultdict(set)
    backed: dict[str, list[str]] = defaultdict(list)  # the facts of each passage, the first one's first
    passage_of: dict[str, Passage] = {}
    for passage, fact, kind in facts.passages():
        kinds[passage.iri].add(kind)
        backed[passage.iri].append(fact)
        passage_of[passage.iri] = passage
    partners = {p.iri: (a, p) for a in facts.activities for p in a.partners}
    ordered = sorted(passage_of.values(), key=lambda p: (p.start, -p.end, p.iri))
    numbers = {p.iri: n for n, p in enumerate(ordered, start=1)}
    marks = []
    for passage in ordered:
        kind = next(k for k in _KIND_PRIORITY if k in kinds[passage.iri])
        fact = backed[passage.iri][0]
        before = view.anchor_span(f"{passage.iri}/quote") + view.anchor_span(f"{passage.iri}/position")
        ident = view.model.anchors.get(passage.iri)
        if ident is not None:
            view.placed.add(ident)
        hidden = escape(view.w["to_fact"]).format(label=_fact_name(view, backed[passage.iri], partners))
        after = (
            f'<sup class="ref"><a href="{view.href(fact)}">{numbers[passage.iri]}'
            f'<span class="vh"> — {hidden}</span></a></sup>'
        )
        marks.append(Mark(passage.start, passage.end, MARK_CLASS[kind], ident, before, after))
    return numbers, marks


def _fact_name(view: View, backed: list[str], partners: dict[str, tuple[ActivityFact, PartnerFact]]) -> str:
    """What the note beside a passage calls the first fact it backs (``backed``): a membership by its
    organisation's name; a participation, which has no label, by its activity, role and participant, together
    with the other participations the passage backs (a sentence often names several partners at once); any other
    fact by its label."""
    fact = backed[0]
    if fact in partners:
        return _participations_name(view, [partners[f] for f in backed if f in partners])
    organisation = view.model.index.iri(fact, f"{ORG}organization")
    return view.name(organisation if organisation else fact)


def _participations_name(view: View, shared: list[tuple[ActivityFact, PartnerFact]]) -> str:
    """Participations in words, by activity and role: ``Poznańska Kolej Metropolitalna (PKM), współfinansujący:
    Województwo Wielkopolskie, Miasto Poznań, Powiat Poznański``."""
    participants: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for activity, partner in shared:
        participants[(activity.iri, partner.role)][view.name(partner.participant)] = None
    return "; ".join(
        escape(view.w["participation_fact"]).format(
            activity=view.name(activity), role=view.name(role), participants=", ".join(names)
        )
        for (activity, role), names in participants.items()
    )


def _refs(view: View, facts: ReportFacts, numbers: dict[str, int]) -> dict[str, str]:
    """Each fact's links back to its passages in the text: ``<sup class="ref">[3]</sup>``."""
    found: dict[str, list[str]] = defaultdict(list)
    for passage, fact, _kind in facts.passages():
        number = numbers[passage.iri]
        anchor = view.model.anchors.get(passage.iri)
        label = escape(view.w["passage"].format(number=number))
        link = f'<a href="#{escape(anchor)}" aria-label="{label}">{number}</a>' if anchor else str(number)
        if link not in found[fact]:
            found[fact].append(link)
    return {fact: f' <sup class="ref">{", ".join(links)}</sup>' for fact, links in found.items()}


def _covered(facts: ReportFacts) -> int:
    """How many characters of the text lie in at least one marked passage."""
    spans = sorted({(p.start, p.end) for p, _fact, _kind in facts.passages()})
    covered, reach = 0, 0
    for start, end in spans:
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def _memberships(view: View, facts: ReportFacts, refs: dict[str, str]) -> str:
    items = "".join(f"<li>{view.link(m.organisation)}{refs.get(m.iri, '')}</li>\n" for m in facts.memberships)
    return f"<ol>\n{items}</ol>\n" if items else ""


def _names(view: View, facts: ReportFacts, refs: dict[str, str]) -> str:
    """The names the report printed for organisations other than their own: „Stowarzyszenie Metropolia Poznań”
    for Metropolia Poznań."""
    items = "".join(
        f'<li{view.id_of(n.iri)}><span lang="pl">„{escape(view.model.index.literal(n.iri, f"{RDFS}label") or "")}”'
        f"</span> — {view.link(n.organisation)}{refs.get(n.iri, '')}</li>\n"
        for n in facts.names
    )
    return f"<ul>\n{items}</ul>\n" if items else ""


def _money_chart(view: View, facts: ReportFacts) -> str:
    bars: list[Bar] = []
    for activity in facts.activities:
        for figure in activity.figures:
            if figure.is_money:
                label = f"{view.link(activity.organisation)}: {view.name(figure.iri)}"
                bars.append(Bar(label, figure.value, figure_text(view, figure)))
    bars += [Bar(view.name(f.iri), f.value, figure_text(view, f)) for f in facts.figures if f.is_money]
    if not bars:
        return ""
    bars.sort(key=lambda b: -b.value)
    w = view.w
    headers = (w["col_organisation"], w["col_value"], w["col_bar"])
    return bar_chart("chart-money", escape(w["amounts_in_report"]), headers, bars, w["figures_money_lead"])
