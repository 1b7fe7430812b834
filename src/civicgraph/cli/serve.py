"""``civicgraph serve``: the read-only SPARQL endpoint and the static site, on 127.0.0.1 by default."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import click

from civicgraph.cli.common import CivicgraphError, handle_errors
from civicgraph.cli.query import GRAPH_FILE_OPTION
from civicgraph.sparql.library import QueryDataError, rdf_format
from civicgraph.util.errors import ExitCode

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log on stderr too: stdout is for data."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config


@click.command()
@GRAPH_FILE_OPTION
@click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist") / "site",
    show_default=True,
    help="Static site to serve at /site/ (and /id/ redirects); skipped when the folder is missing.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 exposes the endpoint to the network.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Query worker processes; each holds its own copy of the graph.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a query may run before it is cancelled (HTTP 422).",
)
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) a result may have; more is refused (HTTP 422), never truncated.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1024),
    default=64 * 1024,
    show_default=True,
    help="Bytes a request body or query string may have (HTTP 413 / 414).",
)
@click.option(
    "--allow-service",
    "allowed_services",
    multiple=True,
    metavar="URL",
    help="Let SERVICE call this endpoint (repeatable); every other SERVICE is refused (HTTP 400).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    default=("*",),
    show_default=True,
    help="Origin allowed to read results from a browser (repeatable).",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request on stderr.")
@handle_errors
def serve(
    data_file: Path,
    site_dir: Path,
    host: str,
    port: int,
    workers: int,
    timeout: float,
    max_results: int,
    max_body: int,
    allowed_services: tuple[str, ...],
    cors_origins: tuple[str, ...],
    access_log: bool,
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol at /sparql, and the site at /site/."""
    import uvicorn

    from civicgraph.sparql.endpoint import ServeSettings, WorkerPool, create_app

    settings = ServeSettings(
        data=data_file,
        site=site_dir if site_dir.is_dir() else None,
        workers=workers,
        timeout=timeout,
        max_results=max_results,
        max_body=max_body,
        allowed_services=frozenset(allowed_services),
        cors_origins=cors_origins,
    )
    pool = WorkerPool(data_file, workers)
    try:
        rdf_format(data_file)
        pool.start()  # before binding the port: a missing or broken graph ends here with exit code 3
    except QueryDataError as error:
        raise CivicgraphError(str(error), ExitCode.BAD_INPUT) from None
    where = f"http://{host}:{port}"
    click.echo(f"serving {data_file} ({pool.triples} triples) read-only at {where}/sparql", err=True)
    click.echo(f"site: {where}/site/" if settings.site else f"no site: {site_dir} does not exist", err=True)
    if host not in LOOPBACK:
        click.echo(f"warning: listening on {host}, reachable from other machines", err=True)
    try:
        uvicorn.run(
            create_app(settings, pool),
            host=host,
            port=port,
            log_level="info",
            log_config=log_config(),
            access_log=access_log,
        )
    finally:
        pool.stop()
