"""CSV for people who do not use RDF: ``memberships.csv``, ``activities.csv``, ``figures.csv``, described by a
W3C CSV on the Web metadata file (``csv-metadata.json``, the name CSVW processors look for next to the tables).

Every row carries the IRI of the graph resource it describes, and the metadata says how each column maps to the
graph (``aboutUrl``, ``propertyUrl``, ``valueUrl``): a CSVW processor turns the tables back into triples of the
graph. Columns only for reading (names repeated from another table, lists, dates whose precision varies) are
marked ``suppressOutput``.

The files are UTF-8 with a byte-order mark, so that spreadsheet programs do not guess another encoding, and
CRLF line ends (RFC 4180). The header row holds each column's ``name``, which is also one of its CSVW ``titles``
(language ``und``), as CSV on the Web asks of a header that matches its metadata.

Formula injection: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage
return or line feed before one) as a formula — ``=HYPERLINK(...)`` in a title would be a link the reader never
asked for. As OWASP recommends for CSV exports, such a cell gets an apostrophe in front, which spreadsheets read as
"text, not a formula". A cell that already begins with an apostrophe gets one too, so the rule reverses exactly:
**a cell that begins with an apostrophe had one added; remove it to get the value** (the graph keeps the value
itself). CSV on the Web has no way to say "remove the first character" (its only cell transformation is trimming
whitespace, and whitespace is no protection: some spreadsheets trim it and then run the formula), so a CSVW
processor gives such a cell with its apostrophe; the metadata states the rule (``rdfs:comment``) and
docs/publishing.md explains it. Cells of the real data never begin with these characters.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicgraph.graph.terms import Lit
from civicgraph.publish.release import GraphIndex, graph_index, unchanged_predicates
from civicgraph.publish.reuse import key_of
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import CG, CGV, DCT, OA, ORG, RDF_TYPE, SCHEMA, SKOS

if TYPE_CHECKING:
    from civicgraph.publish.release import Release

METADATA_FILE = "csv-metadata.json"
LIST_SEPARATOR = " | "
# The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection), and the apostrophe
# itself, so that every cell beginning with one had it added.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "'")
NEUTRALISING_NOTE = [
    {
        "@value": "Komórka zaczynająca się od apostrofu (') ma go dodanego, aby arkusz kalkulacyjny nie wykonał jej "
        "jako formuły (znaki = + - @, tabulator, powrót karetki, nowy wiersz, apostrof na początku). Wartość to "
        "komórka bez tego jednego apostrofu; graf (graph.nt) ma wartość bez niego.",
        "@language": "pl",
    },
    {
        "@value": "A cell that begins with an apostrophe (') had one added so that a spreadsheet does not run it as "
        "a formula (a leading = + - @, tab, carriage return, line feed or apostrophe). The value is the cell without "
        "that one apostrophe; the graph (graph.nt) holds the value without it.",
        "@language": "en",
    },
]


def neutralised(cell: str) -> str:
    """The cell as written to the CSV: with an apostrophe in front if it begins like a formula (see above)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


@dataclass(frozen=True)
class Column:
    """A column: its header, titles, datatype, and how a cell maps to a triple of the graph."""

    name: str
    title_pl: str
    title_en: str
    value: Callable[[GraphIndex, str], str]  # the cell of a row, from the row's resource IRI
    datatype: str = "string"
    property_url: str | None = None
    value_url: str | None = None
    about_url: str | None = None
    lang: str | None = None
    separator: str | None = None
    suppress: bool = False
    description: str | None = None

    def metadata(self) -> dict[str, Any]:
        column: dict[str, Any] = {
            "name": self.name,
            # The header row holds the name: CSVW matches each header cell with one of the column's titles.
            "titles": {"und": self.name, "pl": self.title_pl, "en": self.title_en},
            "datatype": self.datatype,
        }
        optional = {
            "aboutUrl": self.about_url,
            "propertyUrl": self.property_url,
            "valueUrl": self.value_url,
            "lang": self.lang,
            "separator": self.separator,
            "dc:description": self.description,
        }
        column.update({key: value for key, value in optional.items() if value is not None})
        if self.suppress:
            column["suppressOutput"] = True
        return column


