"""What changed, report by report: between two releases (each member-year against itself) and, within one release,
between the same member's consecutive years.

A report's facts are keyed as the data keys them, never by text: its memberships by organisation key, its
activities by activity key, its figures by key (``national-organisations``, or ``zit-projects/projects`` for a
figure of an activity). So a corrected label is not a new membership, and a figure two years both state — the
number of national organisations, 16 and then 15 — is one figure whose value changed, not one removed and one added.
A comparison lists memberships joined and left, activities added and removed, figures whose value, hedge or unit
changed, and figures added or removed where their report or activity is on both sides (the figures of an added
activity come with it). Between releases, a member-year in one only is a report added or removed.

Each release is read from its ``graph.nt``. A folder holding that file alone compares too; one holding a
``release.json`` must hold civicgraph's, and a ``graph.nt`` its ``SHA256SUMS`` lists must have the digest listed: a
copy cut short would otherwise read as reports removed, which the portal deletes. Facts outside memberships,
activities and figures (names, Wikidata links, settings) are not compared: when none of those compared changed
but the two graphs differ (their listed digests), the diff says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from civicgraph.graph.build import grouped_by_subject
from civicgraph.graph.terms import plain_triples
from civicgraph.publish.checksums import check_written_by_civicgraph, listed_digests
from civicgraph.publish.release import CHECKSUMS_FILE, GraphIndex
from civicgraph.util.errors import Failure, Message
from civicgraph.util.folders import NotOfKind
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import CG, DCT, ORG, SCHEMA

GRAPH_FILE = "graph.nt"
RELEASE_FILE = "release.json"


@dataclass(frozen=True)
class Item:
    """A membership, activity, figure or report, by its key in the data, its IRI and its name."""

    key: str
    iri: str
    label: str


@dataclass(frozen=True)
class FieldChange:
    field: str  # value | hedge | unit
    old: str | None
    new: str | None


@dataclass(frozen=True)
class FigureChange:
    key: str
    iri: str  # the figure of the later side
    label: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Figure:
    item: Item
    fields: dict[str, str | None]  # value, hedge, unit


@dataclass(frozen=True)
class ReportFacts:
    """What one report states, keyed as the data keys it."""

    member: str  # TERYT
    member_label: str
    year: int
    iri: str
    memberships: dict[str, Item]
    activities: dict[str, Item]
    figures: dict[str, Figure]
    owners: frozenset[str]  # the report ("") and its activity keys: where a figure may be added or removed


@dataclass
class Comparison:
    """The changes between two reports of one member: two releases' same year, or two consecutive years."""

    member: str
    member_label: str
    from_year: int
    to_year: int
    memberships_joined: list[Item] = field(default_factory=list)
    memberships_left: list[Item] = field(default_factory=list)
    activities_added: list[Item] = field(default_factory=list)
    activities_removed: list[Item] = field(default_factory=list)
    figures_changed: list[FigureChange] = field(default_factory=list)
    figures_added: list[Item] = field(default_factory=list)
    figures_removed: list[Item] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in CHANGE_LISTS)


CHANGE_LISTS = (
    "memberships_joined",
    "memberships_left",
    "activities_added",
    "activities_removed",
    "figures_changed",
    "figures_added",
    "figures_removed",
)


@dataclass
class Diff:
    """Every comparison that found something, and the reports added or removed between two releases."""

    kind: str  # "releases" | "years"
    old_edition: str | None
    new_edition: str | None
    reports_added: list[Item] = field(default_factory=list)
    reports_removed: list[Item] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    # Between releases: their graph.nt files differ, as their SHA256SUMS list them (None: a digest is not listed)
    graphs_differ: bool | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.reports_added or self.reports_removed or self.comparisons)


# -- reading a release --------------------------------------------------------------------------------------------


