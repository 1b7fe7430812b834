"""Drafting the shipped Poznań 2023 text against the shipped organisations and members reproduces the curated
facts (data/reports/3064011/2023/report.yaml), whatever other editions data/ holds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from civicgraph.draft.drafter import draft
from civicgraph.draft.model import Draft, Sureness
from civicgraph.draft.registry import read_registry
from civicgraph.source.evidence import locate

DATA = Path(__file__).resolve().parents[2] / "data"
EDITION = DATA / "reports" / "3064011" / "2023"
TEXT = (EDITION / "source.txt").read_text(encoding="utf-8")
CURATED: Any = yaml.safe_load((EDITION / "report.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def drafted() -> Draft:
    return draft(TEXT, "3064011", 2023, read_registry(DATA / "organisations.yaml", DATA / "members.yaml"))


def span(quote: str) -> tuple[int, int]:
    passage = locate(TEXT, quote)
    return passage.start, passage.end


@pytest.mark.parametrize(("key", "entry"), list(CURATED["memberships"].items()), ids=list(CURATED["memberships"]))
def test_each_printed_name_is_mapped_to_its_key(drafted: Draft, key: str, entry: dict[str, str]) -> None:
    found = [m for m in drafted.memberships if m.key == key]
    assert len(found) == 1
    start, end = span(entry["quote"])
    assert found[0].quote.start < end and start < found[0].quote.end  # the same list item


def test_sixteen_memberships_none_proposed(drafted: Draft) -> None:
    assert len(drafted.memberships) == 16 and drafted.proposed == []
    # PLOT is printed with its abbreviation before the recorded name: found, but flagged as a longer name
    assert [m.key for m in drafted.memberships if m.note.sureness is not Sureness.SURE] == ["plot"]


def test_the_stated_count_is_checked(drafted: Draft) -> None:
    assert drafted.count_note == (
        "the text states 16 organisations and the sentences listing memberships name 16: they agree"
    )


def all_figures(drafted: Draft) -> list[tuple[Decimal, str, str | None]]:
    figures = drafted.figures + [f for a in drafted.activities for f in a.figures]
    return sorted((f.value, f.hedge, f.unit or f.currency) for f in figures)


def test_the_figures_are_the_curated_ones(drafted: Draft) -> None:
    curated = [(Decimal(str(f["value"])), f["hedge"], f.get("unit") or f.get("currency")) for f in _curated_figures()]
    assert all_figures(drafted) == sorted(curated)


def test_years_ordinals_and_numbers_in_names_are_not_figures(drafted: Draft) -> None:
    values = {value for value, _, _ in all_figures(drafted)}
    assert not values & {Decimal(2023), Decimal(2024), Decimal(11)}  # w 2023 r.; 2023/2024; „Droga S 11”


def test_activities_and_participants(drafted: Draft) -> None:
    for key, activity in CURATED["activities"].items():
        quotes = [activity["quote"]] if "quote" in activity else activity["quotes"]
        spans = [span(q) for q in quotes]
        overlapping = [a for a in drafted.activities if any(a.quote.start < e and s < a.quote.end for s, e in spans)]
        assert [a.membership for a in overlapping][:1] == [activity["membership"]], key
    participants = sorted((p.member, p.role) for a in drafted.activities for p in a.participants)
    assert participants == [
        ("30", "co-financer"),
        ("3021", "co-financer"),
        ("3064011", "co-creator"),
        ("3064011", "co-financer"),
    ]


def _curated_figures() -> list[dict[str, Any]]:
    figures = list((CURATED.get("figures") or {}).values())
    for activity in CURATED["activities"].values():
        figures += list((activity.get("figures") or {}).values())
    return figures


def test_an_activity_naming_its_organisation_later_in_the_sentence_is_likely_not_to_check(drafted: Draft) -> None:
    """source.txt: "Innym ważnym działaniem było przegłosowanie przez samorządy stowarzyszone w Metropolii Poznań
    rozwiązania …": the sentence names the organisation it continues, so no person is asked to check that."""
    start, _end = span("Innym ważnym działaniem było przegłosowanie przez samorządy stowarzyszone w Metropolii Poznań")
    (activity,) = [a for a in drafted.activities if a.quote.start <= start < a.quote.end]
    assert activity.membership == "metropolia-poznan"
    assert activity.note.sureness is Sureness.LIKELY
    assert activity.note.how.startswith("the sentence names 'Metropolii Poznań'; ")
