"""``civicgraph diff OLD NEW``: what changed between two release folders, by IRI."""

from __future__ import annotations

import json
from pathlib import Path

import click

from civicgraph.cli.common import LANG_OPTION, handle_errors
from civicgraph.publish.diff import as_json, as_text, diff_releases

_RELEASE_FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command()
@click.argument("old", type=_RELEASE_FOLDER)
@click.argument("new", type=_RELEASE_FOLDER)
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
def diff(old: Path, new: Path, output_format: str, lang: str) -> None:
    """Compare two releases (folders written by `civicgraph build`) by IRI.

    Reports memberships joined and left, activities added and removed, figures whose value, hedge or unit
    changed, and reports added or removed (a removed report's datasets would be deleted from dane.gov.pl).
    Exits 0 whether or not something changed.
    """
    result = diff_releases(old, new, lang)
    if output_format == "json":
        click.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(as_text(result, old, new, lang), nl=False)
