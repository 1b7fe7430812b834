"""Values that used to slip through, crash or be changed silently: control characters in YAML, figures beyond the
28 digits of Python's decimal context or written with an exponent, TERYT codes without quotes, QIDs beyond what
Wikibase allows, IRIs Oxigraph refuses — and one message, not five, for an ambiguous quote of a membership."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest

from civicgraph.graph.build import build_graph
from civicgraph.source.reader import read_dataset
from civicgraph.util.errors import Message, Problem

from ..conftest import BASE
from .problems import edit_once, problems_of, stated

REPORT = Path("reports/3064011/2023/report.yaml")
SCHEMA_VALUE = ox.NamedNode("http://schema.org/value")
XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
PROJECTS = ox.NamedNode(f"{BASE}activity/3064011/2023/zit-projects/figure/projects")


@pytest.mark.parametrize(
    ("character", "code"), [("\x00", "U+0000"), ("\x07", "U+0007"), ("\x9b", "U+009B"), ("\ufffe", "U+FFFE")]
)
def test_a_control_character_in_yaml_is_one_located_problem(data_copy: Path, character: str, code: str) -> None:
    line = edit_once(data_copy / "members.yaml", "  kind: county\n", f"  kind: county{character}\n")
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / "members.yaml",
                line,
                "",
                Message(
                    f"znak {code} (sterujący albo niedozwolony) nie może wystąpić w pliku YAML; usuń go",
                    f"the character {code} (a control character or a non-character) is not allowed in a YAML file; "
                    "remove it",
                ),
            )
        ]
    )


@pytest.mark.parametrize(
    ("escape", "code"),
    [("\\0", "U+0000"), ("\\a", "U+0007"), ("\\e", "U+001B"), ("\\x7f", "U+007F"), ("\\uFFFE", "U+FFFE")],
)
def test_a_control_character_written_as_an_escape_is_one_located_problem(
    data_copy: Path, escape: str, code: str
) -> None:
    """YAML refuses a control character raw but takes it as an escape in a double-quoted string: it would reach
    RDF/XML, XML and HTML, which cannot carry it (an audit's title "Raport \a…" stopped the build with no place)."""
    line = edit_once(
        data_copy / "organisations.yaml", "name: {pl: Fundacja POMOST,", f'name: {{pl: "Fundacja{escape} POMOST",'
    )
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / "organisations.yaml",
                line,
                "fundacja-pomost.name.pl",
                Message(
                    f"znak {code} (sterujący albo niedozwolony) nie może wystąpić w danych: RDF/XML, XML i HTML go "
                    "nie przeniosą; usuń go",
                    f"the character {code} (a control character or a non-character) is not allowed in the data: "
                    "RDF/XML, XML and HTML cannot carry it; remove it",
                ),
            )
        ]
    )


@pytest.mark.parametrize("override", ["\u202e", "\u2067"])
def test_a_bidirectional_control_in_a_name_is_refused_raw_or_escaped(data_copy: Path, override: str) -> None:
    """U+202E in "Fundacja POMOST" turned the member page's text after the name around (an audit's screenshot)."""
    code = f"U+{ord(override):04X}"
    message = Message(
        f"znak {code} (sterujący kierunkiem pisma) odwróciłby tekst strony po tej wartości; usuń go",
        f"the character {code} (a bidirectional control) would turn the page's text after this value around; remove it",
    )
    organisations = data_copy / "organisations.yaml"
    original = organisations.read_text(encoding="utf-8")
    for written in (override, f"\\u{ord(override):04X}"):  # raw, then as an escape
        organisations.write_text(original, encoding="utf-8")
        line = edit_once(organisations, "name: {pl: Fundacja POMOST,", f'name: {{pl: "Fundacja POMOST{written}",')
        assert stated(problems_of(data_copy)) == stated(
            [Problem.of(organisations, line, "fundacja-pomost.name.pl", message)]
        )


