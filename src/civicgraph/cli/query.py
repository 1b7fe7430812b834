"""``civicgraph query``: SPARQL from a terminal, over a graph file or an endpoint."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from civicgraph.cli.common import CivicgraphError, handle_errors
from civicgraph.sparql.guard import QueryTooComplex, check_query_shape
from civicgraph.sparql.library import (
    DEFAULT_DATA,
    FORMATS,
    Boolean,
    LibraryQuery,
    QueryDataError,
    QueryEngine,
    QueryError,
    QueryExecutionError,
    QueryFileError,
    QueryResult,
    RdflibEngine,
    RemoteEngine,
    Solutions,
    is_http_url,
    library,
    masked_url,
    parse_query_text,
    resolve_query,
    run_query,
    to_table,
)
from civicgraph.sparql.storecache import STORE_MODES, StoreCache, default_cache_dir, open_engine
from civicgraph.util.errors import ExitCode, Failure, Message

EXIT_CODES: dict[type[Exception], ExitCode] = {
    QueryDataError: ExitCode.BAD_INPUT,
    QueryExecutionError: ExitCode.EXTERNAL,
}

# The --data option of the commands that read a built graph (query, serve).
GRAPH_FILE_OPTION = click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="The graph: a Turtle, N-Triples or JSON-LD file.",
)


@contextmanager
def query_errors() -> Iterator[None]:
    """Query failures as one line on stderr and their exit code (syntax and usage errors exit 2)."""
    try:
        yield
    except (QueryError, QueryFileError, QueryTooComplex) as error:
        if click.get_current_context().find_root().params.get("debug", False):
            raise
        code = EXIT_CODES.get(type(error), ExitCode.USAGE)
        raise CivicgraphError(str(error), code) from None


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """The ``--param NAME=VALUE`` options as a mapping; a name given twice is refused rather than letting the last
    value silently win (``--param year=2023 --param year=2024`` would answer for 2024 alone)."""
    params: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise CivicgraphError(f"--param {value!r}: write it as NAME=VALUE", ExitCode.USAGE)
        if name in params:
            raise Failure(
                Message(
                    f"--param {name} podano dwa razy ({name}={params[name]} i {name}={text}); podaj go raz",
                    f"--param {name} is given twice ({name}={params[name]} and {name}={text}); give it once",
                ),
                ExitCode.USAGE,
            )
        params[name] = text
    return params


def pick_query(reference: str | None, expression: str | None) -> LibraryQuery:
    if expression is not None and reference is not None:
        raise CivicgraphError("give either a query NAME|FILE or -e 'SPARQL', not both", ExitCode.USAGE)
    if expression is not None:
        return parse_query_text(expression, "-e")
    if reference is None:
        raise CivicgraphError(
            "give a query: a library NAME (see --list), a FILE, '-' for standard input, or -e 'SPARQL'",
            ExitCode.USAGE,
        )
    if reference == "-":
        return parse_query_text(sys.stdin.read(), "<stdin>")
    return resolve_query(reference)


def make_engine(
    engine: str, data: Path, endpoint: str | None, graph: str | None, store: str = "auto", cache: Path | None = None
) -> QueryEngine:
    if endpoint is not None:
        if not is_http_url(endpoint):
            raise CivicgraphError(f"--endpoint {masked_url(endpoint)!r}: give an http(s) URL", ExitCode.USAGE)
        return RemoteEngine(endpoint, default_graph=graph)
    if engine == "rdflib":
        return RdflibEngine.from_file(data)
    return open_engine(data, store, cache or default_cache_dir(), notify=lambda message: click.echo(message, err=True))


def clear_cache(cache: Path) -> None:
    removed, left = StoreCache(cache).clear(notify=lambda message: click.echo(message, err=True))
    click.echo(f"{cache}: removed {removed} cached {'store' if removed == 1 else 'stores'}", err=True)
    for reason in left:
        click.echo(f"{cache}: left {reason}", err=True)


def write_result(result: QueryResult, output_format: str | None) -> None:
    tabular = isinstance(result, Solutions | Boolean)  # what the table takes
    fitting = [*(["table"] if tabular else []), *(f.name for f in FORMATS.values() if f.accepts(result))]
    if output_format is None:
        output_format = fitting[0]  # table for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE
    if output_format not in fitting:
        what = "this query's result" if tabular else "a graph result"
        raise CivicgraphError(
            f"--format {output_format} does not fit {what}; use one of: {', '.join(fitting)}", ExitCode.USAGE
        )
    with query_errors():  # a value the format cannot carry (U+0001 in XML): one line, exit 2
        written = to_table(result) if output_format == "table" else FORMATS[output_format].writer(result)
    click.echo(written, nl=False)  # bytes go to the binary stream as they are


def list_library(output_format: str | None) -> None:
    queries = library()
    if output_format == "json":
        listing = [
            {
                "name": q.name,
                "question": {"pl": q.question_pl, "en": q.question_en},
                "parameters": [{"name": p.name, "type": p.type, "description": p.description} for p in q.parameters],
                "examples": list(q.examples),
            }
            for q in queries.values()
        ]
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    for q in queries.values():
        params = ", ".join(f"{p.name} ({p.type})" for p in q.parameters) or "no parameters"
        click.echo(f"{q.name}  [{params}]")
        click.echo(f"  pl: {q.question_pl}")
        click.echo(f"  en: {q.question_en}")
        for example in q.examples:
            args = " ".join(f"--param {k}={v}" for k, v in example.items())
            click.echo(f"  e.g. civicgraph query {q.name} {args}")


FORMAT_NAMES = ["table", *FORMATS]


@click.command()
@click.argument("reference", metavar="NAME|FILE", required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="A query given inline instead of NAME|FILE.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query parameter (repeatable), typed as the query's header declares it.",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(FORMAT_NAMES),
    help="Output format; default table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE.",
)
@GRAPH_FILE_OPTION
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="In-process SPARQL engine (oxigraph is the fast one; rdflib is the reference).",
)
@click.option("--endpoint", metavar="URL", help="Query this SPARQL endpoint instead of a file.")
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    help="With --endpoint: the named graph to query as the default graph (e.g. what `load` wrote).",
)
@click.option(
    "--store",
    type=click.Choice(STORE_MODES),
    default="auto",
    show_default=True,
    help="cached: query an on-disk store of the graph, built once per graph file and kept in the store cache; "
    "memory: load the file in memory for this query; auto: cached for graph files of 8 MiB or more.",
)
@click.option(
    "--store-cache",
    "store_cache",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CIVICGRAPH_STORE_CACHE",
    show_envvar=True,
    help="Folder of the cached stores [default: $XDG_CACHE_HOME/civicgraph/stores, else ~/.cache/civicgraph/stores].",
)
@click.option(
    "--clear-store-cache", is_flag=True, help="Remove the cached stores (not those in use right now) and exit."
)
@click.option("--list", "list_queries", is_flag=True, help="List the library's queries and their questions.")
@handle_errors
def query(
    reference: str | None,
    expression: str | None,
    params: tuple[str, ...],
    output_format: str | None,
    data_file: Path,
    engine: str,
    endpoint: str | None,
    graph_iri: str | None,
    store: str,
    store_cache: Path | None,
    clear_store_cache: bool,
    list_queries: bool,
) -> None:
    """Run a SPARQL query: a library NAME (see --list), a FILE, '-' (standard input) or -e 'SPARQL'.

    \b
    Examples:
      civicgraph query organisations-of-member --param teryt=3064011
      civicgraph query money-figures --format csv
      civicgraph query -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    with query_errors():
        if list_queries:
            list_library(output_format)
            return
        if clear_store_cache:
            clear_cache(store_cache or default_cache_dir())
            return
        chosen = pick_query(reference, expression)
        check_query_shape(chosen.text, chosen.source)  # before any parser: deep nesting crashes pyoxigraph
        bindings = parse_params(params)
        result = run_query(chosen, make_engine(engine, data_file, endpoint, graph_iri, store, store_cache), bindings)
    try:
        write_result(result, output_format)
    except BrokenPipeError:
        # The reader stopped early (`| head`): not a failure. Point stdout at /dev/null so that Python's own
        # flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
