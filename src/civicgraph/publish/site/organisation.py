"""An organisation's page: which members of the data belong to it and since which report, and what it delivered
across members and years.

The members are listed whole (one row per local government, however many years); the activities of one year
show at most :data:`ACTIVITIES_SHOWN` and say how many there are, the full list being a query away.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from civicgraph.graph.terms import Lit
from civicgraph.publish.site.charts import Bar, bar_chart
from civicgraph.publish.site.facts import ActivityFact, Reader, membership_period
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.numbers import format_number
from civicgraph.publish.site.parts import View, activity_item, period_words
from civicgraph.publish.site.words import counted
from civicgraph.util.iris import CG, DCT, OA, ORG, RDFS, SCHEMA, SKOS

ACTIVITIES_SHOWN = 100


def organisation_context(view: View, reader: Reader) -> dict[str, Any]:
    index, w, lang = view.model.index, view.w, view.lang
    organisation = view.page.iri
    memberships = index.referrers(organisation, f"{ORG}organization")
    rows: list[tuple[tuple[str, str], dict[str, Any]]] = []
    by_year: dict[int, list[tuple[ActivityFact, str]]] = defaultdict(list)
    members_by_year: dict[int, int] = defaultdict(int)
    for membership in memberships:
        member = index.iri(membership, f"{ORG}member") or ""
        reports = sorted((reader.year_of(r), r) for r in index.iris(membership, f"{CG}reportedIn"))
        for year, report in reports:
            members_by_year[year] += 1
            by_year[year] += [(a, member) for a in reader.activities_in(membership, report)]
        start, end = membership_period(index, membership)
        rows.append(
            (
                (view.label(member).casefold(), member),
                {
                    "member": Markup(view.link(member)),
                    "years": Markup(", ".join(view.link(report, str(year)) for year, report in reports)),
                    "since": period_words(view, start, end),
                },
            )
        )
    rows.sort(key=lambda pair: pair[0])
    years = sorted(members_by_year)
    kind = index.iri(organisation, f"{CG}organisationType")
    krs = index.literal(organisation, f"{CG}krs")
    facts = [
        view.label(kind) if kind else w["kind_unknown"],
        f"{w['krs']} {krs}" if krs else w["krs_none"],
    ]
    abbreviation = index.literal(organisation, f"{SCHEMA}alternateName")
    if abbreviation:
        facts.insert(0, f"{w['abbreviation']}: {abbreviation}")
    same_as = index.iri(organisation, f"{SCHEMA}sameAs")
    lead = (
        w["org_lead_members" if len(years) > 1 else "org_lead_members_year"].format(
            members=counted(len(rows), "member", lang), years=", ".join(map(str, years))
        )
        if rows
        else w["org_lead_none"]
    )
    return {
        "title": view.label(organisation),
        "title_lang": view.title_lang(organisation),
        "lead": lead,
        "facts": " · ".join(facts),
        "wikidata": same_as,
        "variants": Markup(_variants(view, organisation)),
        "members": [row for _key, row in rows],
        "years_chart": Markup(_years_chart(view, members_by_year)) if len(years) > 1 else "",
        "years": [_year(view, year, by_year[year]) for year in reversed(years) if by_year[year]],
    }


def _variants(view: View, organisation: str) -> str:
    """The other names reports printed for the organisation, each with a link to where a report printed it
    (``cg:PrintedName``); names recorded without one (``skos:altLabel``) as they are."""
    index = view.model.index
    printed = index.referrers(organisation, f"{CG}nameOf")
    shown = {index.literal(p, f"{RDFS}label") for p in printed}
    names = []
    for name in sorted(printed, key=lambda p: (index.literal(p, f"{RDFS}label") or "", p)):
        label = f'<span lang="pl">{escape(index.literal(name, f"{RDFS}label") or "")}</span>'
        evidence = index.iri(name, f"{CG}evidence")
        text = index.iri(evidence, f"{OA}hasSource") if evidence else None
        year = index.literal(index.iri(text, f"{DCT}isPartOf") or "", f"{CG}reportYear") if text else None
        if evidence and year:
            label += f' (<a href="{view.href(evidence)}">{escape(view.w["year_heading"].format(year=year))}</a>)'
        names.append(label)
    names += [
        f'<span lang="pl">{escape(v.lexical)}</span>'
        for v in index.objects(organisation, f"{SKOS}altLabel")
        if isinstance(v, Lit) and v.lexical not in shown
    ]
    return "; ".join(names)


def _years_chart(view: View, members_by_year: dict[int, int]) -> str:
    w = view.w
    bars = [
        Bar(str(year), Decimal(count), format_number(str(count), view.lang))
        for year, count in sorted(members_by_year.items())
    ]
    return bar_chart(
        "chart-members", escape(w["members_per_year"]), (w["col_year"], w["col_members"], w["col_bar"]), bars
    )


def _year(view: View, year: int, activities: list[tuple[ActivityFact, str]]) -> dict[str, Any]:
    ordered = sorted(activities, key=lambda pair: (view.label(pair[1]).casefold(), pair[0].order, pair[0].iri))
    shown = ordered[:ACTIVITIES_SHOWN]
    items = "".join(activity_item(view, a, year, member=view.link(member)) for a, member in shown)
    more = ""
    if len(shown) < len(ordered):
        more = view.w["more"].format(shown=len(shown), total=format_number(str(len(ordered)), view.lang))
    return {"heading": view.w["activities_of_year"].format(year=year), "entries": Markup(items), "more": more}
