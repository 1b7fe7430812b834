"""CSV for people who do not use RDF, described by CSVW metadata that maps every row back to the graph."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from civicgraph.publish.tables import neutralised

BASE = "https://w3id.org/civicgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TABLES = ("memberships.csv", "activities.csv", "figures.csv")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def metadata(dist: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((dist / "csv-metadata.json").read_text(encoding="utf-8"))
    return document


def test_the_metadata_describes_the_csv_files_that_exist(dist: Path, metadata: dict[str, Any]) -> None:
    assert metadata["@context"][0] == "http://www.w3.org/ns/csvw"
    assert [table["url"] for table in metadata["tables"]] == list(TABLES)
    for table in metadata["tables"]:
        path = dist / table["url"]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [column["name"] for column in table["tableSchema"]["columns"]], table["url"]


def test_files_are_utf8_with_bom_and_crlf_for_spreadsheets(dist: Path) -> None:
    for name in TABLES:
        raw = (dist / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert raw.count(b"\r\n") == raw.count(b"\n"), name
        raw.decode("utf-8")


def test_one_row_per_membership_named_in_the_report(dist: Path) -> None:
    report = f"{BASE}report/3064011/2023"
    rows = [r for r in _rows(dist / "memberships.csv") if report in r["reported_in"].split(" ")]
    # "Miasto Poznań było członkiem 16 krajowych organizacji i sieci" (source.txt)
    assert len(rows) == 16
    ump = next(r for r in rows if r["organisation_key"] == "ump")
    assert ump["membership"] == f"{BASE}membership/3064011/ump"
    assert ump["organisation_name_pl"] == "Unia Metropolii Polskich"
    assert "Unia Metropolii Polskich;" in ump["quote"].split(" | ")  # one quote per report naming it
    assert ump["start"] == ump["end"] == ""  # the report gives no dates


def test_figures_carry_value_unit_hedge_and_source_passage(dist: Path) -> None:
    rows = {r["figure"]: r for r in _rows(dist / "figures.csv")}
    total = rows[f"{BASE}activity/3064011/2023/zit-projects/figure/total-value"]
    # "na łączną kwotę blisko 1,4 mld zł" (source.txt)
    assert (total["value"], total["currency"], total["unit"], total["hedge"]) == ("1400000000", "PLN", "", "nearly")
    assert total["as_printed"] == "blisko 1,4 mld zł"
    assert total["passage"].startswith("Stowarzyszone samorządy zrealizowały 139 projektów")
    trained = rows[f"{BASE}activity/3064011/2023/competence-workshop-trainings/figure/people-trained"]
    # "(przeszkolono 7233 osoby)"
    assert (trained["value"], trained["unit"], trained["hedge"]) == ("7233", "person", "exact")


# -- valid CSV on the Web, safe in a spreadsheet (the mapping itself: test_tables_csvw.py, a real processor) --


def test_every_header_cell_is_one_of_its_columns_titles(dist: Path, metadata: dict[str, Any]) -> None:
    """CSVW (metadata 5.5.1, table compatibility): a header cell must equal one of its column's titles."""
    for table in metadata["tables"]:
        with (dist / table["url"]).open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        titles = [column["titles"].values() for column in table["tableSchema"]["columns"]]
        unmatched = [cell for cell, column_titles in zip(header, titles, strict=True) if cell not in column_titles]
        assert unmatched == [], table["url"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example/","click")', '\'=HYPERLINK("http://evil.example/","click")'),
        ("+48 61 878 5000", "'+48 61 878 5000"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'quoted", "''quoted"),  # so that removing one leading apostrophe always gives the value back
        ("Unia Metropolii Polskich", "Unia Metropolii Polskich"),
        ("1 + 1 = 2", "1 + 1 = 2"),  # only the first character counts
        ("", ""),
    ],
)
def test_cells_that_begin_like_a_formula_get_an_apostrophe(value: str, cell: str) -> None:
    """OWASP, CSV Injection: no cell may begin with = + - @ tab or carriage return; an apostrophe in front."""
    assert neutralised(value) == cell
    assert (cell[1:] if cell.startswith("'") else cell) == value


def test_the_metadata_states_how_to_undo_the_apostrophe(metadata: dict[str, Any]) -> None:
    notes = {note["@language"]: note["@value"] for note in metadata["rdfs:comment"]}
    assert "without that one apostrophe" in notes["en"]
    assert "bez tego jednego apostrofu" in notes["pl"]
