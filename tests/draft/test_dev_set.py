"""The development set's gold annotations are consistent: a measurement on them means something."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from civicgraph.source.evidence import locate
from civicgraph.source.vocab import notations

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "draft" / "dev"
GOLD = sorted(DEV.glob("*/gold.yaml"))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_there_are_eight_texts() -> None:
    assert [g.parent.name for g in GOLD] == [
        "34-2023",
        "3401-2021",
        "3401032-2023",
        "3402-2022",
        "3461011-2022",
        "3461011-2023",
        "3661011-2023",
        "3661011-2024",
    ]


@pytest.mark.parametrize("gold_file", GOLD, ids=lambda p: p.parent.name)
def test_every_quote_occurs_once(gold_file: Path) -> None:
    gold, text = load(gold_file), (gold_file.parent / "source.txt").read_text(encoding="utf-8")
    quotes = [m["quote"] for m in gold["memberships"].values()]
    quotes += [q for a in gold["activities"].values() for q in a["quotes"]]
    quotes += [f["quote"] for f in gold["figures"]] + [p["quote"] for p in gold["participants"]]
    for quote in quotes:
        locate(text, quote)  # raises unless the quote occurs exactly once


@pytest.mark.parametrize("gold_file", GOLD, ids=lambda p: p.parent.name)
def test_references_resolve(gold_file: Path) -> None:
    gold = load(gold_file)
    organisations, members = load(DEV / "organisations.yaml"), load(DEV / "members.yaml")
    assert gold["member"] in members and gold_file.parent.name == f"{gold['member']}-{gold['year']}"
    for key, entry in gold["memberships"].items():
        assert (key in organisations) != ("proposed" in entry), key
    for activity in gold["activities"].values():
        assert activity["membership"] in gold["memberships"]
    for participant in gold["participants"]:
        assert participant["member"] in members and participant["activity"] in gold["activities"]
        assert participant["role"] in notations()["role"]
    for figure in gold["figures"]:
        assert figure["hedge"] in notations()["hedge"] | {"at-least"}
        assert ("currency" in figure) != ("unit" in figure)
        assert figure.get("unit") is None or figure["unit"] in notations()["unit"]
