"""What changed between two releases, by IRI: memberships joined and left, activities added and removed, figures
whose value, hedge or unit changed (and reports and figures added or removed).

Each release is read from its ``graph.nt``; resources are matched by IRI, never by text, so a corrected
label is not a new membership and a reordered file is no change at all.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from civicgraph.publish.release import GraphIndex
from civicgraph.util.iris import CG, ORG, RDF_TYPE, SCHEMA

GRAPH_FILE = "graph.nt"
RELEASE_FILE = "release.json"


@dataclass(frozen=True)
class Item:
    iri: str
    label: str


@dataclass(frozen=True)
class FieldChange:
    field: str  # value | hedge | unit
    old: str | None
    new: str | None


@dataclass(frozen=True)
class FigureChange:
    iri: str
    label: str
    changes: tuple[FieldChange, ...]


@dataclass
class ReleaseDiff:
    old_edition: str | None
    new_edition: str | None
    memberships_joined: list[Item] = field(default_factory=list)
    memberships_left: list[Item] = field(default_factory=list)
    activities_added: list[Item] = field(default_factory=list)
    activities_removed: list[Item] = field(default_factory=list)
    figures_changed: list[FigureChange] = field(default_factory=list)
    figures_added: list[Item] = field(default_factory=list)
    figures_removed: list[Item] = field(default_factory=list)
    reports_added: list[Item] = field(default_factory=list)
    reports_removed: list[Item] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(v for k, v in asdict(self).items() if k not in ("old_edition", "new_edition"))


def read_release(folder: Path) -> GraphIndex:
    """The graph of a release folder (its ``graph.nt``), indexed by subject."""
    path = folder / GRAPH_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no {GRAPH_FILE} here; give a folder written by `civicgraph build`")
    try:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise ValueError(f"{path}: not valid N-Triples: {error}") from None
    triples.sort(key=lambda t: (str(t.subject), t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))
    return GraphIndex.of(triples, base="")


def edition_of(folder: Path) -> str | None:
    try:
        info = json.loads((folder / RELEASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    edition = info.get("edition") if isinstance(info, dict) else None
    return str(edition) if edition is not None else None


def diff_releases(old_folder: Path, new_folder: Path, lang: str = "pl") -> ReleaseDiff:
    old, new = read_release(old_folder), read_release(new_folder)
    result = ReleaseDiff(edition_of(old_folder), edition_of(new_folder))
    for cls, added, removed in (
        (f"{ORG}Membership", result.memberships_joined, result.memberships_left),
        (f"{CG}Activity", result.activities_added, result.activities_removed),
        (f"{CG}Figure", result.figures_added, result.figures_removed),
        (f"{CG}Report", result.reports_added, result.reports_removed),
    ):
        before, after = set(old.of_type(cls)), set(new.of_type(cls))
        added.extend(Item(iri, label(new, iri, lang)) for iri in sorted(after - before))
        removed.extend(Item(iri, label(old, iri, lang)) for iri in sorted(before - after))
    for figure in sorted(set(old.of_type(f"{CG}Figure")) & set(new.of_type(f"{CG}Figure"))):
        changes = tuple(
            FieldChange(name, before, after)
            for name, before, after in (
                (name, read(old, figure), read(new, figure)) for name, read in FIGURE_FIELDS.items()
            )
            if before != after
        )
        if changes:
            result.figures_changed.append(FigureChange(figure, label(new, figure, lang), changes))
    return result


def _value(index: GraphIndex, figure: str) -> str | None:
    return index.literal(figure, f"{SCHEMA}value")


def _hedge(index: GraphIndex, figure: str) -> str | None:
    hedge = index.iri(figure, f"{CG}hedge")
    return hedge.rsplit("/", 1)[-1] if hedge else None


def _unit(index: GraphIndex, figure: str) -> str | None:
    """A count's unit (its concept's notation) or money's currency code."""
    unit = index.iri(figure, f"{SCHEMA}unitCode")
    return unit.rsplit("/", 1)[-1] if unit else index.literal(figure, f"{SCHEMA}currency")


FIGURE_FIELDS = {"value": _value, "hedge": _hedge, "unit": _unit}


def label(index: GraphIndex, iri: str, lang: str) -> str:
    """A resource's name; a membership is named by its member and organisation."""
    own = index.label(iri, lang)
    if own:
        return own
    member, organisation = index.iri(iri, f"{ORG}member"), index.iri(iri, f"{ORG}organization")
    if member and organisation:
        return f"{index.label(member, lang) or member} — {index.label(organisation, lang) or organisation}"
    return iri.rsplit("/", 1)[-1]


# -- output -----------------------------------------------------------------------------------------------------

_HEADINGS = {
    "memberships_joined": ("Członkostwa nowe", "Memberships joined", "+"),
    "memberships_left": ("Członkostwa zakończone", "Memberships left", "-"),
    "activities_added": ("Działania dodane", "Activities added", "+"),
    "activities_removed": ("Działania usunięte", "Activities removed", "-"),
    "figures_changed": ("Dane liczbowe zmienione", "Figures changed", "~"),
    "figures_added": ("Dane liczbowe dodane", "Figures added", "+"),
    "figures_removed": ("Dane liczbowe usunięte", "Figures removed", "-"),
    "reports_added": ("Raporty dodane", "Reports added", "+"),
    "reports_removed": (
        "Raporty usunięte (portal usunie ich zbiory danych)",
        "Reports removed (the portal will delete their datasets)",
        "-",
    ),
}


def as_text(diff: ReleaseDiff, old: Path, new: Path, lang: str) -> str:
    pick = 0 if lang == "pl" else 1
    lines = [f"{old} ({diff.old_edition or '?'}) → {new} ({diff.new_edition or '?'})"]
    if diff.is_empty:
        lines.append("Bez zmian." if lang == "pl" else "No changes.")
        return "\n".join(lines) + "\n"
    for name, (pl, en, mark) in _HEADINGS.items():
        items: list[Any] = getattr(diff, name)
        if not items:
            continue
        lines.append(f"{(pl, en)[pick]} ({len(items)}):")
        for item in items:
            lines.append(f"  {mark} {item.iri}  {item.label}")
            for change in getattr(item, "changes", ()):
                lines.append(f"      {change.field}: {change.old or '—'} → {change.new or '—'}")
    return "\n".join(lines) + "\n"


def as_json(diff: ReleaseDiff) -> dict[str, Any]:
    return {**asdict(diff), "is_empty": diff.is_empty}