def read_release(folder: Path) -> tuple[GraphIndex, str | None]:
    """The graph of a release folder (its ``graph.nt``), indexed by subject, and the SHA-256 its ``SHA256SUMS``
    lists for that file, which it has (None: no digest listed)."""
    path = folder / GRAPH_FILE
    if not path.is_file():
        raise Failure(
            Message(
                f"{folder}: brak tu {GRAPH_FILE}; podaj folder zapisany przez `civicgraph build`",
                f"{folder}: no {GRAPH_FILE} here; give a folder written by `civicgraph build`",
            )
        )
    listed = _checked_release(folder)
    with paused_cycle_collector():  # a million small tuples: collections would only re-scan them
        try:
            triples = grouped_by_subject(
                plain_triples(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
            )
        except SyntaxError as error:
            raise Failure(
                Message(
                    f"{path}: to nie jest poprawny plik N-Triples: {error}", f"{path}: not valid N-Triples: {error}"
                )
            ) from None
        return GraphIndex.of(triples, base=""), listed


def edition_of(folder: Path) -> str | None:
    try:
        info = json.loads((folder / RELEASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    edition = info.get("edition") if isinstance(info, dict) else None
    return str(edition) if edition is not None else None


def reports_of(index: GraphIndex, lang: str) -> dict[tuple[str, int], ReportFacts]:
    """Every report of a release with what it states, by member and year."""
    found = {}
    for report in index.of_type(f"{CG}Report"):
        publisher = index.iri(report, f"{DCT}publisher")
        teryt = index.literal(publisher, f"{CG}teryt") if publisher else None
        year = index.literal(report, f"{CG}reportYear")
        if publisher is None or teryt is None or year is None:
            continue
        facts = _facts(index, report, teryt, int(year), index.label(publisher, lang) or teryt, lang)
        found[(teryt, facts.year)] = facts
    return found


def _facts(index: GraphIndex, report: str, teryt: str, year: int, member_label: str, lang: str) -> ReportFacts:
    memberships: dict[str, Item] = {}
    activities: dict[str, Item] = {}
    figures = {_key(figure): _figure(index, figure, lang) for figure in index.iris(report, f"{CG}hasFigure")}
    for stated in index.referrers(report, f"{CG}reportedIn"):
        if index.has_type(stated, f"{ORG}Membership"):
            organisation = index.iri(stated, f"{ORG}organization") or stated
            key = index.literal(organisation, f"{CG}key") or _last(organisation)
            memberships[key] = Item(key, stated, index.label(organisation, lang) or key)
        elif index.has_type(stated, f"{CG}Activity"):
            key = _last(stated)
            activities[key] = Item(key, stated, index.label(stated, lang) or key)
            for figure in index.iris(stated, f"{CG}hasFigure"):
                figures[f"{key}/{_key(figure)}"] = _figure(index, figure, lang, f"{key}/")
    return ReportFacts(
        teryt, member_label, year, report, memberships, activities, figures, frozenset(["", *activities])
    )


def _figure(index: GraphIndex, figure: str, lang: str, owner: str = "") -> Figure:
    key = owner + _key(figure)
    fields = {name: read(index, figure) for name, read in FIGURE_FIELDS.items()}
    return Figure(Item(key, figure, index.label(figure, lang) or key), fields)


def _key(figure: str) -> str:
    """A figure's key: the last segment of ``…/figure/{key}``."""
    return _last(figure)


def _last(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _value(index: GraphIndex, figure: str) -> str | None:
    return index.literal(figure, f"{SCHEMA}value")


def _hedge(index: GraphIndex, figure: str) -> str | None:
    hedge = index.iri(figure, f"{CG}hedge")
    return _last(hedge) if hedge else None


def _unit(index: GraphIndex, figure: str) -> str | None:
    """A count's unit (its concept's notation) or money's currency code."""
    unit = index.iri(figure, f"{SCHEMA}unitCode")
    return _last(unit) if unit else index.literal(figure, f"{SCHEMA}currency")


FIGURE_FIELDS: dict[str, Callable[[GraphIndex, str], str | None]] = {"value": _value, "hedge": _hedge, "unit": _unit}


# -- comparing -----------------------------------------------------------------------------------------------------


def compare(before: ReportFacts, after: ReportFacts) -> Comparison:
    """What changed from one report of a member to another (the same year in two releases, or two years)."""
    result = Comparison(after.member, after.member_label, before.year, after.year)
    _added_and_removed(before.memberships, after.memberships, result.memberships_joined, result.memberships_left)
    _added_and_removed(before.activities, after.activities, result.activities_added, result.activities_removed)
    kept_owners = before.owners & after.owners
    added_figures = {k: f.item for k, f in after.figures.items() if _owner(k) in kept_owners}
    removed_figures = {k: f.item for k, f in before.figures.items() if _owner(k) in kept_owners}
    _added_and_removed(removed_figures, added_figures, result.figures_added, result.figures_removed)
    for key in sorted(before.figures.keys() & after.figures.keys()):
        old, new = before.figures[key], after.figures[key]
        changes = tuple(
            FieldChange(name, old.fields[name], new.fields[name])
            for name in FIGURE_FIELDS
            if old.fields[name] != new.fields[name]
        )
        if changes:
            result.figures_changed.append(FigureChange(key, new.item.iri, new.item.label, changes))
    return result


def _owner(figure_key: str) -> str:
    """The activity key of an activity's figure, "" for a figure of the report."""
    return figure_key.rpartition("/")[0]


def _added_and_removed(before: dict[str, Item], after: dict[str, Item], added: list[Item], removed: list[Item]) -> None:
    added.extend(after[key] for key in sorted(after.keys() - before.keys()))
    removed.extend(before[key] for key in sorted(before.keys() - after.keys()))


def _checked_release(folder: Path) -> str | None:
    """The SHA-256 of ``graph.nt`` that ``folder``'s ``SHA256SUMS`` lists (None: none listed); a :class:`Failure`
    (exit 3) when its ``release.json`` is not civicgraph's, or its ``graph.nt`` has not the digest listed (a copy
    cut short, a file edited since)."""
    info = folder / RELEASE_FILE
    if info.is_file():
        try:
            check_written_by_civicgraph(info)
        except NotOfKind as not_ours:
            reason = not_ours.reason
            raise Failure(
                Message(
                    f"{folder}: to nie jest wydanie civicgraph ({reason.pl})",
                    f"{folder}: not a civicgraph release ({reason.en})",
                )
            ) from None
    checksums = folder / CHECKSUMS_FILE
    listed = listed_digests(checksums).get(GRAPH_FILE) if checksums.is_file() else None
    if listed is not None and _sha256(folder / GRAPH_FILE) != listed:
        raise Failure(
            Message(
                f"{folder / GRAPH_FILE} nie ma skrótu SHA-256, który podaje {CHECKSUMS_FILE}: plik jest uszkodzony "
                "albo niepełny (przerwane kopiowanie?); skopiuj wydanie jeszcze raz",
                f"{folder / GRAPH_FILE} does not have the SHA-256 its {CHECKSUMS_FILE} lists: the file is damaged or "
                "incomplete (a copy cut short?); copy the release again",
            )
        )
    return listed


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def diff_releases(old_folder: Path, new_folder: Path, lang: str = "pl") -> Diff:
    """Each member-year of two releases compared with itself; member-years in one release only are reports added
    or removed."""
    (old_graph, old_digest), (new_graph, new_digest) = read_release(old_folder), read_release(new_folder)
    old, new = reports_of(old_graph, lang), reports_of(new_graph, lang)
    result = Diff("releases", edition_of(old_folder), edition_of(new_folder))
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            result.reports_added.append(_report_item(new[key]))
        elif key not in new:
            result.reports_removed.append(_report_item(old[key]))
        else:
            comparison = compare(old[key], new[key])
            if not comparison.is_empty:
                result.comparisons.append(comparison)
    if old_digest is not None and new_digest is not None:
        result.graphs_differ = old_digest != new_digest
    return result


def diff_years(folder: Path, lang: str = "pl") -> Diff:
    """Within one release, each member's report compared with the member's previous report."""
    reports = reports_of(read_release(folder)[0], lang)
    edition = edition_of(folder)
    result = Diff("years", edition, edition)
    previous: ReportFacts | None = None
    for key in sorted(reports):
        current = reports[key]
        if previous is not None and previous.member == current.member:
            comparison = compare(previous, current)
            if not comparison.is_empty:
                result.comparisons.append(comparison)
        previous = current
    return result


def _report_item(report: ReportFacts) -> Item:
    return Item(f"{report.member}/{report.year}", report.iri, f"{report.member_label} {report.year}")


# -- output -----------------------------------------------------------------------------------------------------

_HEADINGS: dict[str, tuple[Message, str]] = {
    "memberships_joined": (Message("Członkostwa nowe", "Memberships joined"), "+"),
    "memberships_left": (Message("Członkostwa zakończone", "Memberships left"), "-"),
    "activities_added": (Message("Działania dodane", "Activities added"), "+"),
    "activities_removed": (Message("Działania usunięte", "Activities removed"), "-"),
    "figures_changed": (Message("Dane liczbowe zmienione", "Figures changed"), "~"),
    "figures_added": (Message("Dane liczbowe dodane", "Figures added"), "+"),
    "figures_removed": (Message("Dane liczbowe usunięte", "Figures removed"), "-"),
}
_REPORTS_ADDED = Message("Raporty dodane", "Reports added")
_REPORTS_REMOVED = Message(
    "Raporty usunięte (portal usunie ich zbiory danych)", "Reports removed (the portal will delete their datasets)"
)
_NO_CHANGES = Message(
    "Bez zmian w członkostwach, działaniach i danych liczbowych.", "No changes to memberships, activities or figures."
)
_OTHER_CHANGES = Message(
    "Grafy różnią się jednak w innych faktach (nazwy, powiązania z Wikidanymi, ustawienia): porównaj ich graph.nt.",
    "The graphs differ in other facts, though (names, Wikidata links, settings): compare their graph.nt files.",
)
_YEAR_OVER_YEAR = Message("kolejne lata każdego członka", "each member's consecutive years")


def as_text(diff: Diff, old: Path, new: Path, lang: str) -> str:
    if diff.kind == "years":
        lines = [f"{new} ({diff.new_edition or '?'}): {_YEAR_OVER_YEAR.text(lang)}"]
    else:
        lines = [f"{old} ({diff.old_edition or '?'}) → {new} ({diff.new_edition or '?'})"]
    if diff.is_empty:
        lines.append(_NO_CHANGES.text(lang))
        if diff.graphs_differ:
            lines.append(_OTHER_CHANGES.text(lang))
        return "\n".join(lines) + "\n"
    for heading, reports, mark in (
        (_REPORTS_ADDED, diff.reports_added, "+"),
        (_REPORTS_REMOVED, diff.reports_removed, "-"),
    ):
        if reports:
            lines.append(f"{heading.text(lang)} ({len(reports)}):")
            lines += [f"  {mark} {item.iri}  {item.label}" for item in reports]
    for comparison in diff.comparisons:
        years = (
            str(comparison.to_year)
            if comparison.from_year == comparison.to_year
            else f"{comparison.from_year} → {comparison.to_year}"
        )
        lines.append(f"{comparison.member_label} ({comparison.member}) {years}:")
        for name, (heading, mark) in _HEADINGS.items():
            items: list[Any] = getattr(comparison, name)
            if not items:
                continue
            lines.append(f"  {heading.text(lang)} ({len(items)}):")
            for item in items:
                lines.append(f"    {mark} {item.key}  {item.label}  <{item.iri}>")
                for change in getattr(item, "changes", ()):
                    lines.append(f"        {change.field}: {change.old or '—'} → {change.new or '—'}")
    return "\n".join(lines) + "\n"


def as_json(diff: Diff) -> dict[str, Any]:
    return {**asdict(diff), "is_empty": diff.is_empty}
