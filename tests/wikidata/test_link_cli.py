"""`civicgraph link wikidata` and `link apply` end to end, against the loopback replay server.

Every failure of Wikidata ends with one clear line, exit code 4, no review file and not one byte of data/ changed;
the review → apply cycle changes only the accepted lines.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicgraph.cli.main import main
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import WikidataLink
from civicgraph.util.errors import ExitCode
from civicgraph.wikidata.link import REVIEW_COLUMNS

from ..wikidata_replay import ReplayServer, Reply, copy_data, tree_bytes

REVIEWER = "Anna Nowak (test reviewer)"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_data("link-data", tmp_path / "data")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": None, **(env or {})})


def link_wikidata(replay: ReplayServer, data: Path, *extra: str) -> Result:
    return run(
        "link", "wikidata", "--data", str(data), "--cache", str(data.parent / "cache"),
        "--api-url", replay.api_url, "--sparql-url", replay.sparql_url,
        "--contact", "https://example.org/civicgraph-tests", "--min-interval", "0", "--backoff", "0.001",
        "--max-attempts", "2", "--timeout", "0.3", *extra,
    )  # fmt: skip


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- finding candidates ------------------------------------------------------------------------------------


def test_poznan_is_matched_by_teryt(replay: ReplayServer, data: Path) -> None:
    result = link_wikidata(replay, data, "--only", "3064011")
    assert result.exit_code == 0, result.stderr
    (row,) = rows(result.stdout)
    assert row == {
        "decision": "", "kind": "member", "key": "3064011", "name": "Miasto Poznań", "qid": "Q268",
        "wikidata_label": "Poznań", "wikidata_description": "miasto na prawach powiatu w województwie wielkopolskim",
        "method": "teryt", "score": "100", "reasons": "P1653 (TERYT) = 3064011",
        "wikidata_page": "https://www.wikidata.org/wiki/Q268",
    }  # fmt: skip


def test_namesake_communes_are_listed_for_a_person_to_choose(replay: ReplayServer, data: Path) -> None:
    result = link_wikidata(replay, data, "--only", "3099022")
    assert result.exit_code == 0, result.stderr
    found = [(r["qid"], r["method"], r["score"]) for r in rows(result.stdout)]
    assert found == [
        ("Q999999901", "label", "50"),
        ("Q999999902", "label", "50"),
        ("Q999999903", "label", "50"),
        ("Q999999904", "label", "50"),
        ("Q999999905", "label", "40"),  # gmina Osiek Mały
        ("Q999999906", "label", "20"),  # the village
        ("Q999999907", "label", "20"),  # the disambiguation page
    ]
    assert all("ambiguous: 4 items score the same" in r["reasons"] for r in rows(result.stdout)[:4])
    assert {r["decision"] for r in rows(result.stdout)} == {""}, "the tool never decides"


def test_no_candidate_gives_a_none_found_line(replay: ReplayServer, data: Path) -> None:
    result = link_wikidata(replay, data, "--only", "stowarzyszenie-fikcyjne")
    assert result.exit_code == 0, result.stderr
    (row,) = rows(result.stdout)
    assert (row["kind"], row["key"], row["qid"], row["method"]) == (
        "organisation", "stowarzyszenie-fikcyjne", "", "none-found",
    )  # fmt: skip
    assert row["reasons"] == "searching 'Stowarzyszenie Gmin Fikcyjnych' found no item"


def test_krs_is_looked_up_under_the_given_property(replay: ReplayServer, data: Path) -> None:
    result = link_wikidata(replay, data, "--only", "fundacja-testowa", "--krs-property", "P999999999")
    assert result.exit_code == 0, result.stderr
    (row,) = rows(result.stdout)
    assert (row["qid"], row["method"], row["score"]) == ("Q999999911", "krs", "100")


def test_a_rerun_is_offline_and_gives_the_same_review(replay: ReplayServer, data: Path) -> None:
    everything = ("--krs-property", "P999999999")
    first = link_wikidata(replay, data, *everything)
    assert first.exit_code == 0, first.stderr
    asked = len(replay.received)
    assert asked == 9  # 3 SPARQL lookups, 3 searches, 3 wbgetentities
    again = link_wikidata(replay, data, *everything, "--offline")
    assert again.exit_code == 0, again.stderr
    assert again.stdout == first.stdout
    assert len(replay.received) == asked
    assert "0 requests to Wikidata" in again.stderr


def test_offline_without_cache_names_the_missing_request(replay: ReplayServer, data: Path) -> None:
    before = tree_bytes(data)
    result = link_wikidata(replay, data, "--offline", "--only", "3064011")
    assert result.exit_code == ExitCode.EXTERNAL
    assert "offline: no cached answer for SPARQL items with P1653 = '3064011'" in result.stderr
    assert tree_bytes(data) == before


NOT_A_REVIEW = "is not a review file of `civicgraph link wikidata` (its first line is not the review header)"
REVIEW_HEADER = "decision,kind,key,name,qid,wikidata_label,wikidata_description,method,score,reasons,wikidata_page\n"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("member,name\n3064011,Poznań\n", NOT_A_REVIEW),
        (REVIEW_HEADER + "accept,member,3064011,Poznań,Q268,,,teryt,100,,\n", "holds 1 decision a person wrote, "
         "which would be lost"),
    ],
    ids=["someone-elses-file", "review-with-a-decision"],
)  # fmt: skip
def test_the_review_file_is_not_overwritten_by_accident(
    replay: ReplayServer, data: Path, tmp_path: Path, content: str, why: str
) -> None:
    review = tmp_path / "review.csv"
    review.write_text(content, encoding="utf-8")
    result = link_wikidata(replay, data, "--out", str(review))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        f"Error: --out {review}: exists and {why}; nothing was written (give another --out, or --force to replace it)\n"
    )
    assert review.read_text(encoding="utf-8") == content
    assert replay.received == []  # refused before any request


def test_an_earlier_review_without_decisions_is_replaced(replay: ReplayServer, data: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_text(REVIEW_HEADER + ",member,3064011,Poznań,Q1,,,label,40,,\n", encoding="utf-8")
    result = link_wikidata(replay, data, "--out", str(review), "--only", "3064011")
    assert result.exit_code == 0, result.stderr
    (row,) = rows(review.read_text(encoding="utf-8"))
    assert (row["key"], row["qid"], row["method"]) == ("3064011", "Q268", "teryt")


def test_force_replaces_a_review_with_decisions(replay: ReplayServer, data: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_text(REVIEW_HEADER + "accept,member,3064011,Poznań,Q1,,,label,40,,\n", encoding="utf-8")
    result = link_wikidata(replay, data, "--out", str(review), "--only", "3064011", "--force")
    assert result.exit_code == 0, result.stderr
    (row,) = rows(review.read_text(encoding="utf-8"))
    assert (row["decision"], row["qid"]) == ("", "Q268")


def test_a_folder_is_never_an_output(replay: ReplayServer, data: Path, tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    result = link_wikidata(replay, data, "--out", str(tmp_path), "--force")
    assert result.exit_code == ExitCode.USAGE
    # --out is a click.Path(dir_okay=False): click refuses a folder before the command runs, in its own words.
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--out': File '{tmp_path}' is a directory."
    assert sorted(tmp_path.rglob("*")) == before


def test_a_device_is_never_an_output(replay: ReplayServer, data: Path) -> None:
    """What click lets through (not a folder) but is no regular file either: cli/link.py refuses it, --force or not."""
    result = link_wikidata(replay, data, "--out", "/dev/null", "--force")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == "Error: --out /dev/null: exists and is not a regular file; give a file name\n"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--api-url", "http://[::1", "--api-url 'http://[::1': give an http(s) URL"),
        ("--sparql-url", "http://exa mple.org/q", "--sparql-url 'http://exa mple.org/q': give an http(s) URL"),
        ("--timeout", "nan", "--timeout nan: give a number of seconds above 0"),
    ],
)  # fmt: skip
def test_unusable_client_options_are_usage_errors(
    replay: ReplayServer, data: Path, option: str, value: str, message: str
) -> None:
    result = link_wikidata(replay, data, option, value)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == f"Error: {message}\n"


def test_a_contact_is_required_online(data: Path) -> None:
    result = run("link", "wikidata", "--data", str(data), "--cache", str(data.parent / "cache"))
    assert result.exit_code == ExitCode.USAGE
    assert "give --contact" in result.stderr


def test_a_contact_that_is_neither_email_nor_url_is_a_usage_error(data: Path) -> None:
    result = run("link", "wikidata", "--data", str(data), "--contact", "call me maybe")
    assert result.exit_code == ExitCode.USAGE
    assert "--contact 'call me maybe' is not an email address or an http(s) URL" in result.stderr


# -- failures of the service -------------------------------------------------------------------------------

FAILURES = {
    "429 beyond the allowed wait": (
        [Reply(429, b"", {"Retry-After": "60"})],
        "Wikidata asks to wait 60 s (Retry-After), longer than the 1 s allowed",
    ),
    "503 maxlag twice": (
        [Reply.file("hostile/maxlag.json", 503, **{"Retry-After": "0"})] * 2,
        "gave up after 2 attempts; last: maxlag: Waiting for db1234: 7 seconds lagged.",
    ),
    "malformed JSON": (
        [Reply(200, b'{"head": {"vars": ["item"]}, "results": ')],
        "the answer is not valid JSON",
    ),
    "timeout": ([Reply(200, b"{}", delay=1.0)] * 2, "gave up after 2 attempts; last: no complete answer within 0.3 s"),
    "huge body": ([Reply(200, b" " * 70_000)], "the answer is 70000 bytes, more than the 65536 allowed"),
    "non-Q identifier": (
        [Reply.file("hostile/sparql-not-entity.json")],
        "is not a Wikidata entity IRI; refused",
    ),
}


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_failing_service_ends_clearly_and_changes_nothing(
    replay: ReplayServer, data: Path, tmp_path: Path, failure: str
) -> None:
    replies, message = FAILURES[failure]
    replay.script(*replies)
    before = tree_bytes(data)
    review = tmp_path / "review.csv"
    result = link_wikidata(
        replay, data, "--only", "3064011", "--out", str(review), "--max-wait", "1", "--max-bytes", "65536"
    )
    assert result.exit_code == ExitCode.EXTERNAL, result.output
    assert message in result.stderr
    assert result.stderr.strip().endswith("no review file was written")
    assert len(result.stderr.strip().splitlines()) == 1, "one clear line, no traceback"
    assert not review.exists()
    assert tree_bytes(data) == before


# -- review → apply ----------------------------------------------------------------------------------------


def review_file(tmp_path: Path, lines: list[list[str]], delimiter: str = ",", bom: bool = False) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    writer.writerows(lines)
    path = tmp_path / "review.csv"
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return path


# The first reason `link wikidata` gives a candidate found by an identifier (the link-data organisation's KRS).
FOUND_BY = {"teryt": "P1653 (TERYT) = {key}", "krs": "P999999999 (KRS) = 0000999999"}


def line(decision: str, kind: str, key: str, qid: str, method: str, page_qid: str | None = None) -> list[str]:
    """A review line as `link wikidata` writes it: the page of the QID proposed (``page_qid``, by default the line's
    own QID) and, for an identifier, the reason naming it."""
    proposed = qid if page_qid is None else page_qid
    page = f"https://www.wikidata.org/wiki/{proposed}" if proposed else ""
    reasons = FOUND_BY.get(method, "label 'x' equals our name").format(key=key)
    return [decision, kind, key, "name", qid, "label", "description", method, "", reasons, page]


def apply(review: Path, data: Path, *extra: str) -> Result:
    return run("link", "apply", str(review), "--data", str(data), "--by", REVIEWER, "--date", "2026-11-29", *extra)


def test_apply_writes_only_the_accepted_lines(data: Path, tmp_path: Path) -> None:
    members_before = (data / "members.yaml").read_text(encoding="utf-8")
    organisations_before = (data / "organisations.yaml").read_text(encoding="utf-8")
    review = review_file(tmp_path, [
        line("accept", "member", "3064011", "Q268", "teryt"),
        line("reject", "member", "3099022", "Q999999901", "label"),
        line("", "member", "3099022", "Q999999902", "label"),
        line("accept", "organisation", "stowarzyszenie-fikcyjne", "", "none-found"),
        line("", "organisation", "fundacja-testowa", "Q999999911", "krs"),
    ])  # fmt: skip
    result = apply(review, data)
    assert result.exit_code == 0, result.stderr
    assert "2 links recorded, 0 already recorded, 1 rejected, 2 undecided lines left alone" in result.stderr

    # Exactly one line changed in each file; its comment and every other byte stay.
    expected_members = members_before.replace(
        "  wikidata: null   # left unlinked on purpose: the TERYT lookup finds Q268\n",
        f"  wikidata: {{qid: Q268, method: teryt, by: {REVIEWER}, date: 2026-11-29}} "
        "# left unlinked on purpose: the TERYT lookup finds Q268\n",
    )
    assert (data / "members.yaml").read_text(encoding="utf-8") == expected_members
    expected_organisations = organisations_before.replace(
        "  type: association\n  krs: null\n  wikidata: null\n",
        f"  type: association\n  krs: null\n  wikidata: {{not_found: true, by: {REVIEWER}, date: 2026-11-29}}\n",
    )
    assert (data / "organisations.yaml").read_text(encoding="utf-8") == expected_organisations

    dataset = read_dataset(data)
    assert dataset.members["3064011"].wikidata == WikidataLink("Q268", "teryt", REVIEWER, date(2026, 11, 29))
    assert dataset.members["3099022"].wikidata is None
    assert dataset.organisations["stowarzyszenie-fikcyjne"].wikidata == WikidataLink(
        None, None, REVIEWER, date(2026, 11, 29)
    )
    assert dataset.organisations["fundacja-testowa"].wikidata is None


def test_applying_the_same_review_twice_changes_nothing_more(data: Path, tmp_path: Path) -> None:
    review = review_file(tmp_path, [line("accept", "member", "3064011", "Q268", "teryt")])
    assert apply(review, data).exit_code == 0
    after_first = tree_bytes(data)
    second = apply(review, data)
    assert second.exit_code == 0, second.stderr
    assert "0 links recorded, 1 already recorded" in second.stderr
    assert tree_bytes(data) == after_first


def test_a_review_without_decisions_leaves_the_files_byte_identical(data: Path, tmp_path: Path) -> None:
    before = tree_bytes(data)
    review = review_file(tmp_path, [line("", "member", "3064011", "Q268", "teryt")])
    assert apply(review, data).exit_code == 0
    assert tree_bytes(data) == before


def test_a_spreadsheet_saved_with_semicolons_and_bom_is_read(data: Path, tmp_path: Path) -> None:
    review = review_file(tmp_path, [line("accept", "member", "3064011", "Q268", "teryt")], delimiter=";", bom=True)
    result = apply(review, data)
    assert result.exit_code == 0, result.stderr
    assert read_dataset(data).members["3064011"].wikidata == WikidataLink("Q268", "teryt", REVIEWER, date(2026, 11, 29))


REFUSED = {
    "unknown decision": ([line("yes", "member", "3064011", "Q268", "teryt")], "review.csv:2: decision: 'yes'"),
    "not a QID": ([line("accept", "member", "3064011", "268", "teryt")], "review.csv:2: qid: '268' is not"),
    "property id": ([line("accept", "member", "3064011", "P1653", "teryt")], "review.csv:2: qid: 'P1653' is not"),
    "unknown key": ([line("accept", "member", "3099099", "Q268", "teryt")], "review.csv:2: key: '3099099' is not"),
    "accepted twice": (
        [line("accept", "member", "3099022", "Q999999901", "label"),
         line("accept", "member", "3099022", "Q999999902", "label")],
        "review.csv:3: decision: member 3099022 is accepted twice (also on line 2)",
    ),
    "unknown method": ([line("accept", "member", "3064011", "Q268", "guess")], "review.csv:2: method: 'guess'"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_bad_review_is_refused_and_changes_nothing(data: Path, tmp_path: Path, case: str) -> None:
    lines, message = REFUSED[case]
    before = tree_bytes(data)
    result = apply(review_file(tmp_path, lines), data)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr
    assert tree_bytes(data) == before


def test_a_different_existing_link_is_not_overwritten(data: Path, tmp_path: Path) -> None:
    assert apply(review_file(tmp_path, [line("accept", "member", "3064011", "Q268", "teryt")]), data).exit_code == 0
    before = tree_bytes(data)
    result = apply(review_file(tmp_path, [line("accept", "member", "3064011", "Q999999901", "label")]), data)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "member 3064011 already records Q268" in result.stderr
    assert tree_bytes(data) == before


@pytest.mark.parametrize("epoch", [None, "1795910400"], ids=["", "SOURCE_DATE_EPOCH set"])
def test_apply_needs_a_date_and_never_takes_it_from_the_clock_or_the_build(
    data: Path, tmp_path: Path, epoch: str | None
) -> None:
    """`date` is the day a person checked the link: a build timestamp is no such day."""
    review = review_file(tmp_path, [line("accept", "member", "3064011", "Q268", "teryt")])
    before = tree_bytes(data)
    env = {"SOURCE_DATE_EPOCH": epoch} if epoch else None
    result = run("link", "apply", str(review), "--data", str(data), "--by", REVIEWER, env=env)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        "Error: give --date YYYY-MM-DD, the day of the review: it is recorded with every link as the day it was "
        "checked, and civicgraph takes it from neither the clock nor SOURCE_DATE_EPOCH\n"
    )
    assert tree_bytes(data) == before


def test_links_applied_in_one_run_share_no_yaml_anchor(data: Path, tmp_path: Path) -> None:
    """One date object for every link was written `date: &id001 2026-11-29` … `date: *id001`: editing one date
    changed the other, and replacing the anchored link by null (as for a wrong link) broke the file."""
    review = review_file(tmp_path, [
        line("accept", "member", "3064011", "Q268", "teryt"),
        line("accept", "member", "3099022", "Q999999901", "label"),
    ])  # fmt: skip
    result = apply(review, data)
    assert result.exit_code == 0, result.stderr
    members = (data / "members.yaml").read_text(encoding="utf-8")
    assert "&" not in members and "*" not in members
    assert members.count("date: 2026-11-29}") == 2
    edited = members.replace(
        f"{{qid: Q268, method: teryt, by: {REVIEWER}, date: 2026-11-29}}",
        f"{{qid: Q268, method: teryt, by: {REVIEWER}, date: 2026-12-01}}",
    )
    (data / "members.yaml").write_text(edited, encoding="utf-8")
    dataset = read_dataset(data)
    assert dataset.members["3064011"].wikidata == WikidataLink("Q268", "teryt", REVIEWER, date(2026, 12, 1))
    assert dataset.members["3099022"].wikidata == WikidataLink("Q999999901", "label", REVIEWER, date(2026, 11, 29))
    unlinked = edited.replace(
        f"wikidata: {{qid: Q268, method: teryt, by: {REVIEWER}, date: 2026-12-01}}", "wikidata: null"
    )
    (data / "members.yaml").write_text(unlinked, encoding="utf-8")
    dataset = read_dataset(data)
    assert dataset.members["3064011"].wikidata is None
    assert dataset.members["3099022"].wikidata == WikidataLink("Q999999901", "label", REVIEWER, date(2026, 11, 29))


MANUAL = "; for a QID chosen by hand write method manual"
NOT_PROPOSED = {
    "QID changed, TERYT kept": (
        line("accept", "member", "3064011", "Q999999901", "teryt", page_qid="Q268"),
        "method: teryt: the review proposed this line for Q268 (wikidata_page), not Q999999901" + MANUAL,
    ),
    "QID changed, label kept": (
        line("accept", "member", "3099022", "Q999999909", "label", page_qid="Q999999901"),
        "method: label: the review proposed this line for Q999999901 (wikidata_page), not Q999999909" + MANUAL,
    ),
    "QID written into a none-found line": (
        line("accept", "organisation", "stowarzyszenie-fikcyjne", "Q999999909", "label", page_qid=""),
        "method: label: the review proposed this line for another item (wikidata_page), not Q999999909" + MANUAL,
    ),
    "label raised to TERYT": (
        [*line("accept", "member", "3099022", "Q999999901", "label")[:7], "teryt",
         *line("accept", "member", "3099022", "Q999999901", "label")[8:]],
        "method: teryt: the review found Q999999901 by label (reasons), not by teryt" + MANUAL,
    ),
    "TERYT line copied to another member": (
        [*line("accept", "member", "3064011", "Q268", "teryt")[:2], "3099022",
         *line("accept", "member", "3064011", "Q268", "teryt")[3:]],
        "method: teryt: the review found Q268 by TERYT 3064011 (reasons), but member 3099022 has 3099022" + MANUAL,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_PROPOSED, ids=list(NOT_PROPOSED))
def test_a_method_the_review_did_not_propose_for_the_qid_is_refused(data: Path, tmp_path: Path, case: str) -> None:
    """The graph publishes the method (cg:matchMethod): "verified by TERYT" for a QID nobody looked up by TERYT
    would be false."""
    row, message = NOT_PROPOSED[case]
    review = review_file(tmp_path, [row])
    before = tree_bytes(data)
    result = apply(review, data)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.splitlines() == [
        f"{review}:2: {message}",
        "Error: 1 problem in the source data; nothing was written",
    ]
    assert tree_bytes(data) == before


def test_a_qid_chosen_by_hand_is_recorded_as_manual(data: Path, tmp_path: Path) -> None:
    review = review_file(tmp_path, [line("accept", "member", "3064011", "Q999999901", "manual", page_qid="Q268")])
    result = apply(review, data)
    assert result.exit_code == 0, result.stderr
    assert read_dataset(data).members["3064011"].wikidata == WikidataLink(
        "Q999999901", "manual", REVIEWER, date(2026, 11, 29)
    )


def test_a_synthetic_data_folder_is_refused_before_any_request(replay: ReplayServer, tmp_path: Path) -> None:
    """`civicgraph synth` writes real-looking TERYT codes (Poznań's 3064011) under invented names."""
    synthetic = tmp_path / "synthetic"
    made = run("synth", "--out", str(synthetic), "--members", "20")
    assert made.exit_code == 0, made.stderr
    before = tree_bytes(synthetic)
    result = link_wikidata(replay, synthetic)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        f"Error: --data {synthetic}: is a synthetic data folder (it holds SYNTHETIC.md, written by `civicgraph "
        "synth`); its names are invented and its TERYT codes look real, so Wikidata would offer real items; nothing "
        "was searched\n"
    )
    assert replay.received == []
    assert tree_bytes(synthetic) == before


