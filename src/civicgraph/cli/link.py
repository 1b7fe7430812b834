"""``civicgraph link wikidata|apply`` and ``civicgraph export quickstatements``.

``link wikidata`` only reads the data and writes a review file; ``link apply`` is the only command that changes
``data/`` and only for lines a person accepted; ``export quickstatements`` writes text a person may run in the
QuickStatements tool. None of them edits Wikidata.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from civicgraph.cli.common import DATA_OPTION, CivicgraphError, handle_errors
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset, Report
from civicgraph.util.errors import ExitCode, Failure, Message

F = Callable[..., Any]


def _data(data_dir: Path) -> Dataset:
    if not data_dir.is_dir():
        raise CivicgraphError(f"{data_dir}: no such data folder (give one with --data)", ExitCode.USAGE)
    return read_dataset(data_dir)


def _refuse_synthetic(data_dir: Path) -> None:
    """Refuse (exit 2) a data folder written by ``civicgraph synth``, which it marks with its notice file: its TERYT
    codes are shaped like real ones (3064011 is Poznań's) under invented names, so Wikidata would offer real items,
    proven by TERYT, for members that do not exist."""
    from civicgraph.source.synthetic import NOTICE_FILE

    if not (data_dir / NOTICE_FILE).exists():
        return
    raise Failure(
        Message(
            f"--data {data_dir}: to syntetyczny folder danych (ma plik {NOTICE_FILE}, zapisany przez "
            "`civicgraph synth`); jego nazwy są zmyślone, a kody TERYT wyglądają jak prawdziwe, więc Wikidane "
            "podsunęłyby prawdziwe elementy; niczego nie wyszukano",
            f"--data {data_dir}: is a synthetic data folder (it holds {NOTICE_FILE}, written by `civicgraph synth`); "
            "its names are invented and its TERYT codes look real, so Wikidata would offer real items; nothing was "
            "searched",
        ),
        ExitCode.USAGE,
    )


def _refuse_early_retrieval(retrieved: date, cited: tuple[Report, ...]) -> None:
    """Refuse (exit 2) a retrieval day before a cited report can have existed: a report on 2023 is retrieved from
    2024-01-01 on. The latest such report is named."""
    from civicgraph.wikidata.quickstatements import first_retrieval_day

    too_early = [r for r in cited if retrieved < first_retrieval_day(r)]
    if not too_early:
        return
    report = max(too_early, key=lambda r: (r.year, r.member))
    first = first_retrieval_day(report).isoformat()
    raise Failure(
        Message(
            f"--retrieved {retrieved.isoformat()}: raport {report.member} za {report.year} nie mógł zostać pobrany "
            f"przed {first}; podaj dzień, w którym pobrano raporty; niczego nie zapisano",
            f"--retrieved {retrieved.isoformat()}: the report of {report.member} on {report.year} cannot have been "
            f"retrieved before {first}; give the day the reports were retrieved; nothing was written",
        ),
        ExitCode.USAGE,
    )


def _refuse_overwrite(out: Path | None, force: bool, option: str, earlier: Callable[[str], str | None]) -> None:
    """Refuse (exit 2) to replace ``out`` unless it is absent, or ``earlier`` recognises it as an output of this
    command that may be replaced (returning None), or ``--force`` was given; a folder or device is never replaced.

    ``earlier(text)`` says why the file may not be replaced, or None when it may.
    """
    if out is None or not (out.exists() or out.is_symlink()):
        return
    if not out.is_file():
        raise CivicgraphError(f"{option} {out}: exists and is not a regular file; give a file name", ExitCode.USAGE)
    if force:
        return
    try:
        why = earlier(out.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        why = "is not a text file this command wrote"
    if why is not None:
        raise CivicgraphError(
            f"{option} {out}: exists and {why}; nothing was written (give another {option}, or --force to replace it)",
            ExitCode.USAGE,
        )


def _refuse_same_file(out: Path | None, skipped: Path | None) -> None:
    """Refuse (exit 2) ``--out`` and ``--skipped`` naming one file, before anything is written: each is checked
    alone, and the second write would replace the first (the statements lost, the skipped list left in their place).
    One file under two paths (a symbolic or a hard link) is one file too; ``--force`` does not change that."""
    if out is None or skipped is None:
        return
    if out.resolve() != skipped.resolve() and not _same_existing_file(out, skipped):
        return
    raise Failure(
        Message(
            f"--out {out} i --skipped {skipped} wskazują ten sam plik; niczego nie zapisano "
            "(podaj w --skipped inny plik)",
            f"--out {out} and --skipped {skipped} name the same file; nothing was written "
            "(give --skipped another file)",
        ),
        ExitCode.USAGE,
    )


def _same_existing_file(first: Path, second: Path) -> bool:
    """Whether both paths exist and are the same file (device and inode)."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet)
        return False


def _not_a_review(text: str) -> str | None:
    """None for an earlier review file with no decision written in it."""
    from civicgraph.wikidata.link import REVIEW_COLUMNS

    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != REVIEW_COLUMNS:
        return "is not a review file of `civicgraph link wikidata` (its first line is not the review header)"
    decided = sum(1 for row in rows[1:] if row and row[0].strip())
    if decided:
        return f"holds {decided} decision{'s' if decided != 1 else ''} a person wrote, which would be lost"
    return None


_QUICKSTATEMENT = re.compile(r"Q[1-9][0-9]*\tP463\tQ[1-9][0-9]*(\t[^\n]*)?")


def _not_quickstatements(text: str) -> str | None:
    """None for an earlier export: every line a "member of" (P463) QuickStatements command."""
    if all(_QUICKSTATEMENT.fullmatch(line) for line in text.splitlines()):
        return None
    return "is not an earlier export of `civicgraph export quickstatements` (not every line is a P463 command)"


def _not_skipped_list(text: str) -> str | None:
    if text.splitlines()[:1] == ["member,organisation,year,reason"]:
        return None
    return "is not an earlier list of skipped memberships (its first line is not member,organisation,year,reason)"


def _write_text(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


# -- link ---------------------------------------------------------------------------------------------------


@click.group()
def link() -> None:
    """Link members and organisations to Wikidata, with a person reviewing every link."""


def _client_options(command: F) -> F:
    """The options of the Wikidata client; each also read from a CIVICGRAPH_WIKIDATA_… environment variable."""
    from civicgraph.wikidata.client import API_URL, SPARQL_URL, ClientSettings

    defaults = ClientSettings()
    options = [
        click.option("--contact", envvar="CIVICGRAPH_WIKIDATA_CONTACT",
                     help="Your email address or a URL, sent in the User-Agent as Wikimedia asks; "
                          "required unless every answer is cached."),
        click.option("--offline", is_flag=True, help="Use only cached answers; say which one is missing."),
        click.option("--refresh", is_flag=True, help="Ask Wikidata again even when an answer is cached."),
        click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=defaults.cache_dir, show_default=True, envvar="CIVICGRAPH_WIKIDATA_CACHE",
                     help="Folder of cached answers."),
        click.option("--api-url", default=API_URL, show_default=True, envvar="CIVICGRAPH_WIKIDATA_API_URL"),
        click.option("--sparql-url", default=SPARQL_URL, show_default=True, envvar="CIVICGRAPH_WIKIDATA_SPARQL_URL"),
        click.option("--krs-property", envvar="CIVICGRAPH_WIKIDATA_KRS_PROPERTY",
                     help="The Wikidata property holding KRS numbers (P…); without it KRS numbers are not looked up."),
        click.option("--min-interval", type=click.FloatRange(min=0), default=defaults.min_interval,
                     show_default=True, envvar="CIVICGRAPH_WIKIDATA_MIN_INTERVAL",
                     help="Seconds between two requests."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=defaults.timeout,
                     show_default=True, envvar="CIVICGRAPH_WIKIDATA_TIMEOUT", help="Seconds to wait for an answer."),
        click.option("--max-attempts", type=click.IntRange(min=1), default=defaults.max_attempts,
                     show_default=True, envvar="CIVICGRAPH_WIKIDATA_MAX_ATTEMPTS", help="Tries per request."),
        click.option("--backoff", type=click.FloatRange(min=0), default=defaults.backoff, show_default=True,
                     envvar="CIVICGRAPH_WIKIDATA_BACKOFF",
                     help="First wait in seconds before a retry without Retry-After; doubles each time."),
        click.option("--max-wait", type=click.FloatRange(min=0), default=defaults.max_wait, show_default=True,
                     envvar="CIVICGRAPH_WIKIDATA_MAX_WAIT",
                     help="Longest single wait in seconds; a longer Retry-After stops the run."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=defaults.max_bytes, show_default=True,
                     envvar="CIVICGRAPH_WIKIDATA_MAX_BYTES", help="Largest answer accepted."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@link.command("wikidata")
@DATA_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the review file here (CSV) instead of to stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing review file (decisions in it are lost).")
@click.option(
    "--only",
    "only_keys",
    multiple=True,
    metavar="KEY",
    help="Only this TERYT code or organisation key (repeatable).",
)
@_client_options
@handle_errors
def link_wikidata(data_dir: Path, out: Path | None, force: bool, only_keys: tuple[str, ...], **client: Any) -> None:
    """Find Wikidata candidates for every member and organisation without a link; write a review CSV.

    A person then writes accept or reject in the first column of each line and runs `civicgraph link apply`.
    Nothing in the data changes here.
    """  # fmt: skip
    from civicgraph.wikidata.client import CONTACT, PID, ClientSettings, WikidataClient, WikidataError, find_candidates
    from civicgraph.wikidata.link import lookup_for, review_rows, score_candidates, targets, write_review

    _refuse_overwrite(out, force, "--out", _not_a_review)
    _refuse_synthetic(data_dir)
    for option in ("api_url", "sparql_url"):
        if not _is_http_url(client[option]):
            raise CivicgraphError(
                f"--{option.replace('_', '-')} {client[option]!r}: give an http(s) URL", ExitCode.USAGE
            )
    if not math.isfinite(client["timeout"]):
        raise CivicgraphError(f"--timeout {client['timeout']:g}: give a number of seconds above 0", ExitCode.USAGE)
    krs_property = client.pop("krs_property")
    if krs_property is not None and not PID.fullmatch(krs_property):
        raise CivicgraphError(f"--krs-property {krs_property!r} is not a property identifier (P…)", ExitCode.USAGE)
    settings = ClientSettings(**client)
    if settings.contact is not None and not CONTACT.fullmatch(settings.contact):
        raise CivicgraphError(
            f"--contact {settings.contact!r} is not an email address or an http(s) URL", ExitCode.USAGE
        )
    if not settings.offline and not settings.contact:
        raise CivicgraphError(
            "Wikimedia asks API clients to say who they are: give --contact (your email address or a URL where "
            "you can be reached) or set CIVICGRAPH_WIKIDATA_CONTACT; or use --offline with a filled cache",
            ExitCode.USAGE,
        )
    dataset = _data(data_dir)
    wanted = [t for t in targets(dataset, krs_property) if not only_keys or t.key in only_keys]
    rows = []
    try:
        with WikidataClient(settings) as wikidata:
            for target in wanted:
                scored = score_candidates(target, find_candidates(wikidata, lookup_for(target)))
                rows.extend(review_rows(target, scored))
            requests = wikidata.network_requests
    except WikidataError as error:
        raise CivicgraphError(f"Wikidata: {error}; no review file was written", ExitCode.EXTERNAL) from None
    _write_text(write_review(rows), out)
    none_found = sum(1 for row in rows if not row.qid)
    click.echo(
        f"{len(wanted)} to link, {len(rows) - none_found} candidate lines, {none_found} with no candidate; "
        f"{requests} requests to Wikidata" + (f"; review {out}" if out else ""),
        err=True,
    )


@link.command("apply")
@click.argument("review", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@DATA_OPTION
@click.option("--by", "reviewer", required=True, help="Who reviewed the file (recorded as the link's `by`).")
@click.option(
    "--date",
    "reviewed",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day of the review (required; never taken from the clock or SOURCE_DATE_EPOCH).",
)
@handle_errors
def link_apply(review: Path, data_dir: Path, reviewer: str, reviewed: datetime | None) -> None:
    """Write the links accepted in REVIEW into members.yaml / organisations.yaml, with their provenance."""
    from civicgraph.wikidata.link import ACCEPT, REJECT, apply_review, read_review

    if not reviewer.strip():
        raise CivicgraphError("--by must name who reviewed the links", ExitCode.USAGE)
    if reviewed is None:
        raise Failure(
            Message(
                "podaj --date RRRR-MM-DD, dzień przeglądu: zapisuje się go przy każdym powiązaniu jako dzień "
                "sprawdzenia, a civicgraph nie bierze go z zegara ani z SOURCE_DATE_EPOCH",
                "give --date YYYY-MM-DD, the day of the review: it is recorded with every link as the day it was "
                "checked, and civicgraph takes it from neither the clock nor SOURCE_DATE_EPOCH",
            ),
            ExitCode.USAGE,
        )
    on = reviewed.date()
    dataset = _data(data_dir)
    rows = read_review(review)
    applied = apply_review(data_dir, rows, dataset, reviewer.strip(), on, review)
    for row in applied.written:
        click.echo(f"recorded {row.kind} {row.key}: {row.qid or 'no item found'} ({row.method})", err=True)
    rejected = sum(1 for row in rows if row.decision == REJECT)
    undecided = sum(1 for row in rows if row.decision not in (ACCEPT, REJECT))
    click.echo(
        f"{len(applied.written)} links recorded, {len(applied.already)} already recorded, "
        f"{rejected} rejected, {undecided} undecided lines left alone",
        err=True,
    )


# -- export -------------------------------------------------------------------------------------------------


@click.group()
def export() -> None:
    """Export the graph's facts in other tools' formats."""


@export.command("quickstatements")
@DATA_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option(
    "--skipped",
    "skipped_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also list the memberships that could not be exported in this CSV file.",
)
@click.option("--force", is_flag=True, help="Replace --out and --skipped files whatever they hold.")
@click.option(
    "--retrieved",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day you retrieved the reports, cited as S813; without it the lines cite the report's URL alone.",
)
@handle_errors
def export_quickstatements_command(
    data_dir: Path, out: Path | None, skipped_file: Path | None, force: bool, retrieved: datetime | None
) -> None:
    """QuickStatements v1 commands adding "member of" (P463) from each linked member to each linked organisation.

    One line per membership, from its latest report. Memberships whose member or organisation has no Wikidata QID,
    and earlier reports of a membership, are listed on stderr, not dropped silently.
    """  # fmt: skip
    from civicgraph.wikidata.quickstatements import export_quickstatements, skipped_csv

    _refuse_same_file(out, skipped_file)
    _refuse_overwrite(out, force, "--out", _not_quickstatements)
    _refuse_overwrite(skipped_file, force, "--skipped", _not_skipped_list)
    day = retrieved.date() if retrieved is not None else None
    result = export_quickstatements(_data(data_dir), day)
    if day is not None:
        _refuse_early_retrieval(day, result.cited)
    _write_text(result.text(), out)
    if skipped_file is not None:
        skipped_file.write_text(skipped_csv(result.skipped), encoding="utf-8")
    for entry in result.skipped:
        click.echo(f"skipped {entry.member} → {entry.organisation} ({entry.year}): {entry.reason}", err=True)
    if day is None and result.lines:
        click.echo("no --retrieved: the lines cite each report by its URL (S854) alone, without S813", err=True)
    click.echo(f"{len(result.lines)} statements, {len(result.skipped)} memberships skipped", err=True)


def _is_http_url(url: str) -> bool:
    """Whether httpx can send a request to ``url`` (an unparseable one raised httpx.InvalidURL mid-run)."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    host_ok = re.fullmatch(r"[A-Za-z0-9.\-]+|[0-9A-Fa-f:.]+", parsed.host) is not None  # a name or an IP address
    return parsed.scheme in ("http", "https") and host_ok
