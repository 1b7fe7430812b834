"""`civicgraph diff`: report by report — each member-year between two releases, and each member's consecutive
years in one release — in text and JSON, exit 0. The releases hold Poznań 2023 (data/) and the constructed Poznań
2022 (tests/fixtures/poznan-2022); the changes made to them are made up for the tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.graph.build import build_graph
from civicgraph.publish.checksums import write_checksums, write_release_info
from civicgraph.publish.graph_files import write_graph_files
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset

from ..conftest import BASE, add_poznan_2022

REPORT_2023 = Path("reports/3064011/2023/report.yaml")
FOOD_BANK = f"{BASE}membership/3064011/bank-zywnosci"
CAMPAIGN = f"{BASE}activity/3064011/2023/election-campaign"
TOTAL = f"{BASE}activity/3064011/2023/zit-projects/figure/total-value"
FOOD_BANK_LINES = "  bank-zywnosci:\n    quote: Związek Stowarzyszeń Wielkopolski Bank Żywności.\n"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _release(data: Path, out: Path, listed: bool = False) -> Path:
    """A release of the graph files and release.json (``listed``: and the SHA256SUMS listing graph.nt's digest)."""
    dataset = read_dataset(data)
    writers = [write_graph_files, write_release_info, *([write_checksums] if listed else [])]
    return publish(dataset, build_graph(dataset), out, writers=writers).folder


def _diff(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["diff", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def _item(key: str, iri: str, label: str) -> dict[str, str]:
    return {"key": key, "iri": iri, "label": label}


@pytest.fixture
def two_years(data_copy: Path) -> Path:
    add_poznan_2022(data_copy)
    return data_copy


def test_a_membership_dropped_from_one_year_only_is_a_membership_left_that_year(
    two_years: Path, tmp_path: Path
) -> None:
    """The membership itself stays (2022 reports it): a comparison by IRI saw no change at all."""
    old = _release(two_years, tmp_path / "old")
    _replace(two_years / REPORT_2023, FOOD_BANK_LINES, "")
    new = _release(two_years, tmp_path / "new")
    found = _diff(str(old), str(new))
    assert found["kind"] == "releases" and found["is_empty"] is False
    assert found["reports_added"] == found["reports_removed"] == []
    [comparison] = found["comparisons"]
    assert (comparison["member"], comparison["from_year"], comparison["to_year"]) == ("3064011", 2023, 2023)
    assert comparison["memberships_left"] == [
        _item("bank-zywnosci", FOOD_BANK, "Związek Stowarzyszeń Wielkopolski Bank Żywności")
    ]
    assert all(comparison[name] == [] for name in comparison if name.endswith(("_joined", "_added", "_changed")))
    result = CliRunner().invoke(main, ["diff", "--lang", "en", str(old), str(new)])
    assert result.stdout.splitlines() == [
        f"{old} (2023.1) → {new} (2023.1)",
        "City of Poznań (3064011) 2023:",
        "  Memberships left (1):",
        f"    - bank-zywnosci  Wielkopolska Food Bank Union of Associations  <{FOOD_BANK}>",
    ]


def test_memberships_activities_and_figures_changed_in_one_report(data_copy: Path, tmp_path: Path) -> None:
    old = _release(data_copy, tmp_path / "old")
    report = data_copy / REPORT_2023
    _replace(report, FOOD_BANK_LINES, "")
    text = report.read_text(encoding="utf-8")
    campaign = text[text.index("  election-campaign:\n") : text.index("  competence-workshop-trainings:\n")]
    _replace(report, campaign, "")
    # Made up: the text corrects the total from "blisko 1,4 mld zł" (nearly) to an exact "1,399 mld zł"; the
    # figure's value follows its quote (the build checks that the quote prints the value).
    _replace(data_copy / REPORT_2023.parent / "source.txt", "blisko 1,4 mld zł", "1,399 mld zł")
    corrected = report.read_text(encoding="utf-8")
    assert corrected.count("blisko 1,4 mld zł") == 2  # the activity's quote and the figure's
    report.write_text(corrected.replace("blisko 1,4 mld zł", "1,399 mld zł"), encoding="utf-8")
    _replace(
        report,
        "        value: 1400000000\n        currency: PLN\n        hedge: nearly\n",
        "        value: 1399000000\n        currency: PLN\n        hedge: exact\n",
    )
    new = _release(data_copy, tmp_path / "new")
    [comparison] = _diff(str(old), str(new))["comparisons"]
    assert comparison["memberships_left"] == [
        _item("bank-zywnosci", FOOD_BANK, "Związek Stowarzyszeń Wielkopolski Bank Żywności")
    ]
    assert comparison["activities_removed"] == [_item("election-campaign", CAMPAIGN, "„Nie Śpij, bo Cię przegłosują”")]
    assert comparison["figures_changed"] == [
        {
            "key": "zit-projects/total-value",
            "iri": TOTAL,
            "label": "Łączna kwota projektów ZIT",
            "changes": [
                {"field": "value", "old": "1400000000", "new": "1399000000"},
                {"field": "hedge", "old": "nearly", "new": "exact"},
            ],
        }
    ]
    # the campaign had no figures; nothing else was added or removed
    assert comparison["figures_added"] == comparison["figures_removed"] == comparison["memberships_joined"] == []
    # the other way round, in English text
    lines = CliRunner().invoke(main, ["diff", "--lang", "en", str(new), str(old)]).stdout.splitlines()
    assert "  Memberships joined (1):" in lines
    assert f"    + bank-zywnosci  Wielkopolska Food Bank Union of Associations  <{FOOD_BANK}>" in lines
    assert "        value: 1399000000 → 1400000000" in lines
    assert "        hedge: exact → nearly" in lines


def test_consecutive_years_of_a_member(two_years: Path, tmp_path: Path) -> None:
    """Poznań 2022 (constructed) against 2023: the figures both years state under one key are changed, not removed
    and added: 15 → 16 national organisations, 120 → 139 ZIT projects, 47 → 48 local governments in PKM."""
    release = _release(two_years, tmp_path / "release")
    found = _diff(str(release))
    assert found["kind"] == "years"
    [comparison] = found["comparisons"]
    assert (comparison["member"], comparison["from_year"], comparison["to_year"]) == ("3064011", 2022, 2023)
    assert [m["key"] for m in comparison["memberships_joined"]] == ["speo"]
    assert comparison["memberships_left"] == []
    assert [a["key"] for a in comparison["activities_removed"]] == ["zmp-trainings"]
    assert len(comparison["activities_added"]) == 12  # 14 activities in 2023, 2 of them (zit-projects, pkm) in 2022
    changed = {
        f["key"]: [(c["field"], c["old"], c["new"]) for c in f["changes"]] for f in comparison["figures_changed"]
    }
    assert changed == {
        "national-organisations": [("value", "15", "16")],
        "zit-projects/projects": [("value", "120", "139")],
        "pkm/local-governments": [("value", "47", "48")],
    }
    # new figures of the two activities both years have; the figures of the 12 new activities come with them
    assert [f["key"] for f in comparison["figures_added"]] == [
        "pkm/communes",
        "pkm/counties",
        "pkm/years-of-operation",
        "zit-projects/eu-grants",
        "zit-projects/total-value",
    ]
    assert comparison["figures_removed"] == []
    lines = CliRunner().invoke(main, ["diff", str(release)]).stdout.splitlines()
    assert lines[:2] == [f"{release} (2023.1): kolejne lata każdego członka", "Miasto Poznań (3064011) 2022 → 2023:"]
    assert "        value: 15 → 16" in lines


def test_a_report_added_to_a_release(data_copy: Path, tmp_path: Path) -> None:
    old = _release(data_copy, tmp_path / "old")
    add_poznan_2022(data_copy)
    new = _release(data_copy, tmp_path / "new")
    found = _diff(str(old), str(new))
    assert found["reports_added"] == [_item("3064011/2022", f"{BASE}report/3064011/2022", "Miasto Poznań 2022")]
    assert found["reports_removed"] == found["comparisons"] == []
    back = _diff(str(new), str(old))
    assert [r["key"] for r in back["reports_removed"]] == ["3064011/2022"]


def test_the_same_release_has_no_changes(data_copy: Path, tmp_path: Path) -> None:
    release = _release(data_copy, tmp_path / "release")
    result = CliRunner().invoke(main, ["diff", str(release), str(release)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["Bez zmian w członkostwach, działaniach i danych liczbowych."]
    alone = CliRunner().invoke(main, ["diff", "--lang", "en", str(release)])  # one year: nothing to compare
    assert alone.stdout.splitlines()[1:] == ["No changes to memberships, activities or figures."]


def test_a_change_outside_memberships_activities_and_figures_is_said_to_be_elsewhere(
    data_copy: Path, tmp_path: Path
) -> None:
    """An organisation's English name changed: no membership, activity or figure changed, but the graphs differ
    (an audit's diff said "No changes." of two releases whose graph.nt differed)."""
    old = _release(data_copy, tmp_path / "old", listed=True)
    _replace(data_copy / "organisations.yaml", "en: Association of Polish Cities}", "en: Union of Polish Cities}")
    new = _release(data_copy, tmp_path / "new", listed=True)
    result = CliRunner().invoke(main, ["diff", "--lang", "en", str(old), str(new)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [
        "No changes to memberships, activities or figures.",
        "The graphs differ in other facts, though (names, Wikidata links, settings): compare their graph.nt files.",
    ]
    assert _diff(str(old), str(new))["graphs_differ"] is True
    assert _diff(str(old), str(old))["graphs_differ"] is False
    assert _diff(str(old), str(_release(data_copy, tmp_path / "unlisted")))["graphs_differ"] is None


def test_a_graph_cut_short_is_refused_not_read_as_reports_removed(data_copy: Path, tmp_path: Path) -> None:
    release = _release(data_copy, tmp_path / "release", listed=True)
    graph = release / "graph.nt"
    lines = graph.read_bytes().splitlines(keepends=True)
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    (copy / "graph.nt").write_bytes(b"".join(lines[: len(lines) // 2]))  # a copy cut short, between two lines
    result = CliRunner().invoke(main, ["diff", "--lang", "en", str(release), str(copy)])
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {copy / 'graph.nt'} does not have the SHA-256 its SHA256SUMS lists: the file is damaged or "
        "incomplete (a copy cut short?); copy the release again\n"
    )


def test_a_folder_with_another_programs_release_json_is_no_release(data_copy: Path, tmp_path: Path) -> None:
    release = _release(data_copy, tmp_path / "release")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(release / "graph.nt", other / "graph.nt")
    (other / "release.json").write_text('{"generator": "othertool 2.1"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "--lang", "en", str(release), str(other)])
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {other}: not a civicgraph release (release.json does not name civicgraph as the program that "
        "wrote it)\n"
    )


def test_a_folder_without_a_graph_is_bad_input(data_copy: Path, tmp_path: Path) -> None:
    release = _release(data_copy, tmp_path / "release")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["diff", str(release), str(empty)])
    assert result.exit_code == 3
    assert result.stderr == f"Błąd: {empty}: brak tu graph.nt; podaj folder zapisany przez `civicgraph build`\n"


def test_three_folders_are_a_usage_error(tmp_path: Path) -> None:
    folders = [tmp_path / name for name in ("a", "b", "c")]
    for folder in folders:
        folder.mkdir()
    result = CliRunner().invoke(main, ["diff", *map(str, folders)])
    assert result.exit_code == 2
    assert "give one release (its years compared) or two (OLD and NEW)" in result.output


def test_the_diff_reads_only_graph_nt(data_copy: Path, tmp_path: Path) -> None:
    """A release folder copied without its other files still compares (the catalogue, site etc. are not read)."""
    release = _release(data_copy, tmp_path / "release")
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copyfile(release / "graph.nt", bare / "graph.nt")
    found = _diff(str(release), str(bare))
    assert found["is_empty"] is True and found["new_edition"] is None