def test_a_control_character_in_the_source_text_is_refused_with_its_line(data_copy: Path) -> None:
    """A form feed, as text copied out of a PDF may hold: HTML and XML cannot carry it."""
    text = data_copy / REPORT.parent / "source.txt"
    lines = text.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2] + "\x0c"
    text.write_text("\n".join(lines), encoding="utf-8")
    (problem,) = problems_of(data_copy)
    assert (problem.file, problem.field) == (data_copy / REPORT, "text")
    assert problem.message == (
        f"the source text {text}, line 3: the character U+000C (a control character or a non-character) is not "
        "allowed in the data: RDF/XML, XML and HTML cannot carry it; remove it"
    )


def test_a_quote_in_another_unicode_form_than_the_text_says_so(data_copy: Path) -> None:
    """The text written decomposed (NFD: "o" and U+0301 for "ó"), as text copied out of a PDF may be, and the quote
    typed composed: both print "Związek Miast Polskich" alike, so the message must say why one is not in the other."""
    text = data_copy / REPORT.parent / "source.txt"
    text.write_text(unicodedata.normalize("NFD", text.read_text(encoding="utf-8")), encoding="utf-8")
    problems = problems_of(data_copy)
    hint = (
        " (it looks the same, but letters with diacritics are written otherwise than in the text: as one character, "
        "or as a letter and a combining mark, NFC against NFD; save both files in one form, NFC)"
    )
    composed = [p for p in problems if any(ord(c) > 0x7F for c in p.message.split("'")[1])]  # quotes with a diacritic
    assert composed and all(p.message.endswith(hint) for p in composed)
    plain = [p for p in problems if p not in composed]
    assert not any(p.message.endswith(hint) for p in plain)  # an ASCII quote is found, or fails for another reason


def _value_of_projects(data: Path) -> ox.Literal:
    """The published ``schema:value`` of the ZIT projects figure, as the build wrote it (not through rdflib,
    whose literals are normalised in Python's 28-digit decimal context)."""
    built = build_graph(read_dataset(data))
    [value] = [t.object for t in built.triples if t.subject == PROJECTS and t.predicate == SCHEMA_VALUE]
    assert isinstance(value, ox.Literal) and value.datatype == XSD_DECIMAL
    return value


def _print_projects(data: Path, printed: str, value: str) -> None:
    """Made up: the text prints ``printed`` projects instead of 139, and the figure's value says ``value`` (the
    build checks that a figure's quote prints its value)."""
    for file in (data / REPORT.parent / "source.txt", data / REPORT):
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("139 projektów", f"{printed} projektów"), encoding="utf-8")
    edit_once(data / REPORT, "        value: 139\n", f"        value: {value}\n")


def test_a_figure_of_29_digits_is_kept_exactly(data_copy: Path) -> None:
    _print_projects(data_copy, "12345678901234567890123456789", "12345678901234567890123456789")
    # normalize() in the default 28-digit context gave 12345678901234567890123456790
    assert _value_of_projects(data_copy).value == "12345678901234567890123456789"


def test_a_figure_with_a_long_fraction_is_kept_exactly(data_copy: Path) -> None:
    _print_projects(data_copy, "0,000000000000000000000000000001", "0.000000000000000000000000000001_0")
    assert _value_of_projects(data_copy).value == "0.000000000000000000000000000001"


@pytest.mark.parametrize("written", ["1e999999999", "1e-999999999", "1.4E9"])
def test_a_figure_with_an_exponent_is_refused(data_copy: Path, written: str) -> None:
    line = edit_once(data_copy / REPORT, "        value: 139\n", f"        value: {written}\n")
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                line,
                "activities.zit-projects.figures.projects.value",
                Message(
                    f"{written!r} zapisano z wykładnikiem; wpisz liczbę cyframi, tak jak podaje ją raport (np. "
                    "1400000000)",
                    f"{written!r} is written with an exponent; write the number out in digits, as the report prints it "
                    "(e.g. 1400000000)",
                ),
            )
        ]
    )


def test_a_figure_of_more_than_40_digits_is_refused(data_copy: Path) -> None:
    line = edit_once(data_copy / REPORT, "        value: 139\n", f"        value: {'9' * 41}\n")
    [problem] = problems_of(data_copy)
    assert (problem.line, problem.field) == (line, "activities.zit-projects.figures.projects.value")
    assert (
        problem.message == f"'{'9' * 41}' has more than 40 digits; no figure in a report is that long: check the value"
    )


