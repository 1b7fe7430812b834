"""CSV for people who do not use RDF, described by CSVW metadata that maps every row back to the graph."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.terms import PlainTriple, Term
from civicgraph.publish.release import LABEL_PREDICATES, GraphIndex
from civicgraph.publish.tables import neutralised, rows_reaching, table_rows, tables
from civicgraph.source.reader import read_dataset
from civicgraph.util.iris import RDF_TYPE, SCHEMA

BASE = "https://w3id.org/civicgraph/id/"
SYNTHETIC_BASE = "https://civicgraph.example/synthetic/id/"
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


# -- what a table is made from: the predicates it declares (a table is taken when none of them changed) -----------


class _NotingIndex(GraphIndex):
    """The index a table is read through, noting each predicate asked for (``rdf:type`` for types, every label
    predicate for a label, "*" for a subject's triples whatever their predicates), and each subject whose triples
    are read (``read``; the rows' class is no such subject)."""

    asked: set[str]
    read: set[str]

    def objects(self, subject: str, predicate: str) -> Sequence[Term]:  # iris, iri and literal ask it too
        self.asked.add(predicate)
        self.read.add(subject)
        return super().objects(subject, predicate)

    def types(self, subject: str) -> list[str]:
        self.asked.add(RDF_TYPE)
        self.read.add(subject)
        return super().types(subject)

    def has_type(self, subject: str, cls: str) -> bool:
        self.asked.add(RDF_TYPE)
        self.read.add(subject)
        return super().has_type(subject, cls)

    def of_type(self, cls: str) -> list[str]:
        self.asked.add(RDF_TYPE)
        return super().of_type(cls)

    def referrers(self, obj: str, predicate: str) -> list[str]:
        self.asked.add(predicate)
        found = super().referrers(obj, predicate)
        self.read.update(found)  # the triples read are theirs
        return found

    def label(self, subject: str, lang: str) -> str | None:
        self.asked.update(LABEL_PREDICATES)
        self.read.add(subject)
        return super().label(subject, lang)

    def triples_of(self, subject: str) -> Sequence[PlainTriple]:
        self.asked.add("*")
        self.read.add(subject)
        return super().triples_of(subject)

    def under(self, iri: str) -> list[str]:
        self.asked.add("*")
        found = super().under(iri)
        self.read.update(found)
        return found


def _noting(graph: BuiltGraph, base: str) -> _NotingIndex:
    index = _NotingIndex(**vars(GraphIndex.of(graph.plain, base)))
    index.asked, index.read = set(), set()
    return index


def _asked_by_each_table(built: BuiltGraph, base: str) -> dict[str, set[str]]:
    index = _noting(built, base)
    asked = {}
    for table in tables(base):
        index.asked = set()
        assert table_rows(index, table), table.file  # rows read, cells read
        asked[table.file] = index.asked
    return asked


def _graphs(built: BuiltGraph, tmp_path: Path) -> list[tuple[BuiltGraph, str]]:
    """The Poznań graph and a synthetic one (co-financers, memberships over two years), with their base IRIs."""
    synthetic = tmp_path / "synthetic"
    synth = ["synth", "--out", str(synthetic), "--members", "16", "--years", "2022,2023"]
    assert CliRunner().invoke(main, synth).exit_code == 0
    return [(built, BASE), (build_graph(read_dataset(synthetic)), SYNTHETIC_BASE)]


def test_a_table_reads_no_predicate_it_does_not_declare(built: BuiltGraph, tmp_path: Path) -> None:
    """On the Poznań graph and on a synthetic one (co-financers, memberships over two years), every predicate a
    table's rows and cells are read through is among its ``reads``: a change to any other cannot change it."""
    for graph, base in _graphs(built, tmp_path):
        declared = {table.file: table.reads for table in tables(base)}
        asked_by = _asked_by_each_table(graph, base)
        assert f"{SCHEMA}value" in asked_by["figures.csv"]  # the noting index notes what the cells read
        for name, asked in asked_by.items():
            assert asked <= declared[name], (name, sorted(asked - declared[name]))


def test_every_subject_a_row_reads_reaches_the_row(built: BuiltGraph, tmp_path: Path) -> None:
    """On the same two graphs, :func:`rows_reaching` a subject that any row's cells read finds that row: a build
    into an earlier release makes anew the rows reaching the subjects that changed and copies the others
    (:func:`write_table_from`), so a cell reading a subject no walk back from it finds would be copied stale.
    Among what the cells read are an evidence's quote and position, reached from the evidence by their IRIs."""
    for graph, base in _graphs(built, tmp_path):
        index = _noting(graph, base)
        beneath = set()
        for table in tables(base):
            for row in table.rows(index):
                index.read = set()
                cells = [column.value(index, row) for column in table.columns]
                assert any(cells), (table.file, row)
                unreached = [
                    subject for subject in sorted(index.read) if row not in rows_reaching(index, table, {subject})
                ]
                assert unreached == [], (table.file, row)
                beneath.update(
                    subject.rsplit("/", 1)[-1] for subject in index.read if subject.startswith(f"{base}report/")
                )
        assert {"quote", "position"} <= beneath, base


def test_rows_reaching_follows_only_the_tables_predicates(built: BuiltGraph) -> None:
    """Poznań (member/3064011) reaches in memberships.csv, which reads org:member, its own memberships (the Union
    of Polish Metropolises' among them), and in activities.csv and figures.csv no row: their cells name a member
    by the TERYT code in a row's IRI and read none of its triples, so the walk does not go back through the
    memberships to the activities within them (cg:withinMembership)."""
    index = GraphIndex.of(built.plain, BASE)
    poznan = f"{BASE}member/3064011"
    for table in tables(BASE):
        rows = set(table.rows(index))
        reached = rows_reaching(index, table, {poznan}) & rows
        if table.file == "memberships.csv":
            assert reached == {row for row in rows if row.startswith(f"{BASE}membership/3064011/")}
            assert f"{BASE}membership/3064011/ump" in reached
        else:
            assert reached == set(), table.file
