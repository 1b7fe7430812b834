"""``civicgraph diff [OLD] NEW``: what changed, report by report — between two releases, or between each member's
consecutive years in one release."""

from __future__ import annotations

import json
from pathlib import Path

import click

from civicgraph.cli.common import LANG_OPTION, handle_errors
from civicgraph.publish.diff import as_json, as_text, diff_releases, diff_years

_RELEASE_FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command()
@click.argument("folders", nargs=-1, required=True, type=_RELEASE_FOLDER, metavar="[OLD] NEW")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
@LANG_OPTION
@handle_errors
def diff(folders: tuple[Path, ...], output_format: str, lang: str) -> None:
    """Compare reports, each member-year by itself (folders written by `civicgraph build`).

    With two releases OLD and NEW: each report of NEW against the same member-year in OLD, and the reports added
    or removed (a removed report's datasets would be deleted from dane.gov.pl). With one release: each member's
    report against the same member's previous year. Lists memberships joined and left, activities added and
    removed, figures whose value, hedge or unit changed (a figure is matched by its key in the data), and figures
    added or removed. Exits 0 whether or not something changed.
    """
    if len(folders) > 2:
        raise click.UsageError("give one release (its years compared) or two (OLD and NEW)")
    if len(folders) == 2:
        old, new = folders
        result = diff_releases(old, new, lang)
    else:
        old = new = folders[0]
        result = diff_years(new, lang)
    if output_format == "json":
        click.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(as_text(result, old, new, lang), nl=False)
