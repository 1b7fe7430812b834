"""Pages list resources of the same name in the same order whatever order a set gives them: by name, then by IRI.

A set of IRIs iterates in an order that depends on the strings' hashes, which ``PYTHONHASHSEED`` changes from one
process to the next; a list sorted by name alone keeps that order for names that tie, and the page then differs
between two builds of the same data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

from civicgraph.publish.site.parts import in_name_order

from ..conftest import DATA, FIXTURES, ROOT

ORGANISATIONS = """\
inna:
  name: {pl: Stowarzyszenie Inne, en: Other Association}
  type: association
  krs: null
  wikidata: null
przykladowe-kalisz:
  name: {pl: Stowarzyszenie Przykładowe, en: Example Association}
  type: association
  krs: null
  wikidata: null
przykladowe-leszno:
  name: {pl: Stowarzyszenie Przykładowe, en: Example Association}
  type: association
  krs: null
  wikidata: null
"""
TEXTS = {
    2022: "Gmina Przykładowa należała do organizacji Stowarzyszenie Inne.",
    2023: "Gmina Przykładowa należała do organizacji Stowarzyszenie Przykładowe w Kaliszu "
    "i Stowarzyszenie Przykładowe w Lesznie.",
}
MEMBERSHIPS = {
    2022: {"inna": "Stowarzyszenie Inne"},
    2023: {
        "przykladowe-kalisz": "Stowarzyszenie Przykładowe w Kaliszu",
        "przykladowe-leszno": "Stowarzyszenie Przykładowe w Lesznie",
    },
}
NAMES = {
    "https://example.org/b": "Stowarzyszenie",
    "https://example.org/a": "stowarzyszenie",
    "https://example.org/c": "Fundacja",
}


@pytest.mark.parametrize("given", [list(NAMES), list(reversed(NAMES))], ids=["as-listed", "reversed"])
def test_iris_are_ordered_by_name_and_then_by_iri_whatever_order_they_come_in(given: list[str]) -> None:
    # "Stowarzyszenie" and "stowarzyszenie" tie once case is set aside: their IRIs decide.
    assert in_name_order(given, NAMES.__getitem__) == [
        "https://example.org/c",
        "https://example.org/a",
        "https://example.org/b",
    ]


@pytest.fixture(scope="module")
def same_names(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data of the made-up Gmina Przykładowa, which leaves one organisation in 2023 and joins two of the same name
    (two associations of one name in two towns)."""
    data = tmp_path_factory.mktemp("same-names") / "data"
    data.mkdir()
    shutil.copyfile(DATA / "civicgraph.yaml", data / "civicgraph.yaml")
    shutil.copyfile(DATA / "members.yaml", data / "members.yaml")
    with (data / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (FIXTURES / "second-member" / "members.yaml").read_text(encoding="utf-8"))
    (data / "organisations.yaml").write_text(ORGANISATIONS, encoding="utf-8")
    for year, text in TEXTS.items():
        folder = data / "reports" / "3099011" / str(year)
        folder.mkdir(parents=True)
        (folder / "source.txt").write_text(text + "\n", encoding="utf-8")
        memberships = "".join(f"  {key}:\n    quote: {quote}\n" for key, quote in MEMBERSHIPS[year].items())
        (folder / "report.yaml").write_text(
            f'member: "3099011"\nyear: {year}\ntitle:\n  pl: Raport za {year} rok\ntext: source.txt\n'
            f"memberships:\n{memberships}",
            encoding="utf-8",
        )
    return data


def _member_page(data: Path, out: Path, seed: str) -> bytes:
    """The made-up commune's page, from a build in a process whose string hashes ``seed`` fixes."""
    subprocess.run(
        [sys.executable, "-m", "civicgraph", "build", "--data", str(data), "--out", str(out)],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1700000000"},
        cwd=ROOT,
        capture_output=True,
    )
    return (out / "site" / "member" / "3099011.html").read_bytes()


def test_organisations_joined_under_the_same_name_come_in_the_same_order_whatever_the_hash_seed(
    same_names: Path, tmp_path: Path
) -> None:
    # Seeds under which the set of the two organisations iterates in opposite orders (so a sort by name alone
    # gives two different pages).
    pages = {seed: _member_page(same_names, tmp_path / seed, seed) for seed in ("1", "2")}
    assert pages["1"] == pages["2"]
    (changes,) = html.fromstring(pages["1"]).xpath("//section[h2 = 'Zmiany między raportami']")
    (joined,) = changes.xpath("ul/li[starts-with(., 'Nowe członkostwa')]")
    assert [(a.text, a.get("href")) for a in joined.iter("a")] == [
        ("Stowarzyszenie Przykładowe", "../organisation/przykladowe-kalisz.html"),
        ("Stowarzyszenie Przykładowe", "../organisation/przykladowe-leszno.html"),
    ]
