"""``civicgraph load``: the release into a triple store, through the Graph Store HTTP Protocol."""

from __future__ import annotations

import math
from pathlib import Path

import click

from civicgraph.cli.common import DATA_OPTION, CivicgraphError, handle_errors
from civicgraph.util.errors import ExitCode


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store HTTP Protocol endpoint, e.g. http://localhost:7878/store (Oxigraph) or "
    "http://localhost:3030/civicgraph/data (Fuseki).",
)
@click.option(
    "--dist",
    "dist_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="The release folder `civicgraph build` wrote.",
)
@DATA_OPTION
@click.option(
    "--edition",
    help="Name of this edition of the dataset; its named graph is {base_iri}graph/{edition}. "
    "Default: the edition dist/release.json records, else 'latest'.",
)
@click.option("--graph", "graph_iri", metavar="IRI", help="Named graph to replace (overrides --edition).")
@click.option(
    "--timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds each request to the store may take as a whole (sending, waiting, reading).",
)
@handle_errors
def load(
    endpoint: str, dist_dir: Path, data_dir: Path, edition: str | None, graph_iri: str | None, timeout: float
) -> None:
    """Replace a named graph of a triple store with the built graph (and the catalogue, if built).

    Prints the named graphs written, one per line, on stdout.
    """
    from civicgraph.source.reader import read_settings
    from civicgraph.sparql.library import is_http_url, masked_url
    from civicgraph.sparql.store import EDITION, ReleaseError, StoreError, load_release, release_edition, release_files
    from civicgraph.sparql.store import graph_iri as edition_graph

    if not is_http_url(endpoint):
        raise CivicgraphError(f"--endpoint {masked_url(endpoint)!r}: give an http(s) URL", ExitCode.USAGE)
    if not math.isfinite(timeout) or timeout <= 0:
        raise CivicgraphError(f"--timeout {timeout:g}: give a number of seconds above 0", ExitCode.USAGE)
    if edition is not None and not EDITION.fullmatch(edition):  # usage first, whatever is in --dist
        raise CivicgraphError(f"edition {edition!r}: use letters, digits, '.', '_' and '-'", ExitCode.USAGE)
    try:
        release_files(dist_dir)  # first: "no release here" is the most useful message when it applies
    except ReleaseError as error:
        raise CivicgraphError(str(error), ExitCode.BAD_INPUT) from None
    if graph_iri is None:
        recorded_edition, recorded_base = release_edition(dist_dir)
        base = recorded_base or read_settings(data_dir).base_iri
        try:
            graph_iri = edition_graph(base, edition or recorded_edition or "latest")
        except ValueError as error:
            raise CivicgraphError(str(error), ExitCode.USAGE) from None
    try:
        loaded = load_release(endpoint, dist_dir, graph_iri, timeout=timeout)
    except ReleaseError as error:
        raise CivicgraphError(str(error), ExitCode.BAD_INPUT) from None
    except StoreError as error:
        raise CivicgraphError(str(error), ExitCode.EXTERNAL) from None
    for graph in loaded:
        click.echo(f"loaded {graph.triples} triples from {graph.source} into <{graph.graph}>", err=True)
        click.echo(graph.graph)