@dataclass(frozen=True)
class Table:
    file: str
    title_pl: str
    title_en: str
    rows: Callable[[GraphIndex], list[str]]  # the IRIs of the resources, one per row
    key: str  # the column holding the row's IRI
    # Every predicate its rows and cells are read through, ``rdf:type`` for the types: the table is a function of
    # the triples of these predicates alone, and is taken from the release being replaced when none of them
    # changed (:func:`take_unchanged_tables`). tests/publish/test_tables.py reads the tables through an index that
    # notes what is asked of it, and fails on a predicate left out.
    reads: frozenset[str]
    columns: list[Column] = field(default_factory=list)


# -- cell values ------------------------------------------------------------------------------------------------


def _literal(predicate: str, lang: str | None = None) -> Callable[[GraphIndex, str], str]:
    def read(index: GraphIndex, iri: str) -> str:
        if lang is None:
            return index.literal(iri, predicate) or ""
        exact = [o for o in index.objects(iri, predicate) if isinstance(o, Lit) and o.language == lang]
        return exact[0].lexical if exact else ""

    return read


def _of(
    first: Callable[[GraphIndex, str], str | None], then: Callable[[GraphIndex, str], str]
) -> Callable[[GraphIndex, str], str]:
    """``then`` applied to the resource ``first`` leads to (e.g. the label of a membership's organisation)."""

    def read(index: GraphIndex, iri: str) -> str:
        target = first(index, iri)
        return then(index, target) if target else ""

    return read


def _link(predicate: str) -> Callable[[GraphIndex, str], str | None]:
    return lambda index, iri: index.iri(iri, predicate)


def _self(index: GraphIndex, iri: str) -> str:
    return iri


def _notation(iri: str | None) -> str:
    return iri.rsplit("/", 1)[-1] if iri else ""


# The predicates the helpers below read, for the tables' ``reads``.
_DATES = frozenset({f"{ORG}memberDuring", f"{DCT}temporal", f"{SCHEMA}startDate", f"{SCHEMA}endDate"})
_YEAR = frozenset({f"{CG}reportedIn", f"{CG}figureOf", RDF_TYPE, f"{CG}reportYear"})
_QUOTES = frozenset({f"{CG}evidence", f"{OA}exact"})
_PASSAGE = frozenset({f"{CG}evidence", f"{CG}figureOf", f"{OA}start", f"{OA}end", f"{OA}exact"})


def _date_of(end: str) -> Callable[[GraphIndex, str], str]:
    """The start or end of a resource's interval (``org:memberDuring`` or ``dct:temporal``), as the graph has it."""
    predicate = f"{SCHEMA}startDate" if end == "start" else f"{SCHEMA}endDate"

    def read(index: GraphIndex, iri: str) -> str:
        interval = index.iri(iri, f"{ORG}memberDuring") or index.iri(iri, f"{DCT}temporal")
        return (index.literal(interval, predicate) or "") if interval else ""

    return read


def _year(index: GraphIndex, iri: str) -> str:
    report = index.iri(iri, f"{CG}reportedIn") or _report_of_figure(index, iri)
    return (index.literal(report, f"{CG}reportYear") or "") if report else ""


def _report_of_figure(index: GraphIndex, figure: str) -> str | None:
    owner = index.iri(figure, f"{CG}figureOf")
    if owner is None:
        return None
    return owner if index.has_type(owner, f"{CG}Report") else index.iri(owner, f"{CG}reportedIn")


def _quotes(index: GraphIndex, iri: str) -> str:
    return LIST_SEPARATOR.join(_exact(index, e) for e in index.iris(iri, f"{CG}evidence"))


# What a cell reads of a subject it finds by extending a linked IRI rather than through a triple: an evidence's
# quote and position (:func:`rows_reaching`, which walks from such a subject back to the one it extends).
_QUOTE, _POSITION = "/quote", "/position"
_BENEATH = (_QUOTE, _POSITION)


def _exact(index: GraphIndex, evidence: str) -> str:
    return index.literal(f"{evidence}{_QUOTE}", f"{OA}exact") or ""


