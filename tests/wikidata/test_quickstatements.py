"""`civicgraph export quickstatements`: exact QuickStatements v1 syntax, and nothing skipped silently.

The syntax is that of https://www.wikidata.org/wiki/Help:QuickStatements (v1): tab-separated item, property,
value, then qualifier pairs, then source pairs (S-prefixed); a time is ``+YYYY-MM-DDT00:00:00Z/precision``
(9 = year, 11 = day) and a string is in double quotes.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicgraph.cli.main import main
from civicgraph.util.errors import ExitCode
from civicgraph.wikidata.quickstatements import string_value, time_value, url_value

from ..conftest import DATA
from ..wikidata_replay import copy_data

RETRIEVED = "S813\t+2026-11-29T00:00:00Z/11"
URL_2023 = 'S854\t"https://example.org/raporty/2023/wspolpraca?strona=1%7C2"'  # "|" is not allowed in a URL
URL_2022 = 'S854\t"https://example.org/raporty/2022/wspolpraca"'

# The 16 organisations of the 2023 report: "16 krajowych organizacji i sieci" (source.txt), keys of report.yaml.
POZNAN_ORGANISATIONS = [
    "bank-zywnosci", "droga-s11", "forum-rewitalizacji", "frrigz", "fundacja-pomost", "komunikacja",
    "metropolia-poznan", "plot", "sgipw", "speo", "szlak-piastowski", "szmp", "ump", "wkt", "wokiss", "zmp",
]  # fmt: skip


def export(data: Path, *extra: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(
        main,
        ["export", "quickstatements", "--data", str(data), *extra],
        env={"SOURCE_DATE_EPOCH": None, **(env or {})},
    )


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    return copy_data("quickstatements-data", tmp_path / "data")


def test_poznan_has_no_statement_yet_and_all_16_memberships_are_listed(tmp_path: Path) -> None:
    skipped = tmp_path / "skipped.csv"
    result = export(DATA, "--retrieved", "2026-11-29", "--skipped", str(skipped))
    assert result.exit_code == 0, result.stderr
    # Poznań (Q268) is in no statement: no organisation of its 2023 report has a verified QID (whatever other
    # reports the data holds, these are Poznań 2023's)
    assert [line for line in result.stdout.splitlines() if line.startswith("Q268\t")] == []
    listed = [line for line in result.stderr.splitlines() if line.startswith("skipped 3064011 → ") and "(2023)" in line]
    assert listed == [
        f"skipped 3064011 → {key} (2023): organisation {key} has no Wikidata QID" for key in POZNAN_ORGANISATIONS
    ]
    rows = list(csv.DictReader(io.StringIO(skipped.read_text(encoding="utf-8"))))
    assert [
        (r["member"], r["organisation"], r["year"]) for r in rows if r["member"] == "3064011" and r["year"] == "2023"
    ] == [("3064011", key, "2023") for key in POZNAN_ORGANISATIONS]


def test_representative_memberships_line_by_line(made_up: Path) -> None:
    result = export(made_up, "--retrieved", "2026-11-29")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\n") == [
        # start known (a year): P580 at year precision
        f"Q999999801\tP463\tQ999999811\tP580\t+2011-00-00T00:00:00Z/9\t{URL_2023}\t{RETRIEVED}",
        # start and end known
        f"Q999999801\tP463\tQ999999812\tP580\t+2015-00-00T00:00:00Z/9\tP582\t+2023-00-00T00:00:00Z/9\t{URL_2023}\t{RETRIEVED}",
        # neither known: the reporting year as point in time
        f"Q999999801\tP463\tQ999999813\tP585\t+2023-00-00T00:00:00Z/9\t{URL_2023}\t{RETRIEVED}",
        "",
    ]


COVERED = (
    "covered by the line of the 2023 report: QuickStatements would merge this report's qualifiers and reference "
    "into that statement"
)


def test_a_membership_reported_in_two_years_is_one_line_from_the_latest_report(made_up: Path, tmp_path: Path) -> None:
    """QuickStatements merges lines of one item, property and value into one statement (magnusmanske/quickstatements
    issue #34): a 2022 line would put the 2022 report's URL next to the start 2011 that only the 2023 report states,
    and add a point in time 2022 to the same statement."""
    skipped = tmp_path / "skipped.csv"
    result = export(made_up, "--retrieved", "2026-11-29", "--skipped", str(skipped))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if "\tQ999999811\t" in line] == [
        f"Q999999801\tP463\tQ999999811\tP580\t+2011-00-00T00:00:00Z/9\t{URL_2023}\t{RETRIEVED}"
    ]
    assert [line for line in lines if "\tQ999999813\t" in line] == [
        f"Q999999801\tP463\tQ999999813\tP585\t+2023-00-00T00:00:00Z/9\t{URL_2023}\t{RETRIEVED}"
    ]
    assert not any(URL_2022 in line or "+2022-" in line for line in lines)
    rows = list(csv.DictReader(io.StringIO(skipped.read_text(encoding="utf-8"))))
    assert [(r["member"], r["organisation"], r["year"], r["reason"]) for r in rows if r["year"] == "2022"] == [
        ("3099011", "org-a", "2022", COVERED),
        ("3099011", "org-c", "2022", COVERED),
    ]


def test_a_later_report_without_a_url_leaves_the_line_to_the_earlier_one(made_up: Path) -> None:
    """Only a report that can be cited covers an earlier one; else the membership would vanish from the export."""
    report = made_up / "reports" / "3099011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text("".join(line for line in text.splitlines(True) if not line.startswith("url: ")), "utf-8")
    result = export(made_up, "--retrieved", "2026-11-29")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Q999999801\tP463\tQ999999811\tP585\t+2022-00-00T00:00:00Z/9\t{URL_2022}\t{RETRIEVED}",
        f"Q999999801\tP463\tQ999999813\tP585\t+2022-00-00T00:00:00Z/9\t{URL_2022}\t{RETRIEVED}",
    ]
    assert "skipped 3099011 → org-a (2023): the 2023 report has no URL to cite as the reference" in result.stderr


def test_memberships_without_a_qid_or_a_url_are_listed_with_the_reason(made_up: Path, tmp_path: Path) -> None:
    skipped = tmp_path / "skipped.csv"
    result = export(made_up, "--retrieved", "2026-11-29", "--skipped", str(skipped))
    assert result.exit_code == 0, result.stderr
    assert skipped.read_text(encoding="utf-8").splitlines() == [
        "member,organisation,year,reason",
        f"3099011,org-a,2022,{COVERED}",
        f"3099011,org-c,2022,{COVERED}",
        "3099011,org-d,2023,organisation org-d has no Wikidata QID",
        "3099011,org-e,2023,organisation org-e has no Wikidata QID",  # checked, no item found
        "3099022,org-a,2023,member 3099022 has no Wikidata QID",
        "3099022,org-d,2023,member 3099022 and organisation org-d have no Wikidata QID",
        "3099033,org-a,2023,the 2023 report has no URL to cite as the reference",
    ]
    assert result.stderr.splitlines()[-1] == "3 statements, 7 memberships skipped"


@pytest.mark.parametrize("epoch", [None, "0", "1795910400", "-1"])
def test_without_retrieved_the_lines_cite_the_url_alone_whatever_source_date_epoch(
    made_up: Path, epoch: str | None
) -> None:
    """S813 is the day a person retrieved the report: a build timestamp (SOURCE_DATE_EPOCH=0 gave 1970-01-01) or the
    clock is no such day, so without --retrieved there is no S813 at all, and the export says so once."""
    result = export(made_up, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Q999999801\tP463\tQ999999811\tP580\t+2011-00-00T00:00:00Z/9\t{URL_2023}",
        f"Q999999801\tP463\tQ999999812\tP580\t+2015-00-00T00:00:00Z/9\tP582\t+2023-00-00T00:00:00Z/9\t{URL_2023}",
        f"Q999999801\tP463\tQ999999813\tP585\t+2023-00-00T00:00:00Z/9\t{URL_2023}",
    ]
    note = "no --retrieved: the lines cite each report by its URL (S854) alone, without S813"
    assert result.stderr.splitlines().count(note) == 1


def test_a_retrieval_day_before_a_cited_report_could_exist_is_refused(made_up: Path, tmp_path: Path) -> None:
    """The lines cite the 2023 report: it cannot have been retrieved before 2024-01-01."""
    out = tmp_path / "out.qs"
    result = export(made_up, "--retrieved", "2023-12-31", "--out", str(out))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        "Error: --retrieved 2023-12-31: the report of 3099011 on 2023 cannot have been retrieved before 2024-01-01; "
        "give the day the reports were retrieved; nothing was written\n"
    )
    assert not out.exists()
    first_day = export(made_up, "--retrieved", "2024-01-01")
    assert first_day.exit_code == 0, first_day.stderr
    assert first_day.stdout.splitlines()[0].endswith("\tS813\t+2024-01-01T00:00:00Z/11")


def test_output_to_a_file_is_byte_identical_between_runs(made_up: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.qs", tmp_path / "second.qs"
    assert export(made_up, "--retrieved", "2026-11-29", "--out", str(first)).exit_code == 0
    assert export(made_up, "--retrieved", "2026-11-29", "--out", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().count(b"\n") == 3


@pytest.mark.parametrize(
    ("option", "content", "why"),
    [
        ("--out", "my notes\n", "is not an earlier export of `civicgraph export quickstatements` (not every line "
         "is a P463 command)"),
        ("--skipped", "teryt,name\n", "is not an earlier list of skipped memberships (its first line is not "
         "member,organisation,year,reason)"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_an_earlier_output_is_not_overwritten(
    made_up: Path, tmp_path: Path, option: str, content: str, why: str
) -> None:
    target = tmp_path / "existing.txt"
    target.write_text(content, encoding="utf-8")
    result = export(made_up, "--retrieved", "2026-11-29", option, str(target))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        f"Error: {option} {target}: exists and {why}; nothing was written (give another {option}, or --force to "
        "replace it)\n"
    )
    assert target.read_text(encoding="utf-8") == content
    forced = export(made_up, "--retrieved", "2026-11-29", option, str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert target.read_text(encoding="utf-8") != content


def test_an_earlier_export_is_replaced(made_up: Path, tmp_path: Path) -> None:
    out, skipped = tmp_path / "out.qs", tmp_path / "skipped.csv"
    arguments = ("--retrieved", "2026-11-29", "--out", str(out), "--skipped", str(skipped))
    assert export(made_up, *arguments).exit_code == 0
    first = out.read_bytes(), skipped.read_bytes()
    again = export(made_up, *arguments)
    assert again.exit_code == 0, again.stderr
    assert (out.read_bytes(), skipped.read_bytes()) == first


def test_times_at_year_and_day_precision() -> None:
    assert time_value(2011) == "+2011-00-00T00:00:00Z/9"
    assert time_value(date(2015, 3, 1)) == "+2015-03-01T00:00:00Z/11"


def test_quotes_in_a_url_are_escaped_and_elsewhere_refused() -> None:
    assert url_value('https://example.org/a"b c') == '"https://example.org/a%22b%20c"'
    assert url_value("https://example.org/ą?x={y}") == '"https://example.org/ą?x=%7By%7D"'
    assert string_value("Raport o stanie miasta") == '"Raport o stanie miasta"'
    with pytest.raises(ValueError, match="double quote"):
        string_value('Stowarzyszenie "Forum"')
    with pytest.raises(ValueError, match="tab or line break"):
        string_value("a\tb")


SAME_FILE_MESSAGE = "name the same file; nothing was written (give --skipped another file)"


@pytest.mark.parametrize("force", [(), ("--force",)], ids=["", "with --force"])
def test_out_and_skipped_naming_one_file_are_refused_before_anything_is_written(
    made_up: Path, tmp_path: Path, force: tuple[str, ...]
) -> None:
    """Each path alone is a fine output; together the skipped list would replace the statements."""
    qs = tmp_path / "qs.txt"
    result = export(made_up, "--retrieved", "2026-11-29", "--out", str(qs), "--skipped", str(qs), *force)
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr == f"Error: --out {qs} and --skipped {qs} {SAME_FILE_MESSAGE}\n"
    assert not qs.exists()


def test_one_file_under_two_names_is_one_file(made_up: Path, tmp_path: Path) -> None:
    """The same file through another spelling, a symbolic link (to a file not there yet) or a hard link."""
    out = tmp_path / "out.qs"
    assert export(made_up, "--retrieved", "2026-11-29", "--out", str(out)).exit_code == 0
    earlier = out.read_bytes()
    (tmp_path / "sub").mkdir()
    (tmp_path / "symbolic.csv").symlink_to(out)
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "not-yet.qs")
    (tmp_path / "hard.csv").hardlink_to(out)
    for out_option, skipped in [
        (out, tmp_path / "sub" / ".." / "out.qs"),
        (out, tmp_path / "symbolic.csv"),
        (tmp_path / "not-yet.qs", tmp_path / "dangling.csv"),
        (out, tmp_path / "hard.csv"),
    ]:
        result = export(made_up, "--retrieved", "2026-11-29", "--out", str(out_option), "--skipped", str(skipped))
        assert result.exit_code == ExitCode.USAGE, skipped
        assert result.stderr == f"Error: --out {out_option} and --skipped {skipped} {SAME_FILE_MESSAGE}\n"
    assert out.read_bytes() == earlier  # the statements are still there, the hard link with them
    assert (tmp_path / "hard.csv").read_bytes() == earlier
    assert not (tmp_path / "not-yet.qs").exists()