def test_the_whole_cycle_links_poznan_and_the_graph_says_so(replay: ReplayServer, data: Path, tmp_path: Path) -> None:
    from rdflib import URIRef

    from civicgraph.graph.build import build_graph

    review = tmp_path / "review.csv"
    assert link_wikidata(replay, data, "--only", "3064011", "--out", str(review)).exit_code == 0
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("\n,member,3064011,", "\naccept,member,3064011,"), encoding="utf-8")
    assert apply(review, data).exit_code == 0
    graph = build_graph(read_dataset(data)).graph
    poznan = URIRef("https://w3id.org/civicgraph/id/member/3064011")
    assert set(graph.objects(poznan, URIRef("http://schema.org/sameAs"))) == {
        URIRef("http://www.wikidata.org/entity/Q268")
    }


def test_a_review_saved_in_a_polish_spreadsheets_encoding_is_refused_at_its_line(data: Path, tmp_path: Path) -> None:
    """cp1250 (a Polish spreadsheet's CSV) is not guessed: the file and the line of the first byte that is not UTF-8
    are named, with what to do; nothing is written."""
    text = (
        review_file(
            tmp_path,
            [
                line("accept", "member", "3064011", "Q268", "teryt"),
                line("", "organisation", "stowarzyszenie-fikcyjne", "", "none-found"),
            ],
        )
        .read_text(encoding="utf-8")
        .replace("stowarzyszenie-fikcyjne,name", "stowarzyszenie-fikcyjne,Związek")
    )
    review = tmp_path / "review.csv"
    review.write_bytes(text.encode("cp1250"))  # "ą" is the byte 0xb9 in cp1250, an invalid start byte in UTF-8
    before = tree_bytes(data)
    result = apply(review, data)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.splitlines() == [
        f"{review}:3: the file is not UTF-8 text (byte 0xb9; a spreadsheet's Polish encoding, cp1250, say); "
        'save it as UTF-8 ("CSV UTF-8" in a spreadsheet)',
        "Error: 1 problem in the source data; nothing was written",
    ]
    assert tree_bytes(data) == before


def test_the_line_of_a_bad_byte_counts_from_the_first_line_whatever_the_byte_order_mark(
    data: Path, tmp_path: Path
) -> None:
    review = review_file(tmp_path, [line("accept", "member", "3064011", "Q268", "teryt")], bom=True)
    saved = review.read_bytes()
    assert saved.startswith(b"\xef\xbb\xbf") and saved.count(b",label,") == 1  # once: on line 2
    review.write_bytes(saved.replace(b",label,", b",label\xb9,"))
    result = apply(review, data)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.startswith(f"{review}:2: the file is not UTF-8 text (byte 0xb9;")