def _passage(index: GraphIndex, figure: str) -> str:
    """The figure in its sentence: the passage its activity (or report) rests on that contains its words, or
    the figure's own words when no such passage exists."""
    evidence = index.iri(figure, f"{CG}evidence")
    if evidence is None:
        return ""
    start, end = _span(index, evidence)
    owner = index.iri(figure, f"{CG}figureOf")
    for candidate in index.iris(owner, f"{CG}evidence") if owner else []:
        outer_start, outer_end = _span(index, candidate)
        if outer_start <= start and end <= outer_end and _source(candidate) == _source(evidence):
            return _exact(index, candidate)
    return _exact(index, evidence)


def _span(index: GraphIndex, evidence: str) -> tuple[int, int]:
    position = f"{evidence}{_POSITION}"
    return int(index.literal(position, f"{OA}start") or 0), int(index.literal(position, f"{OA}end") or 0)


def _source(evidence: str) -> str:
    return evidence.rsplit("/chars/", 1)[0]


def _member_teryt(path_index: int) -> Callable[[GraphIndex, str], str]:
    """The TERYT code in an IRI path such as membership/{teryt}/{org} or activity/{teryt}/{year}/{key}."""
    return lambda index, iri: index.path(iri).split("/")[path_index]


# -- the tables -------------------------------------------------------------------------------------------------


