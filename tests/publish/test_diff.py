"""`civicgraph diff OLD NEW`: a made-up change to the data — one membership and one activity dropped, one figure
corrected — is reported by IRI, in text and JSON, with exit code 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.graph.build import build_graph
from civicgraph.publish.checksums import write_release_info
from civicgraph.publish.graph_files import write_graph_files
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset

BASE = "https://w3id.org/civicgraph/id/"
REPORT = Path("reports/3064011/2023/report.yaml")
FOOD_BANK = f"{BASE}membership/3064011/bank-zywnosci"
CAMPAIGN = f"{BASE}activity/3064011/2023/election-campaign"
TOTAL = f"{BASE}activity/3064011/2023/zit-projects/figure/total-value"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _release(data: Path, out: Path) -> Path:
    dataset = read_dataset(data)
    return publish(dataset, build_graph(dataset), out, writers=[write_graph_files, write_release_info])


@pytest.fixture
def releases(data_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    old = _release(data_copy, tmp_path / "old")
    report = data_copy / REPORT
    _replace(report, "  bank-zywnosci:\n    quote: Związek Stowarzyszeń Wielkopolski Bank Żywności.\n", "")
    start = report.read_text(encoding="utf-8").index("  election-campaign:\n")
    end = report.read_text(encoding="utf-8").index("  competence-workshop-trainings:\n")
    _replace(report, report.read_text(encoding="utf-8")[start:end], "")
    # Made up: the total is corrected from "blisko 1,4 mld zł" (nearly) to an exact 1 399 000 000.
    _replace(
        report,
        "        value: 1400000000\n        currency: PLN\n        hedge: nearly\n",
        "        value: 1399000000\n        currency: PLN\n        hedge: exact\n",
    )
    return old, _release(data_copy, tmp_path / "new")


def test_the_json_report_names_the_changes_by_iri(releases: tuple[Path, Path]) -> None:
    old, new = releases
    result = CliRunner().invoke(main, ["diff", "--format", "json", str(old), str(new)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [m["iri"] for m in report["memberships_left"]] == [FOOD_BANK]
    assert report["memberships_left"][0]["label"] == "Miasto Poznań — Związek Stowarzyszeń Wielkopolski Bank Żywności"
    assert report["memberships_joined"] == []
    assert [a["iri"] for a in report["activities_removed"]] == [CAMPAIGN]
    assert report["activities_added"] == []
    assert report["figures_changed"] == [
        {
            "iri": TOTAL,
            "label": "Łączna kwota projektów ZIT",
            "changes": [
                {"field": "value", "old": "1400000000", "new": "1399000000"},
                {"field": "hedge", "old": "nearly", "new": "exact"},
            ],
        }
    ]
    assert report["figures_removed"] == report["figures_added"] == []
    assert report["reports_removed"] == [] and report["is_empty"] is False


def test_the_other_way_round_the_membership_joins(releases: tuple[Path, Path]) -> None:
    old, new = releases
    result = CliRunner().invoke(main, ["diff", "--lang", "en", str(new), str(old)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Memberships joined (1):" in lines
    assert f"  + {FOOD_BANK}  City of Poznań — Wielkopolska Food Bank Union of Associations" in lines
    assert (
        f"  + {CAMPAIGN}  “Don’t sleep or you’ll be outvoted” (turnout campaign for the parliamentary elections)"
        in lines
    )
    assert "      value: 1399000000 → 1400000000" in lines
    assert "      hedge: exact → nearly" in lines


def test_the_same_release_has_no_changes(releases: tuple[Path, Path]) -> None:
    old, _new = releases
    result = CliRunner().invoke(main, ["diff", str(old), str(old)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "Bez zmian."


def test_a_folder_without_a_graph_is_bad_input(tmp_path: Path, releases: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["diff", str(releases[0]), str(tmp_path)])
    assert result.exit_code == 3
    assert "no graph.nt here" in result.stderr
