"""``civicgraph serve``: the read-only SPARQL endpoint and the static site, on 127.0.0.1 by default."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from civicgraph.cli.common import CivicgraphError, handle_errors
from civicgraph.cli.query import GRAPH_FILE_OPTION
from civicgraph.sparql.library import QueryDataError, rdf_format
from civicgraph.util.errors import ExitCode

LOOPBACK = ("127.0.0.1", "::1", "localhost")


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
    help="Query worker processes, forked from one process that loads the graph: they share its memory copy-on-write.",
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
@click.option(
    "--max-response",
    type=click.IntRange(min=1024),
    default=16 * 1024 * 1024,
    show_default=True,
    help="Bytes a result may have once written; more is refused (HTTP 413), never truncated.",
)
@click.option(
    "--memory-limit",
    type=click.IntRange(min=64),
    default=1024,
    show_default=True,
    help="MiB a query worker may allocate beyond the graph it shares; a query needing more ends with HTTP 503.",
)
@click.option(
    "--cache",
    "cache_mib",
    type=click.IntRange(min=0),
    default=64,
    show_default=True,
    help="MiB of answers kept for repeated queries (the graph does not change while serving); 0: none.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=512,
    show_default=True,
    help="Connections open at once; more are closed with HTTP 503.",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send a request's head (and its body); then HTTP 408 and the connection closes.",
)
@click.option(
    "--endpoint-url",
    metavar="URL",
    help="The endpoint's public address, for its service description [default: http://HOST:PORT/sparql].",
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
    max_response: int,
    memory_limit: int,
    cache_mib: int,
    max_connections: int,
    header_timeout: float,
    endpoint_url: str | None,
    access_log: bool,
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol at /sparql, and the site at /site/."""
    from civicgraph.sparql.endpoint import ServeSettings, create_app
    from civicgraph.sparql.server import ConnectionLimits, RefusalLog, listen, run
    from civicgraph.sparql.workers import WorkerPool

    # SIGTERM with the signal's default handler, not the other commands' (civicgraph.util.signals'
    # terminated_as_interrupt): the server stops gracefully on it, then raises it again for the handler it found.
    # The default one ends the process by the signal, as a service manager expects; the interrupt the other would
    # raise, uvicorn.run catches, and the process would exit 0 as if it had ended of itself.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    settings = ServeSettings(
        data=data_file,
        site=site_dir if site_dir.is_dir() else None,
        workers=workers,
        timeout=timeout,
        max_results=max_results,
        max_response=max_response,
        max_body=max_body,
        memory_limit=memory_limit * 1024 * 1024,
        body_timeout=header_timeout,
        cache_bytes=cache_mib * 1024 * 1024,
        endpoint_url=endpoint_url,
        allowed_services=frozenset(allowed_services),
        cors_origins=cors_origins,
    )
    refused = RefusalLog()
    pool = WorkerPool(data_file, settings.pool_limits(), refused)
    try:
        rdf_format(data_file)
        pool.start()  # before binding the port: a missing or broken graph ends here with exit code 3
    except QueryDataError as error:
        raise CivicgraphError(str(error), ExitCode.BAD_INPUT) from None
    limits = ConnectionLimits(header_timeout=header_timeout, max_connections=max_connections, max_head=max_body + 16384)
    try:
        sockets = listen(host, port)  # a port in use or a wrong host ends here, before "serving" is said (exit 2)
        where = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        click.echo(f"serving {data_file} ({pool.triples} triples) read-only at {where}/sparql", err=True)
        click.echo(f"site: {where}/site/" if settings.site else f"no site: {site_dir} does not exist", err=True)
        if host not in LOOPBACK:
            click.echo(f"warning: listening on {host}, reachable from other machines", err=True)
        run(create_app(settings, pool, refused), sockets, limits, refused, access_log)
    finally:
        pool.stop()
