"""Precision and recall of `civicgraph draft` per kind of fact, on Poznań 2023 and on the development set.

    .venv/bin/python benchmarks/draft_quality.py

Poznań 2023: the draft of data/reports/3064011/2023/source.txt against the curated report.yaml, with
data/organisations.yaml and data/members.yaml as the drafter's registry. Development set: the constructed texts of
tests/fixtures/draft/dev/ against their gold.yaml, with the registry of that folder (organisations the registry
lacks must be proposed). How facts are compared:

- memberships: by organisation key; an organisation the registry lacks counts when the draft proposes one whose
  membership quote overlaps the gold quote;
- figures: by value, hedge and unit or currency (each gold figure matched at most once); "hedges" counts the
  figures found by value at the gold quote whose hedge is right;
- activities: a drafted activity is right when its quote overlaps the quote of a gold activity of the same
  membership; a gold activity is found when a drafted one overlaps it that way;
- participants: by TERYT and role, in activities that overlap.

The draft is read back from the YAML the drafter writes, so what is measured is what a reviewer gets.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from civicgraph.draft.drafter import draft  # noqa: E402
from civicgraph.draft.registry import read_registry  # noqa: E402
from civicgraph.draft.render import render_report  # noqa: E402
from civicgraph.source.evidence import locate  # noqa: E402

KINDS = ("memberships", "figures", "activities", "participants")


@dataclass
class Facts:
    memberships: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> quote span
    proposed: set[str] = field(default_factory=set)  # keys of organisations to propose
    figures: list[tuple[Decimal, str, str | None, tuple[int, int]]] = field(default_factory=list)
    activities: list[tuple[str, list[tuple[int, int]]]] = field(default_factory=list)
    participants: list[tuple[str, str, list[tuple[int, int]]]] = field(default_factory=list)
    stated: int | None = None


@dataclass
class Score:
    right: int = 0  # drafted facts that are right
    drafted: int = 0
    found: int = 0  # gold facts the draft found
    gold: int = 0

    def add(self, other: Score) -> None:
        self.right += other.right
        self.drafted += other.drafted
        self.found += other.found
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.right / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


def span(text: str, quote: str) -> tuple[int, int]:
    passage = locate(text, str(quote))
    return passage.start, passage.end


def overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def quotes_of(entry: dict[str, Any]) -> list[str]:
    return [entry["quote"]] if "quote" in entry else list(entry.get("quotes", []))


def from_report(text: str, report: dict[str, Any], registry_keys: set[str]) -> Facts:
    """The facts of a report.yaml (curated, or drafted and read back)."""
    facts = Facts()
    for key, entry in (report.get("memberships") or {}).items():
        facts.memberships[key] = span(text, quotes_of(entry)[0])
        if key not in registry_keys:
            facts.proposed.add(key)

    def figures(node: dict[str, Any] | None) -> None:
        for entry in (node or {}).values():
            unit = entry.get("currency") or entry.get("unit")
            facts.figures.append((Decimal(str(entry["value"])), entry["hedge"], unit, span(text, entry["quote"])))

    figures(report.get("figures"))
    for entry in (report.get("activities") or {}).values():
        where = [span(text, q) for q in quotes_of(entry)]
        facts.activities.append((entry["membership"], where))
        figures(entry.get("figures"))
        for participant in entry.get("participants") or []:
            if "member" in participant:
                facts.participants.append((str(participant["member"]), participant["role"], where))
    return facts


def from_gold(text: str, gold: dict[str, Any]) -> Facts:
    facts = Facts(stated=gold.get("stated_count"))
    for key, entry in gold["memberships"].items():
        facts.memberships[key] = span(text, entry["quote"])
        if "proposed" in entry:
            facts.proposed.add(key)
    for entry in gold["figures"]:
        unit = entry.get("currency") or entry.get("unit")
        facts.figures.append((Decimal(str(entry["value"])), entry["hedge"], unit, span(text, entry["quote"])))
    spans = {}
    for key, entry in gold["activities"].items():
        spans[key] = [span(text, q) for q in entry["quotes"]]
        facts.activities.append((entry["membership"], spans[key]))
    for entry in gold["participants"]:
        facts.participants.append((str(entry["member"]), entry["role"], spans[entry["activity"]]))
    return facts


def compare(drafted: Facts, gold: Facts) -> tuple[dict[str, Score], int, int]:
    scores = {kind: Score() for kind in KINDS}
    # memberships: a drafted proposal stands for the gold organisation whose quote it overlaps
    alias = {}
    for key, where in drafted.memberships.items():
        if key in drafted.proposed:
            for gold_key in gold.proposed:
                if overlaps([where], [gold.memberships[gold_key]]):
                    alias[key] = gold_key
    drafted_keys = {alias.get(k, k) for k in drafted.memberships}
    gold_keys = set(gold.memberships)
    scores["memberships"] = Score(
        len(drafted_keys & gold_keys), len(drafted_keys), len(drafted_keys & gold_keys), len(gold_keys)
    )
    # figures: by value, hedge and unit; hedges: figures at the gold quote with the right value
    remaining = list(gold.figures)
    right = 0
    for value, hedge, unit, _ in drafted.figures:
        for index, (gv, gh, gu, _) in enumerate(remaining):
            if gv == value and gh == hedge and gu == unit:
                right += 1
                del remaining[index]
                break
    scores["figures"] = Score(right, len(drafted.figures), right, len(gold.figures))
    hedges_right = hedges_seen = 0
    for gv, gh, _, where in gold.figures:
        at = [d for d in drafted.figures if d[0] == gv and overlaps([d[3]], [where])]
        if at:
            hedges_seen += 1
            hedges_right += at[0][1] == gh
    # activities
    activities = [(alias.get(m, m), w) for m, w in drafted.activities]
    right = sum(1 for m, w in activities if any(m == gm and overlaps(w, gw) for gm, gw in gold.activities))
    found = sum(1 for gm, gw in gold.activities if any(m == gm and overlaps(w, gw) for m, w in activities))
    scores["activities"] = Score(right, len(activities), found, len(gold.activities))
    # participants
    right = sum(
        1
        for t, r, w in drafted.participants
        if any(t == gt and r == gr and overlaps(w, gw) for gt, gr, gw in gold.participants)
    )
    found = sum(
        1
        for gt, gr, gw in gold.participants
        if any(t == gt and r == gr and overlaps(w, gw) for t, r, w in drafted.participants)
    )
    scores["participants"] = Score(right, len(drafted.participants), found, len(gold.participants))
    return scores, hedges_right, hedges_seen


def run(text_file: Path, member: str, year: int, organisations: Path, members: Path) -> tuple[Facts, float, Any]:
    registry = read_registry(organisations, members)
    text = text_file.read_text(encoding="utf-8")
    started = time.perf_counter()
    result = draft(text, member, year, registry)
    rendered = render_report(result)
    elapsed = time.perf_counter() - started
    facts = from_report(text, yaml.safe_load(rendered), set(registry.organisations))
    facts.stated = None
    return facts, elapsed, result


def table(title: str, scores: dict[str, Score], hedges: tuple[int, int], extra: list[str]) -> None:
    print(f"\n### {title}\n")
    print("| kind | precision | recall | right / drafted | found / gold |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        s = scores[kind]
        print(f"| {kind} | {s.precision:.2f} | {s.recall:.2f} | {s.right}/{s.drafted} | {s.found}/{s.gold} |")
    print(f"\nhedges right: {hedges[0]}/{hedges[1]} of the gold figures found at their quote")
    for line in extra:
        print(line)


def main() -> None:
    times = []
    # Poznań 2023
    text_file = ROOT / "data/reports/3064011/2023/source.txt"
    drafted, elapsed, result = run(
        text_file, "3064011", 2023, ROOT / "data/organisations.yaml", ROOT / "data/members.yaml"
    )
    times.append(elapsed)
    text = text_file.read_text(encoding="utf-8")
    curated = yaml.safe_load((ROOT / "data/reports/3064011/2023/report.yaml").read_text(encoding="utf-8"))
    gold = from_report(text, curated, set(yaml.safe_load((ROOT / "data/organisations.yaml").read_text())))
    scores, hedges_right, hedges_seen = compare(drafted, gold)
    table(
        "Poznań 2023 (data/reports/3064011/2023)",
        scores,
        (hedges_right, hedges_seen),
        [f"stated count: {result.count_note}"],
    )
    # development set
    folder = ROOT / "tests/fixtures/draft/dev"
    total = {kind: Score() for kind in KINDS}
    hedges = [0, 0]
    counts_right = counts = 0
    per_text = []
    for gold_file in sorted(folder.glob("*/gold.yaml")):
        gold_yaml = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        text_file = gold_file.parent / "source.txt"
        drafted, elapsed, result = run(
            text_file, gold_yaml["member"], gold_yaml["year"], folder / "organisations.yaml", folder / "members.yaml"
        )
        times.append(elapsed)
        text = text_file.read_text(encoding="utf-8")
        scores, hr, hs = compare(drafted, from_gold(text, gold_yaml))
        for kind in KINDS:
            total[kind].add(scores[kind])
        hedges[0] += hr
        hedges[1] += hs
        if gold_yaml["stated_count"] is not None:
            counts += 1
            stated = result.count_note or ""
            counts_right += f"states {gold_yaml['stated_count']} " in stated
        per_text.append((gold_file.parent.name, scores))
    table(
        f"Development set ({len(per_text)} constructed texts, tests/fixtures/draft/dev)",
        total,
        (hedges[0], hedges[1]),
        [f"stated counts read: {counts_right}/{counts}"],
    )
    print(
        "\nper text (precision/recall): "
        + "; ".join(
            f"{name}: " + " ".join(f"{k[0]}{s.precision:.2f}/{s.recall:.2f}" for k, s in scores.items())
            for name, scores in per_text
        )
    )
    print(
        f"\ndraft time per text (first includes loading the dictionary): median {statistics.median(times):.3f} s, "
        f"first {times[0]:.3f} s"
    )


if __name__ == "__main__":
    main()
