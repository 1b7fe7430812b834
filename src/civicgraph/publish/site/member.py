"""A local government's page: its memberships as a story, year by year, with what each delivered and where the
report says so; then every membership across the years, the amounts stated, and the changes between reports.

Per year (newest first) the organisations of that year's report, grouped by kind, each with its activities in the
report's order; the number of organisations the report itself states beside the number recorded. The table of all
memberships carries each membership's anchor (its IRI's path).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import pairwise
from typing import Any

from markupsafe import Markup

from civicgraph.publish.site.charts import Bar, bar_chart
from civicgraph.publish.site.facts import FigureFact, MembershipFact, Reader, ReportFacts, membership_period
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.numbers import format_number
from civicgraph.publish.site.parts import View, activity_item, figure_text, in_name_order, period_words, stated
from civicgraph.publish.site.words import KIND_GROUPS, counted, name_in_case, noun
from civicgraph.util.iris import CG, DCT, ORG, TIME

_KIND_ORDER = [*KIND_GROUPS, None]  # organisation types in the order of their groups; None: not stated


def member_context(view: View, reader: Reader) -> dict[str, Any]:
    index, w, lang = view.model.index, view.w, view.lang
    member = view.page.iri
    reports = reader.reports_of(member)
    record = view.model.members.get(member)
    genitive = name_in_case(record, "genitive") if lang == "pl" else None
    locative = name_in_case(record, "locative") if lang == "pl" else None
    kind = index.iri(member, f"{CG}localGovernmentKind")
    lead = w["member_lead_kind"].format(
        kind=view.label(kind) if kind else w["member"], teryt=index.literal(member, f"{CG}teryt") or ""
    )
    return {
        "title": view.label(member),
        "title_lang": view.title_lang(member),
        "lead": lead[0].upper() + lead[1:],
        "wikidata": Markup(_wikidata(view, member)),
        "numbers": _numbers(view, reports[-1]) if reports else [],
        "years": [_year(view, report) for report in reversed(reports)],
        "memberships_heading": (
            w["memberships_heading_gen"].format(name=genitive) if genitive else w["memberships_heading"]
        ),
        "years_chart": Markup(_years_chart(view, reports)) if len(reports) > 1 else "",
        "table": Markup(_memberships_table(view, reports)),
        "money_chart": Markup(_money_chart(view, reports)),
        "changes": Markup(_changes(view, reports)),
        "data_heading": w["data_heading_loc"].format(name=locative) if locative else w["data_heading"],
    }


def _numbers(view: View, latest: ReportFacts) -> list[dict[str, str]]:
    lang = view.lang
    organisations, activities = len(latest.memberships), len(latest.activities)
    return [
        {"big": format_number(str(organisations), lang), "what": noun(organisations, "organisation", lang)},
        {"big": format_number(str(activities), lang), "what": noun(activities, "activity", lang)},
        {"big": str(latest.year), "what": view.w["latest_report"]},
    ]


def _wikidata(view: View, member: str) -> str:
    """What the Wikidata check found (the check's anchor is here); who made it is provenance, not shown."""
    index, w = view.model.index, view.w
    check = index.iri(member, f"{CG}wikidataCheck")
    if check is None:
        return f"<p>{escape(w['wikidata_none'])}</p>"
    date = escape(index.literal(check, f"{DCT}date") or "")
    method = index.iri(check, f"{CG}matchMethod")
    method_text = view.name(method) if method else ""
    target = index.iri(check, f"{CG}linkTarget")
    if target:
        link = f'<a href="{escape(target)}">{escape(target.rsplit("/", 1)[-1])}</a>'
        text = escape(w["wikidata_linked"]).format(link=link, date=date, method=method_text)
    else:
        text = escape(w["wikidata_not_found"]).format(date=date, method=method_text)
    return f"<p{view.id_of(check)}>{text}</p>"


def _year(view: View, report: ReportFacts) -> dict[str, Any]:
    """The organisations of one report, grouped by kind: those with activities first, each with what it
    delivered; the others listed with a link to where the report names them."""
    w, index = view.w, view.model.index
    groups: dict[str | None, list[MembershipFact]] = defaultdict(list)
    for membership in report.memberships:
        kind = index.iri(membership.organisation, f"{CG}organisationType")
        groups[kind.rsplit("/", 1)[-1] if kind else None].append(membership)
    counts = [f for f in report.figures if f.unit and f.unit.endswith("/organisation")]
    recorded = counted(len(report.memberships), "membership", view.lang)
    return {
        "heading": w["year_heading"].format(year=report.year),
        "report_href": view.href(report.iri),
        "stated": Markup(stated(view, counts)),
        "recorded": w["recorded"].format(recorded=recorded),
        "groups": [
            {
                "heading": KIND_GROUPS[kind][0 if view.lang == "pl" else 1] if kind else w["kind_unknown"],
                "delivered": [_delivered(view, report, m) for m in groups[kind] if m.activities],
                "named": Markup(_named_only(view, [m for m in groups[kind] if not m.activities])),
            }
            for kind in _KIND_ORDER
            if groups.get(kind)
        ],
    }


def _delivered(view: View, report: ReportFacts, membership: MembershipFact) -> dict[str, Any]:
    return {
        "name": Markup(view.link(membership.organisation)),
        "activities": Markup("".join(activity_item(view, a, report.year) for a in membership.activities)),
    }


def _named_only(view: View, memberships: list[MembershipFact]) -> str:
    """The organisations a report names without describing an activity: each with a link to its passage."""
    if not memberships:
        return ""
    items = []
    for membership in memberships:
        source = view.href(membership.passages[0].iri) if membership.passages else None
        where = f' · <a href="{source}" class="in-text">{escape(view.w["in_text"])}</a>' if source else ""
        items.append(f"<li>{view.link(membership.organisation)}{where}</li>\n")
    return f'<p class="note">{escape(view.w["nothing_reported"])}</p>\n<ul>\n{"".join(items)}</ul>\n'


def _years_chart(view: View, reports: list[ReportFacts]) -> str:
    w, lang = view.w, view.lang
    bars = [
        Bar(view.link(r.iri, str(r.year)), Decimal(len(r.memberships)), format_number(str(len(r.memberships)), lang))
        for r in reports
    ]
    return bar_chart(
        "chart-years", escape(w["per_year_chart"]), (w["col_year"], w["col_memberships"], w["col_bar"]), bars
    )


def _memberships_table(view: View, reports: list[ReportFacts]) -> str:
    """One row per membership across the reports: organisation, the years reported, since when."""
    w = view.w
    years: dict[str, list[ReportFacts]] = defaultdict(list)
    organisation_of: dict[str, str] = {}
    for report in reports:
        for membership in report.memberships:
            years[membership.iri].append(report)
            organisation_of[membership.iri] = membership.organisation
    rows = []
    for iri in sorted(years, key=lambda m: (view.label(organisation_of[m]).casefold(), m)):
        reported = ", ".join(view.link(r.iri, str(r.year)) for r in years[iri])
        rows.append(
            f'<tr{view.id_of(iri)}><th scope="row">{view.link(organisation_of[iri])}</th>'
            f"<td>{reported}</td><td>{_since(view, iri)}</td></tr>\n"
        )
    if not rows:
        return ""
    head = "".join(f'<th scope="col">{escape(w[c])}</th>' for c in ("col_organisation", "col_years", "col_since"))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table>\n"


def _since(view: View, membership: str) -> str:
    """The membership's start (and end) as stated, with the anchors of its period and of the period's ends."""
    index = view.model.index
    start, end = membership_period(index, membership)
    during = index.iri(membership, f"{ORG}memberDuring")
    spans = ""
    if during:
        spans = view.anchor_span(during)
        for predicate in (f"{TIME}hasBeginning", f"{TIME}hasEnd"):
            instant = index.iri(during, predicate)
            if instant:
                spans += view.anchor_span(instant)
    return spans + escape(period_words(view, start, end))


def _money_chart(view: View, reports: list[ReportFacts]) -> str:
    """Every amount of money the reports' activities state, by organisation and year, largest first; never added
    up (one may include another: EU grants within a total)."""
    bars = []
    for report in reports:
        for membership in report.memberships:
            for activity in membership.activities:
                for figure in activity.figures:
                    if figure.is_money:
                        label = f"{view.link(membership.organisation)}: {view.name(figure.iri)} ({report.year})"
                        bars.append(Bar(label, figure.value, figure_text(view, figure)))
    if not bars:
        return ""
    bars.sort(key=lambda b: -b.value)
    w = view.w
    return bar_chart(
        "chart-money",
        escape(w["amounts_by_organisation"]),
        (w["col_organisation"], w["col_value"], w["col_bar"]),
        bars,
        w["figures_money_lead"],
    )


def _changes(view: View, reports: list[ReportFacts]) -> str:
    """Between each report and the one before: memberships joined and left, figures whose value changed."""
    w = view.w
    if len(reports) < 2:
        return f"<p>{escape(w['changes_one'].format(year=reports[0].year))}</p>\n" if reports else ""
    parts = []
    for previous, current in pairwise(reports):
        before = {m.organisation for m in previous.memberships}
        after = {m.organisation for m in current.memberships}
        items = []
        for word, organisations in (("joined", after - before), ("left", before - after)):
            if organisations:
                names = ", ".join(view.link(o) for o in in_name_order(organisations, view.label))
                items.append(f"<li>{escape(w[word])}: {names}</li>")
        changed = _changed_figures(view, previous, current)
        if changed:
            items.append(f"<li>{escape(w['figure_changed'])}:\n<ul>{''.join(changed)}</ul></li>")
        body = f"<ul>{''.join(items)}</ul>" if items else f"<p>{escape(w['no_changes'])}</p>"
        heading = escape(w["changes_pair"].format(previous=previous.year, year=current.year))
        parts.append(f"<h3>{heading}</h3>\n{body}\n")
    return "".join(parts)


def _changed_figures(view: View, previous: ReportFacts, current: ReportFacts) -> list[str]:
    """Figures with the same key in both reports (a report's own figure, or an activity's figure under the same
    activity key) whose value, currency or hedge differ: ``Łączna kwota: blisko 1,4 mld zł (2023) → …``."""
    before, after = _keyed_figures(previous), _keyed_figures(current)
    items = []
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        if (old.value, old.currency, old.hedge) != (new.value, new.currency, new.hedge):
            items.append(
                f"<li>{view.name(new.iri)}: {figure_text(view, old)} ({previous.year}) → "
                f"{figure_text(view, new)} ({current.year})</li>"
            )
    return items


def _keyed_figures(report: ReportFacts) -> dict[str, FigureFact]:
    """A report's figures by the part of their IRI that stays the same from year to year."""
    found = {f.iri[len(report.iri) :]: f for f in report.figures}
    for activity in report.activities:
        key = activity.iri.rsplit("/", 1)[-1]
        for figure in activity.figures:
            found[f"activity/{key}/{figure.iri.rsplit('/', 1)[-1]}"] = figure
    return found
