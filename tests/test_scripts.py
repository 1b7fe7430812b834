"""scripts/new_report.py scaffolds a member-year that the loader reads once a person has filled it in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from civicgraph.source.reader import read_dataset

from .conftest import ROOT


def test_new_report_scaffold_loads_once_filled_in(data_copy: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "new_report.py"), "3021", "2023", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    folder = data_copy / "reports" / "3021" / "2023"
    assert sorted(p.name for p in folder.iterdir()) == ["SOURCE.md", "report.yaml", "source.txt"]
    (folder / "source.txt").write_text("Powiat był członkiem Związku Miast Polskich.", encoding="utf-8")
    report = folder / "report.yaml"
    report.write_text(
        report.read_text(encoding="utf-8")
        .replace("memberships: {}", "memberships:\n  zmp:\n    quote: członkiem Związku Miast Polskich")
        .replace("  pl:   # the report's title", "  pl: Raport o stanie Powiatu Poznańskiego za 2023 rok  # the title"),
        encoding="utf-8",
    )
    dataset = read_dataset(data_copy)
    added = next(r for r in dataset.reports if r.member == "3021")
    assert [(m.organisation, m.evidence[0].exact) for m in added.memberships] == [
        ("zmp", "członkiem Związku Miast Polskich")
    ]


def test_new_report_refuses_to_overwrite(data_copy: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "new_report.py"), "3064011", "2023", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "already exists; nothing was changed" in run.stderr
