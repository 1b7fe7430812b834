"""CSV for people who do not use RDF, described by CSVW metadata that maps every row back to the graph."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef

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


# -- the CSVW mapping gives back triples of the graph -------------------------------------------------------


def _expand(template: str, row: dict[str, str]) -> str | None:
    """RFC 6570 level 1 and 2 (``{name}``, ``{+name}``), as CSVW URI templates use them; None if a cell is empty."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        reserved, name = match.group(1) == "+", match.group(2)
        value = row.get(name, "")
        if value == "":
            missing = True
        return value if reserved else quote(value, safe="")

    expanded = re.sub(r"\{(\+?)([A-Za-z0-9_]+)\}", replace, template)
    return None if missing else expanded


def _triples_of(table: dict[str, Any], rows: list[dict[str, str]]) -> set[tuple[Any, Any, Any]]:
    """Minimal-mode CSV-to-RDF (W3C csv2rdf) for the features the metadata uses."""
    schema = table["tableSchema"]
    triples = set()
    for row in rows:
        for column in schema["columns"]:
            cell = row[column["name"]]
            if column.get("suppressOutput") or cell == "":
                continue
            subject = _expand(column.get("aboutUrl", schema["aboutUrl"]), row)
            assert subject is not None and "propertyUrl" in column, column["name"]
            if "valueUrl" in column:
                value = _expand(column["valueUrl"], row)
                assert value is not None
                obj: Any = URIRef(value)
            elif "lang" in column:
                obj = Literal(cell, lang=column["lang"])
            elif column["datatype"] == "string":
                obj = Literal(cell)
            else:
                obj = Literal(cell, datatype=URIRef(XSD + column["datatype"]))
            triples.add((URIRef(subject), URIRef(column["propertyUrl"]), obj))
    return triples


def test_the_csvw_mapping_gives_back_triples_of_the_graph(dist: Path, metadata: dict[str, Any]) -> None:
    graph = Graph().parse(dist / "graph.nt")
    produced: set[tuple[Any, Any, Any]] = set()
    for table in metadata["tables"]:
        produced |= _triples_of(table, _rows(dist / table["url"]))
    assert produced - set(graph) == set()
    org = "http://www.w3.org/ns/org#"
    assert (
        URIRef(f"{BASE}membership/3064011/ump"),
        URIRef(f"{org}organization"),
        URIRef(f"{BASE}organisation/ump"),
    ) in produced
    hedge = URIRef("https://w3id.org/civicgraph/ontology#hedge")
    assert (
        URIRef(f"{BASE}activity/3064011/2023/zit-projects/figure/eu-grants"),
        hedge,
        URIRef("https://w3id.org/civicgraph/vocab/hedge/more-than"),
    ) in produced  # "ponad 800 mln zł"
