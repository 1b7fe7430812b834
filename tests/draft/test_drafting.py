"""What the drafter does with texts it was not written for (constructed texts; tests/fixtures/draft/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from civicgraph.draft.drafter import draft
from civicgraph.draft.model import Draft, Sureness
from civicgraph.draft.registry import Registry, read_registry
from civicgraph.draft.render import render_organisations, render_report
from civicgraph.source.evidence import locate

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "draft" / "dev"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return read_registry(DEV / "organisations.yaml", DEV / "members.yaml")


def dev(case: str, registry: Registry) -> Draft:
    member, year = case.split("-")
    return draft((DEV / case / "source.txt").read_text(encoding="utf-8"), member, int(year), registry)


def test_an_unknown_organisation_is_proposed_with_null_identifiers(registry: Registry) -> None:
    drafted = dev("3402-2022", registry)
    entries: Any = yaml.safe_load(render_organisations(drafted, "reports/3402/2022/source.txt"))
    assert entries == {
        "stowarzyszenie-pojezierski-klaster-edukacyjny": {
            "status": "draft",
            "name": {"pl": "Stowarzyszenie „Pojezierski Klaster Edukacyjny”", "en": None},
            "type": "association",
            "krs": None,
            "wikidata": None,
        },
        "fundacja-wspierania-szkolnictwa-zawodowego": {
            "status": "draft",
            "name": {"pl": "Fundacja Wspierania Szkolnictwa Zawodowego", "en": None},  # printed "Fundacji ..."
            "type": "foundation",
            "krs": None,
            "wikidata": None,
        },
    }
    assert {m.key for m in drafted.memberships} == {"zpp", "sgipp", *entries}


def test_a_stated_count_that_differs_from_the_list_is_said(registry: Registry) -> None:
    text = "Gmina należała do 3 organizacji: Związek Powiatów Polskich, Stowarzyszenie Zdrowych Miast Polskich."
    drafted = draft(text, "3401032", 2023, registry)
    assert drafted.count_note == "check: the text states 3 organisations but the draft found 2 (the lists name 2)"


def test_a_count_met_with_a_membership_named_after_the_list(registry: Registry) -> None:
    drafted = dev("3401032-2023", registry)  # 4 after "znajdują się:", the fifth in "Ponadto ... jest członkiem"
    assert drafted.count_note == (
        "the text states 5 organisations and the sentences listing memberships name 5: they agree"
    )


def test_a_count_met_only_with_an_organisation_of_an_activity_paragraph(registry: Registry) -> None:
    text = (
        "Gmina należała do 2 organizacji: Związek Powiatów Polskich.\n\n"
        "W ramach członkostwa w Stowarzyszeniu Zdrowych Miast Polskich przeszkolono 12 osób."
    )
    drafted = draft(text, "3401032", 2023, registry)
    assert [m.key for m in drafted.memberships] == ["zpp", "szmp"]
    assert drafted.count_note == (
        "the text states 2 organisations; the lists name 1, 1 more only in paragraphs about activities"
    )


def test_an_organisation_named_as_left_is_no_membership(registry: Registry) -> None:
    drafted = dev("3461011-2023", registry)
    assert not any(m.key.startswith("fundacja-rozwoju") for m in drafted.memberships)
    assert len(drafted.memberships) == 8


def test_a_prose_list_in_the_genitive(registry: Registry) -> None:
    drafted = dev("3401-2021", registry)
    assert [m.key for m in drafted.memberships] == ["zpp", "sgipp", "lgd-puszcza-borowiecka", "lot-kraina-debow"]


def test_an_acronym_for_words_of_a_name_is_flagged_as_a_printed_variant(registry: Registry) -> None:
    text = "Gmina jest członkiem Związku Gmin Wiejskich RP oraz Stowarzyszenia Zdrowych Miast Polskich."
    drafted = draft(text, "3401032", 2023, registry)
    assert [(m.key, m.note.sureness) for m in drafted.memberships] == [
        ("zgwrp", Sureness.LIKELY),
        ("szmp", Sureness.SURE),
    ]
    assert [(v.key, v.name) for v in drafted.variants] == [("zgwrp", "Związek Gmin Wiejskich RP")]
    assert render_organisations(drafted, "reports/3401032/2023/source.txt").splitlines()[-1] == (
        "#   - {name: Związek Gmin Wiejskich RP, report: 3401032/2023, quote: Związku Gmin Wiejskich RP}"
    )


def test_participants_by_their_role_words(registry: Registry) -> None:
    drafted = dev("34-2023", registry)
    participants = {(a.membership, p.member, p.role) for a in drafted.activities for p in a.participants}
    assert participants == {
        ("cpmr", "34", "co-creator"),  # "województwo współtworzyło": the reporting voivodeship itself
        ("sgipp", "34", "co-financer"),
        ("sgipp", "3401", "co-financer"),
        ("sgipp", "3402", "co-financer"),
    }


def test_a_local_government_named_without_a_role_is_no_participant(registry: Registry) -> None:
    drafted = dev("3401-2021", registry)  # "26 podmiotów z terenu Gminy Jarzębinów i Gminy Wrzosowo"
    assert {p.member for a in drafted.activities for p in a.participants} == {"3401", "3401032"}


@pytest.mark.parametrize("case", sorted(p.parent.name for p in DEV.glob("*/source.txt")))
def test_the_draft_is_yaml_whose_every_quote_occurs_once(case: str, registry: Registry) -> None:
    drafted = dev(case, registry)
    report: Any = yaml.safe_load(render_report(drafted))
    assert report["status"] == "draft"
    text = drafted.text
    quotes = [m["quote"] for m in report["memberships"].values()]
    for activity in report["activities"].values():
        quotes.append(activity["quote"])
        quotes += [f["quote"] for f in (activity.get("figures") or {}).values()]
        quotes += [p["quote"] for p in activity.get("participants") or []]
    quotes += [f["quote"] for f in (report.get("figures") or {}).values()]
    for quote in quotes:
        locate(text, quote)


def test_english_is_left_empty_for_the_reviewer(registry: Registry) -> None:
    report: Any = yaml.safe_load(render_report(dev("3661011-2024", registry)))
    titles = [a["title"] for a in report["activities"].values()]
    assert titles and all(t["en"] == "" for t in titles)
    assert report["activities"]["local-energy-communities-now"]["title"]["pl"] == "„Local Energy Communities Now”"
