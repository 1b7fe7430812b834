"""``civicgraph synth``: write a synthetic national data folder (benchmarks, scale tests). Never real facts."""

from __future__ import annotations

import re
from pathlib import Path

import click

from civicgraph.cli.common import CivicgraphError, handle_errors
from civicgraph.source.synthetic import NATIONAL_SIZE, SYNTHETIC_BASE_IRI, SYNTHETIC_FOLDER, generate, write_dataset
from civicgraph.util.errors import ExitCode
from civicgraph.util.folders import check_replaceable, files_below, replacing


def _years(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        years = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of years, e.g. 2021,2022,2023") from None
    if len(set(years)) != len(years) or any(not 1990 <= year <= 2100 for year in years):
        raise click.BadParameter(f"{value!r}: give distinct years between 1990 and 2100")
    return years


def _base_iri(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+/", value):
        raise click.BadParameter(f"{value!r} is not an http(s) IRI ending with '/'")
    return value


def _check_target(out: Path, force: bool) -> None:
    """Only a new, empty, or earlier synthetic folder may be written, the latter with --force; never real data."""
    check_replaceable(out, SYNTHETIC_FOLDER)
    regular, _others = files_below(out) if out.is_dir() else ([], [])
    if regular and not force:
        raise CivicgraphError(f"{out} holds an earlier synthetic dataset; add --force to replace it", ExitCode.USAGE)


@click.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the data folder into (new or empty; --force replaces an earlier synthetic one).",
)
@click.option(
    "--members",
    type=click.IntRange(1, NATIONAL_SIZE),
    default=NATIONAL_SIZE,
    show_default=True,
    help=f"Number of local governments; {NATIONAL_SIZE} is every voivodeship, county and commune.",
)
@click.option(
    "--years",
    default="2023",
    show_default=True,
    callback=_years,
    help="Comma-separated report years; each member gets one report per year.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--base-iri",
    default=SYNTHETIC_BASE_IRI,
    show_default=True,
    callback=_base_iri,
    help="Base IRI of the synthetic graph (kept apart from published data on purpose).",
)
@click.option("--force", is_flag=True, help="Replace OUT when it holds an earlier synthetic dataset.")
@handle_errors
def synth(out_dir: Path, members: int, years: tuple[int, ...], seed: int, base_iri: str, force: bool) -> None:
    """Write a synthetic national dataset (invented names and numbers, realistic shape) into OUT."""
    _check_target(out_dir, force)
    dataset = generate(members, years, seed, base_iri)
    with replacing(out_dir, SYNTHETIC_FOLDER) as staging:
        files = write_dataset(dataset, staging)
    click.echo(
        f"wrote {out_dir}: {len(dataset.members)} members, {len(dataset.organisations)} organisations, "
        f"{len(dataset.reports)} reports ({','.join(map(str, dataset.years))}), {files} files; synthetic, not facts",
        err=True,
    )