def tables(base: str) -> list[Table]:
    member = f"{base}member/{{member_teryt}}"
    organisation = f"{base}organisation/{{organisation_key}}"
    memberships = Table(
        "memberships.csv",
        "Członkostwa samorządów w organizacjach krajowych",
        "Memberships of local governments in national organisations",
        rows=lambda index: index.of_type(f"{ORG}Membership"),
        key="membership",
        reads=frozenset(
            {RDF_TYPE, f"{ORG}member", f"{ORG}organization", f"{SKOS}prefLabel", f"{CG}key", f"{SCHEMA}alternateName"}
        )
        | frozenset({f"{CG}reportedIn", f"{CG}evidence"})
        | _DATES
        | _QUOTES,
        columns=[
            Column("membership", "członkostwo (IRI)", "membership (IRI)", _self, "anyURI", suppress=True),
            Column(
                "member_teryt",
                "TERYT członka",
                "member TERYT",
                _member_teryt(1),
                property_url=f"{ORG}member",
                value_url=member,
            ),
            Column(
                "member_name",
                "członek",
                "member",
                _of(_link(f"{ORG}member"), _literal(f"{SKOS}prefLabel", "pl")),
                about_url=member,
                property_url=f"{SKOS}prefLabel",
                lang="pl",
            ),
            Column(
                "organisation_key",
                "klucz organizacji",
                "organisation key",
                _of(_link(f"{ORG}organization"), _literal(f"{CG}key")),
                property_url=f"{ORG}organization",
                value_url=organisation,
            ),
            Column(
                "organisation_name_pl",
                "organizacja",
                "organisation (Polish)",
                _of(_link(f"{ORG}organization"), _literal(f"{SKOS}prefLabel", "pl")),
                about_url=organisation,
                property_url=f"{SKOS}prefLabel",
                lang="pl",
            ),
            Column(
                "organisation_name_en",
                "organizacja (po angielsku)",
                "organisation",
                _of(_link(f"{ORG}organization"), _literal(f"{SKOS}prefLabel", "en")),
                about_url=organisation,
                property_url=f"{SKOS}prefLabel",
                lang="en",
            ),
            Column(
                "organisation_abbreviation",
                "skrót",
                "abbreviation",
                _of(_link(f"{ORG}organization"), _literal(f"{SCHEMA}alternateName")),
                about_url=organisation,
                property_url=f"{SCHEMA}alternateName",
            ),
            Column(
                "start",
                "początek",
                "start",
                _date_of("start"),
                suppress=True,
                description="schema:startDate of {membership}/during (xsd:date or xsd:gYear); empty when no "
                "report states it",
            ),
            Column(
                "end",
                "koniec",
                "end",
                _date_of("end"),
                suppress=True,
                description="schema:endDate of {membership}/during (xsd:date or xsd:gYear); empty when no "
                "report states it",
            ),
            Column(
                "reported_in",
                "opisane w raportach",
                "reported in",
                lambda index, iri: " ".join(index.iris(iri, f"{CG}reportedIn")),
                "anyURI",
                separator=" ",
                suppress=True,
                description="IRIs of the reports (cg:reportedIn)",
            ),
            Column(
                "evidence",
                "dowody (IRI)",
                "evidence (IRIs)",
                lambda index, iri: " ".join(index.iris(iri, f"{CG}evidence")),
                "anyURI",
                separator=" ",
                suppress=True,
                description="IRIs of the passages of the source text (cg:evidence)",
            ),
            Column(
                "quote",
                "cytat",
                "quote",
                _quotes,
                separator=LIST_SEPARATOR,
                suppress=True,
                description="the passages of the source text this membership rests on",
            ),
        ],
    )
    activities = Table(
        "activities.csv",
        "Działania w ramach członkostwa",
        "Activities within memberships",
        rows=lambda index: index.of_type(f"{CG}Activity"),
        key="activity",
        reads=frozenset({RDF_TYPE, f"{CG}withinMembership", f"{CG}reportedIn", f"{CG}activityType"})
        | frozenset({f"{DCT}title", f"{DCT}description", f"{DCT}isPartOf"})
        | _YEAR
        | _DATES
        | _QUOTES,
        columns=[
            Column("activity", "działanie (IRI)", "activity (IRI)", _self, "anyURI", suppress=True),
            Column("year", "rok", "year", _year, "gYear", suppress=True),
            Column("member_teryt", "TERYT członka", "member TERYT", _member_teryt(1), suppress=True),
            Column(
                "organisation_key",
                "klucz organizacji",
                "organisation key",
                _of(_link(f"{CG}withinMembership"), lambda index, m: index.path(m).split("/")[-1]),
                suppress=True,
            ),
            Column(
                "membership",
                "członkostwo",
                "membership",
                _of(_link(f"{CG}withinMembership"), _self),
                "anyURI",
                property_url=f"{CG}withinMembership",
                value_url="{+membership}",
            ),
            Column(
                "report",
                "raport",
                "report",
                _of(_link(f"{CG}reportedIn"), _self),
                "anyURI",
                property_url=f"{CG}reportedIn",
                value_url="{+report}",
            ),
            Column(
                "types",
                "rodzaje",
                "types",
                lambda index, iri: " ".join(_notation(t) for t in index.iris(iri, f"{CG}activityType")),
                separator=" ",
                suppress=True,
                description=f"notations of cg:activityType concepts ({CGV}activity-type/{{notation}})",
            ),
            Column(
                "title_pl",
                "tytuł",
                "title (Polish)",
                _literal(f"{DCT}title", "pl"),
                property_url=f"{DCT}title",
                lang="pl",
            ),
            Column(
                "title_en",
                "tytuł (po angielsku)",
                "title",
                _literal(f"{DCT}title", "en"),
                property_url=f"{DCT}title",
                lang="en",
            ),
            Column(
                "description_pl",
                "opis",
                "description (Polish)",
                _literal(f"{DCT}description", "pl"),
                property_url=f"{DCT}description",
                lang="pl",
            ),
            Column(
                "description_en",
                "opis (po angielsku)",
                "description",
                _literal(f"{DCT}description", "en"),
                property_url=f"{DCT}description",
                lang="en",
            ),
            Column(
                "start",
                "początek",
                "start",
                _date_of("start"),
                suppress=True,
                description="schema:startDate of the activity's dct:temporal (xsd:date or xsd:gYear); empty "
                "when the report does not say when",
            ),
            Column(
                "end",
                "koniec",
                "end",
                _date_of("end"),
                suppress=True,
                description="schema:endDate of the activity's dct:temporal; empty when the report does not say",
            ),
            Column(
                "part_of",
                "część działania",
                "part of",
                _of(_link(f"{DCT}isPartOf"), _self),
                "anyURI",
                property_url=f"{DCT}isPartOf",
                value_url="{+part_of}",
            ),
            Column(
                "quote",
                "cytat",
                "quote",
                _quotes,
                separator=LIST_SEPARATOR,
                suppress=True,
                description="the passages of the source text this activity rests on",
            ),
        ],
    )
    figures = Table(
        "figures.csv",
        "Dane liczbowe podane w raportach",
        "Figures stated in the reports",
        rows=lambda index: index.of_type(f"{CG}Figure"),
        key="figure",
        reads=frozenset({RDF_TYPE, f"{CG}figureOf", f"{SKOS}prefLabel", f"{SCHEMA}value", f"{SCHEMA}unitCode"})
        | frozenset({f"{SCHEMA}currency", f"{CG}hedge", f"{CG}asPrinted", f"{CG}evidence"})
        | _YEAR
        | _PASSAGE,
        columns=[
            Column("figure", "dana liczbowa (IRI)", "figure (IRI)", _self, "anyURI", suppress=True),
            Column(
                "of",
                "dotyczy",
                "figure of",
                _of(_link(f"{CG}figureOf"), _self),
                "anyURI",
                property_url=f"{CG}figureOf",
                value_url="{+of}",
            ),
            Column("year", "rok", "year", _year, "gYear", suppress=True),
            Column("member_teryt", "TERYT członka", "member TERYT", _member_teryt(1), suppress=True),
            Column(
                "label_pl",
                "co mierzy",
                "what is measured (Polish)",
                _literal(f"{SKOS}prefLabel", "pl"),
                property_url=f"{SKOS}prefLabel",
                lang="pl",
            ),
            Column(
                "label_en",
                "co mierzy (po angielsku)",
                "what is measured",
                _literal(f"{SKOS}prefLabel", "en"),
                property_url=f"{SKOS}prefLabel",
                lang="en",
            ),
            Column("value", "wartość", "value", _literal(f"{SCHEMA}value"), "decimal", property_url=f"{SCHEMA}value"),
            Column(
                "unit",
                "jednostka",
                "unit",
                lambda index, iri: _notation(index.iri(iri, f"{SCHEMA}unitCode")),
                property_url=f"{SCHEMA}unitCode",
                value_url=f"{CGV}unit/{{unit}}",
            ),
            Column("currency", "waluta", "currency", _literal(f"{SCHEMA}currency"), property_url=f"{SCHEMA}currency"),
            Column(
                "hedge",
                "przybliżenie",
                "hedge",
                lambda index, iri: _notation(index.iri(iri, f"{CG}hedge")),
                property_url=f"{CG}hedge",
                value_url=f"{CGV}hedge/{{hedge}}",
            ),
            Column(
                "as_printed",
                "brzmienie w tekście",
                "as printed",
                _literal(f"{CG}asPrinted", "pl"),
                property_url=f"{CG}asPrinted",
                lang="pl",
            ),
            Column(
                "passage",
                "fragment źródła",
                "source passage",
                _passage,
                suppress=True,
                description="the sentence of the source text the figure is printed in",
            ),
            Column(
                "evidence",
                "dowód",
                "evidence",
                _of(_link(f"{CG}evidence"), _self),
                "anyURI",
                property_url=f"{CG}evidence",
                value_url="{+evidence}",
            ),
        ],
    )
    return [memberships, activities, figures]


