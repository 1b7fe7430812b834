"""The way in: the home page (the organisations by number of members, the local governments by voivodeship), a
page per voivodeship listing its local governments with their reports, and a small search index.

A national release has 2,807 local governments: the home page shows sixteen voivodeships, each page one
voivodeship's members (at most a few hundred), and the search (a script, where scripts run) finds a name or a
TERYT code among all of them. Small releases list their local governments on the home page itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from civicgraph.publish.site.charts import Bar, bar_chart
from civicgraph.publish.site.facts import Reader
from civicgraph.publish.site.markup import escape
from civicgraph.publish.site.model import Page, SiteModel
from civicgraph.publish.site.numbers import format_number
from civicgraph.publish.site.parts import View
from civicgraph.publish.site.regions import VOIVODESHIPS, voivodeship_of
from civicgraph.publish.site.words import noun
from civicgraph.util.iris import CG, ORG

# Up to this many local governments, the home page lists them itself (grouped by voivodeship).
LISTED_ON_HOME = 60
SEARCH_INDEX = "search-index.js"


def voivodeship_path(code: str) -> str:
    return f"voivodeship/{code}"


def voivodeship_name(code: str, lang: str, words: dict[str, str]) -> str:
    known = VOIVODESHIPS.get(code)
    if known is None:
        return words["voivodeship_unknown"].format(code=code)
    return words["voivodeship_of"].format(name=known[0] if lang == "pl" else known[1])


def members_by_voivodeship(model: SiteModel) -> dict[str, list[str]]:
    """The local governments of the data by voivodeship code, each list in TERYT order."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for member in model.of_type(f"{CG}LocalGovernment"):
        teryt = model.index.literal(member, f"{CG}teryt") or ""
        grouped[voivodeship_of(teryt)].append(member)
    return dict(sorted(grouped.items()))


def index_context(model: SiteModel, reader: Reader, lang: str) -> dict[str, Any]:
    view = View(model, Page("", "index"), lang)
    w, index = view.w, model.index
    organisations = model.of_type(f"{CG}NationalOrganisation")
    members = model.of_type(f"{CG}LocalGovernment")
    reports = model.of_type(f"{CG}Report")
    years = sorted({int(index.literal(r, f"{CG}reportYear") or 0) for r in reports})
    count_of = {o: len(index.referrers(o, f"{ORG}organization")) for o in organisations}
    ranked = sorted(organisations, key=lambda o: (-count_of[o], view.label(o).casefold(), o))
    organisation_bars = [Bar(view.link(o), Decimal(count_of[o]), format_number(str(count_of[o]), lang)) for o in ranked]
    grouped = members_by_voivodeship(model)
    region_bars = [
        Bar(
            f'<a href="{escape(view.site_href(voivodeship_path(code)))}">{escape(voivodeship_name(code, lang, w))}</a>',
            Decimal(len(group)),
            format_number(str(len(group)), lang),
        )
        for code, group in grouped.items()
    ]
    listed = []
    if len(members) <= LISTED_ON_HOME:
        listed = [
            {"heading": voivodeship_name(code, lang, w), "rows": member_rows(view, reader, group)}
            for code, group in grouped.items()
        ]
    return {
        "title": w["site"],
        "lead": w["site_lead"],
        "numbers": [
            {"big": format_number(str(len(members)), lang), "what": noun(len(members), "member", lang)},
            {"big": format_number(str(len(reports)), lang), "what": noun(len(reports), "report", lang)},
            {
                "big": format_number(str(len(organisations)), lang),
                "what": noun(len(organisations), "organisation", lang),
            },
            {"big": "–".join(str(y) for y in sorted({years[0], years[-1]})) if years else w["none"], "what": w["year"]},
        ],
        "organisations": Markup(
            bar_chart(
                "chart-organisations",
                escape(w["organisations_lead"]),
                (w["col_organisation"], w["col_members"], w["col_bar"]),
                organisation_bars,
            )
        ),
        "regions": Markup(
            bar_chart(
                "chart-regions",
                escape(w["by_voivodeship"]),
                (w["col_voivodeship"], w["local_governments"], w["col_bar"]),
                region_bars,
            )
        ),
        "listed": listed,
        "search_index": SEARCH_INDEX,
    }


def member_rows(view: View, reader: Reader, members: list[str]) -> list[dict[str, Any]]:
    """A row per local government: its name, kind, its reports (newest first) and how many memberships the
    newest records."""
    rows = []
    index = view.model.index
    for member in members:
        reports = reader.years_of(member)
        kind = index.iri(member, f"{CG}localGovernmentKind")
        rows.append(
            {
                "member": Markup(view.link(member)),
                "kind": view.label(kind) if kind else "",
                "reports": Markup(", ".join(view.link(iri, str(year)) for year, iri in reversed(reports))),
                "memberships": format_number(str(reader.membership_count(reports[-1][1])), view.lang)
                if reports
                else view.w["none"],
            }
        )
    return rows


def voivodeship_context(model: SiteModel, reader: Reader, code: str, members: list[str], lang: str) -> dict[str, Any]:
    view = View(model, Page("", voivodeship_path(code)), lang)
    name = voivodeship_name(code, lang, view.w)
    return {"title": f"{view.w['local_governments']}: {name}", "rows": member_rows(view, reader, members)}


def search_index(model: SiteModel) -> bytes:
    """``search-index.js``: every local government and organisation as [Polish name, English name, path, code],
    for the home page's search (loaded when the search field is first used)."""
    index = model.index
    entries = []
    for cls, code in ((f"{CG}LocalGovernment", f"{CG}teryt"), (f"{CG}NationalOrganisation", f"{CG}key")):
        for iri in model.of_type(cls):
            path = model.path_of(iri)
            polish, english = model.label(iri, "pl"), model.label(iri, "en")
            entries.append([polish, "" if english == polish else english, path, index.literal(iri, code) or ""])
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    return f"window.civicgraphSearch={body};\n".encode()