def test_a_figure_of_40_digits_is_accepted(data_copy: Path) -> None:
    _print_projects(data_copy, "9" * 40, "9" * 40)
    assert _value_of_projects(data_copy).value == "9" * 40


def _quoting(value: str) -> Message:
    return Message(
        f'zapisz kod TERYT w cudzysłowie ("{value}"): bez niego YAML czyta go jako liczbę, a inne programy gubią zero '
        "na początku kodu",
        f'write the TERYT code in quotes ("{value}"): unquoted, YAML reads it as a number and other programs drop a '
        "leading zero",
    )


def test_an_unquoted_teryt_is_refused_in_members_and_as_a_reports_member(data_copy: Path) -> None:
    members_line = edit_once(data_copy / "members.yaml", '"3021":\n', "3021:\n")
    report_line = edit_once(data_copy / REPORT, '\nmember: "3064011"\n', "\nmember: 3064011\n") + 1
    assert stated(problems_of(data_copy)) == stated(
        [  # (the report is read no further: its member is not known)
            Problem.of(data_copy / "members.yaml", members_line, "3021", _quoting("3021")),
            Problem.of(data_copy / REPORT, report_line, "member", _quoting("3064011")),
        ]
    )


def test_an_unquoted_teryt_of_a_participant_is_refused(data_copy: Path) -> None:
    line = edit_once(data_copy / REPORT, '      - member: "30"\n', "      - member: 30\n")
    assert stated(problems_of(data_copy)) == stated(
        [Problem.of(data_copy / REPORT, line, "activities.pkm.participants[0].member", _quoting("30"))]
    )


@pytest.mark.parametrize("qid", ["Q2147483648", "Q99999999999999999999", "Q0268", "q268"])
def test_a_qid_wikibase_would_not_accept_is_refused(data_copy: Path, qid: str) -> None:
    line = edit_once(data_copy / "members.yaml", "  wikidata: {qid: Q268,", f"  wikidata: {{qid: {qid},")
    [problem] = problems_of(data_copy)
    assert (problem.line, problem.field) == (line, "3064011.wikidata.qid")
    assert problem.message == (
        f"{qid!r} is malformed: a Wikidata item identifier is Q and a number from 1 to 2147483647 without leading "
        "zeros (what Wikibase allows), such as Q268"
    )


def test_the_largest_qid_wikibase_accepts_is_read(data_copy: Path) -> None:
    edit_once(data_copy / "members.yaml", "  wikidata: {qid: Q268,", "  wikidata: {qid: Q2147483647,")
    wikidata = read_dataset(data_copy).members["3064011"].wikidata
    assert wikidata is not None and wikidata.qid == "Q2147483647"


@pytest.mark.parametrize(
    ("bad", "refused"), [("`", "Invalid IRI code point '`'"), ("{x}", "Invalid IRI code point '{'")]
)
def test_a_url_oxigraph_would_refuse_is_a_located_problem(data_copy: Path, bad: str, refused: str) -> None:
    line = edit_once(
        data_copy / REPORT, "url: https://badam.poznan.pl/2023/", f"url: https://badam.poznan.pl/{bad}2023/"
    )
    [problem] = problems_of(data_copy)
    assert (problem.file, problem.line, problem.field) == (data_copy / REPORT, line, "url")
    assert f"is not a valid IRI ({refused}); percent-encode the characters it does not allow" in problem.message
    assert f"nie jest poprawnym adresem IRI ({refused}); zakoduj niedozwolone znaki jako %XX" in problem.polish


def test_an_ambiguous_quote_of_a_membership_is_one_problem(data_copy: Path) -> None:
    """Six activities of the UMP membership are not each reported as outside the report's memberships."""
    line = edit_once(data_copy / REPORT, "    quote: Unia Metropolii Polskich;\n", "    quote: Polskich\n")
    assert stated(problems_of(data_copy)) == stated(
        [
            Problem.of(
                data_copy / REPORT,
                line,
                "memberships.ump.quote",
                Message(
                    "fragment 'Polskich' występuje w tekście źródłowym 5 razy; wydłuż go",
                    "the passage 'Polskich' occurs 5 times in the source text; lengthen it",
                ),
            )
        ]
    )