# -- writing --------------------------------------------------------------------------------------------------


def table_rows(index: GraphIndex, table: Table) -> list[list[str]]:
    """The cells of each row, as the CSV holds them (formula-like cells neutralised)."""
    return [_cells(index, table, iri) for iri in table.rows(index)]


def _cells(index: GraphIndex, table: Table, iri: str) -> list[str]:
    return [neutralised(column.value(index, iri)) for column in table.columns]


def write_table(index: GraphIndex, table: Table, path: Path) -> None:
    _write_rows(table, table_rows(index, table), path)


def _write_rows(table: Table, rows: Iterable[list[str] | str], path: Path) -> None:
    """The table's CSV file: the header, then each row, made (its cells) or as an earlier file holds it (its text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    for row in rows:
        if isinstance(row, str):
            buffer.write(row)
        else:
            writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def rows_reaching(index: GraphIndex, table: Table, changed: Iterable[str]) -> set[str]:
    """The subjects whose row of ``table`` may read one of the ``changed`` subjects: those subjects, and every
    subject that reaches one along the table's predicates (an activity's row reads its report's year through
    ``cg:reportedIn``), or by a cell's IRI beneath it (an evidence's quote). A row reaching none of them reads the
    same triples as before (each step from it is a triple of a subject that did not change) and is the same.

    ``index`` is the graph's now: a subject that did not change has the same triples before and now, so what links
    to a changed one from it is in the index either way."""
    reached = set(changed)
    pending = list(reached)
    while pending:
        iri = pending.pop()
        before = [subject for subject, predicate in index.incoming.get(iri, ()) if predicate in table.reads]
        before.extend(iri[: -len(suffix)] for suffix in _BENEATH if iri.endswith(suffix))
        for subject in before:
            if subject not in reached:
                reached.add(subject)
                pending.append(subject)
    return reached


def write_table_from(index: GraphIndex, table: Table, earlier: Path, changed: Iterable[str], path: Path) -> None:
    """:func:`write_table` from the earlier release's table, written by the same civicgraph from the graph whose
    subjects ``changed`` differ in: the rows of :func:`rows_reaching` them are made anew, the others copied as they
    were written. A national year, one figure's value corrected (with its quote and source text):
    the editions' stage, where the tables are written, 1.03 s against 2.16 when the tables' 40,244 rows were all
    made (medians of 7 alternating pairs, faster in 7 of 7); reading the earlier rows back takes 0.2 s of it."""
    remade = rows_reaching(index, table, changed)
    written = _written_rows(earlier, [column.name for column in table.columns].index(table.key))

    def rows() -> Iterator[list[str] | str]:
        for iri in table.rows(index):
            as_written = None if iri in remade else written.get(neutralised(iri))
            yield _cells(index, table, iri) if as_written is None else as_written

    _write_rows(table, rows(), path)


def _written_rows(table_file: Path, key_column: int) -> dict[str, str]:
    """The rows of a CSV file :func:`write_table` wrote, each as its text (a row may span lines: a quote holding
    a line break), by its key cell."""
    text = table_file.read_bytes().decode("utf-8-sig")
    lines = list(io.StringIO(text, newline=""))  # split at line ends only, and kept: a row is the lines it spans
    records = csv.reader(lines)
    next(records)  # the header
    rows: dict[str, str] = {}
    start = records.line_num
    for record in records:
        end = records.line_num
        rows[record[key_column]] = "".join(lines[start:end])
        start = end
    return rows


def metadata(release: Release) -> dict[str, Any]:
    """The CSVW metadata document describing the three tables."""
    settings = release.dataset.settings
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "pl"}],
        "dc:title": [
            {"@value": "Członkostwo samorządów w organizacjach krajowych — tabele", "@language": "pl"},
            {"@value": "Local governments' memberships of national organisations — tables", "@language": "en"},
        ],
        "dc:license": {"@id": settings.data_licence},
        "rdfs:comment": NEUTRALISING_NOTE,
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\r\n"]},
        "tables": [
            {
                "url": table.file,
                "dc:title": [
                    {"@value": table.title_pl, "@language": "pl"},
                    {"@value": table.title_en, "@language": "en"},
                ],
                "tableSchema": {
                    "columns": [column.metadata() for column in table.columns],
                    "primaryKey": table.key,
                    "aboutUrl": f"{{+{table.key}}}",
                },
            }
            for table in tables(settings.base_iri)
        ],
    }


def _key(table: Table) -> str:
    return key_of("table", table.file, table.reads)


def take_unchanged_tables(release: Release, out: Path) -> None:
    """Declare each table with the key of what it is made from, and take from the release being replaced the tables
    none of whose predicates changed since (:func:`civicgraph.publish.release.unchanged_predicates`): they would come
    out the same. Run in the building process before :func:`write_tables` (a key declared in another process would
    not be recorded), which writes the others. One national report's source URL changed: the three tables, 1.1 s
    of work, are taken."""
    for table in tables(release.dataset.settings.base_iri):
        release.reuse.declare(table.file, key=_key(table))
        if unchanged_predicates(release, table.reads):
            release.reuse.take(table.file, out)


def write_tables(release: Release, out: Path) -> None:
    """The tables not taken by :func:`take_unchanged_tables` (in a new staging folder, the tables already there),
    each written from the earlier release's when the subjects that changed since are known
    (:func:`write_table_from`), and ``csv-metadata.json``."""
    changed = release.change.subjects
    with paused_cycle_collector():
        index = graph_index(release)
        for table in tables(release.dataset.settings.base_iri):
            path = out / table.file
            if path.exists():
                continue
            if changed is not None and (earlier := release.reuse.earlier_file(table.file, _key(table))) is not None:
                write_table_from(index, table, earlier, changed, path)
            else:
                write_table(index, table, path)
    text = json.dumps(metadata(release), ensure_ascii=False, indent=1) + "\n"
    (out / METADATA_FILE).write_text(text, encoding="utf-8")
