"""``civicgraph draft TEXT --member TERYT --year YEAR``: a report's data drafted from its text, for a person to
review (docs/drafting.md)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from civicgraph.cli.common import DATA_OPTION, CivicgraphError, handle_errors
from civicgraph.draft.files import NotUtf8, ReportExists, draft_text, write_draft
from civicgraph.draft.model import Draft, Sureness
from civicgraph.draft.render import render_report
from civicgraph.util.errors import ExitCode

TERYT = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{3})?)?")


@click.command()
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--member", required=True, help="TERYT code of the reporting local government (2, 4 or 7 digits).")
@click.option("--year", type=click.IntRange(1900, 2199), required=True, help="The year the report is about.")
@DATA_OPTION
@click.option("--url", default=None, help="Web address of the report's section, for SOURCE.md and report.yaml.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the drafted report.yaml; write nothing.")
@click.option("--force", is_flag=True, help="Replace an existing report.yaml (a reviewed one is kept aside).")
@handle_errors
def draft(
    text_file: Path, member: str, year: int, data_dir: Path, url: str | None, to_stdout: bool, force: bool
) -> None:
    """Draft DATA/reports/{MEMBER}/{YEAR}/ from a report's text: source.txt (the text byte for byte),
    SOURCE.md and report.yaml with `status: draft`, which the build refuses until a person has reviewed it.

    Organisations the text names that organisations.yaml lacks are appended to it, marked `status: draft`.
    Every drafted fact quotes the text and says how it was found and how sure the draft is."""
    if not TERYT.fullmatch(member):
        raise click.BadParameter(f"{member!r} is not a TERYT code (2, 4 or 7 digits)", param_hint="--member")
    if not data_dir.is_dir():
        raise CivicgraphError(f"{data_dir}: no such data folder (give one with --data)", ExitCode.USAGE)
    raw = text_file.read_bytes()
    try:
        if to_stdout:
            click.echo(render_report(draft_text(raw, member, year, data_dir), url), nl=False)
            return
        written = write_draft(raw, member, year, data_dir, url, force)
    except NotUtf8 as error:
        raise CivicgraphError(f"{text_file}: {error}", ExitCode.BAD_INPUT) from None
    except ReportExists as error:
        raise CivicgraphError(str(error), ExitCode.USAGE) from None
    click.echo(f"drafted {written.folder / 'report.yaml'}: {_summary(written.draft)}", err=True)
    if written.draft.count_note:
        click.echo(f"  {written.draft.count_note}", err=True)
    if written.proposed:
        click.echo(f"  proposed in organisations.yaml (status: draft): {', '.join(written.proposed)}", err=True)
    if written.kept is not None:
        click.echo(f"  the reviewed report it replaced is kept as {written.kept}", err=True)
    if written.kept_text is not None:
        click.echo(f"  the other text it replaced is kept as {written.kept_text}", err=True)
    if written.unknown_member:
        click.echo(f"  {member} is not in members.yaml yet: add it before validating", err=True)
    click.echo("  review it (docs/drafting.md), remove `status: draft`, then run `civicgraph validate`", err=True)


def _summary(drafted: Draft) -> str:
    figures = len(drafted.figures) + sum(len(a.figures) for a in drafted.activities)
    participants = sum(len(a.participants) for a in drafted.activities)
    notes = [m.note for m in drafted.memberships] + [a.note for a in drafted.activities]
    notes += [f.note for f in drafted.figures] + [f.note for a in drafted.activities for f in a.figures]
    notes += [p.note for a in drafted.activities for p in a.participants]
    to_check = sum(1 for note in notes if note.sureness is Sureness.CHECK)
    return (
        f"{len(drafted.memberships)} memberships ({len(drafted.proposed)} proposed), {figures} figures, "
        f"{len(drafted.activities)} activities, {participants} participants; {to_check} marked `check`"
    )
