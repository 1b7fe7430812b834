"""``civicgraph serve``: a read-only SPARQL 1.1 Protocol endpoint over the built graph, and the static site.

Routes
    ``GET|POST /sparql``  the SPARQL 1.1 Protocol (query by GET, by POST as a form, or POST direct); results as
                          SPARQL JSON, XML, CSV or TSV, graphs as Turtle, JSON-LD or N-Triples, chosen by Accept.
                          Without a query: the SPARQL 1.1 Service Description of the endpoint.
    ``GET /id/{path}``    303 See Other to ``/site/{page}.html``, ``.ttl`` or ``.jsonld`` by Accept (406 if none
                          fits; ``{page}.en.html`` when Accept-Language prefers English), so the published IRIs
                          resolve when the server answers for the base IRI. ``{page}`` is ``{path}``, or for a
                          resource shown as a section of another's page that page, the HTML target then ending
                          in ``#{path}`` (:func:`civicgraph.publish.negotiation.section_of`).
    ``GET /site/...``     the static site of the release (``dist/site``), when it exists.

Safe to expose:
    * read-only: the graph sits in worker processes that only ever call ``Store.query``; an update is refused
      with 403 (``update=``, ``application/sparql-update``, or update text sent as a query);
    * a time limit per query, enforced by killing the worker process (see below) → 422;
    * a result-size limit: rows (or triples) are read lazily and the query is stopped at the first one over the
      limit → 422 (never a silently truncated answer);
    * ``SERVICE`` refused (400) unless its endpoint was allowed with ``--allow-service``;
    * request bodies over the size limit → 413, query strings over it → 414;
    * binds 127.0.0.1 unless told otherwise; CORS lets browser pages elsewhere read the results.

How the time limit is enforced: pyoxigraph evaluates a query in Rust without coming back to Python, so a thread
running it cannot be interrupted, and a runaway query would keep a core busy after its client was answered. The
queries therefore run in a pool of worker processes, each with its own in-memory copy of the graph. When a query
overruns, its worker is killed (SIGKILL) and a fresh one is started in the background; the other workers go on
answering meanwhile. The cost is one copy of the graph per worker, and a pipe round trip per query (measured in
``benchmarks/bench_queries.py``).
"""

from __future__ import annotations

import asyncio
import mimetypes
import multiprocessing
import re
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from civicgraph.publish.negotiation import section_of
from civicgraph.sparql.library import (
    Boolean,
    OxigraphEngine,
    QueryDataError,
    QueryExecutionError,
    QueryResult,
    QuerySyntaxError,
    QueryUsageError,
    ResultTooLarge,
    Solutions,
    UpdateRefused,
    serialize_triples,
    to_csv,
    to_sparql_json,
    to_sparql_xml,
    to_tsv,
)

for _suffix, _type in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples")):
    mimetypes.add_type(_type, _suffix)

READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
STARTUP_TIMEOUT = 120.0  # seconds a worker may take to load the graph


@dataclass(frozen=True)
class ServeSettings:
    data: Path
    site: Path | None = None
    workers: int = 2
    timeout: float = 10.0  # seconds per query
    max_results: int = 10_000  # rows of a SELECT, triples of a CONSTRUCT/DESCRIBE
    max_body: int = 64 * 1024  # bytes of a request body or query string
    allowed_services: frozenset[str] = frozenset()
    cors_origins: tuple[str, ...] = ("*",)


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one request (sent through a pipe, so it is plain data)."""

    query: str
    accept: str | None
    max_results: int
    allowed_services: frozenset[str]


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"


def problem(status: int, message: str) -> Reply:
    return Reply(status, (message.rstrip() + "\n").encode("utf-8"))


# -- content negotiation --------------------------------------------------------------------------------------


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (``*/*`` when there is no header)."""
    ranges: list[tuple[str, float]] = []
    for part in (header or "*/*").split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value the most specific matching range gives ``offer`` (0 when none matches)."""
    kind = offer.split("/")[0]
    best: tuple[int, float] | None = None
    for media, quality in ranges:
        specificity = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if specificity >= 0 and (best is None or specificity > best[0]):
            best = (specificity, quality)
    return best[1] if best is not None else 0.0


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers; among equals, the server's order decides."""
    ranges = parse_accept(accept)
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offered)]
    quality, _, offer = max(scored)
    return offer if quality > 0 else None


def _json(result: Solutions | Boolean) -> bytes:
    return to_sparql_json(result)  # compact: the indented form is for people at a terminal


SOLUTION_MEDIA: dict[str, tuple[str, Any]] = {
    "application/sparql-results+json": ("application/sparql-results+json", _json),
    "application/sparql-results+xml": ("application/sparql-results+xml", to_sparql_xml),
    "text/csv": ("text/csv; charset=utf-8", to_csv),
    "text/tab-separated-values": ("text/tab-separated-values; charset=utf-8", to_tsv),
    "application/json": ("application/sparql-results+json", _json),
    "application/xml": ("application/sparql-results+xml", to_sparql_xml),
}
BOOLEAN_MEDIA = {k: v for k, v in SOLUTION_MEDIA.items() if k not in ("text/csv", "text/tab-separated-values")}
GRAPH_MEDIA: dict[str, tuple[str, ox.RdfFormat]] = {
    "text/turtle": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "application/ld+json": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
}


def not_acceptable(offered: Sequence[str]) -> Reply:
    return problem(406, f"none of the Accept header's types can be served here; offered: {', '.join(offered)}")


def render(result: QueryResult, accept: str | None) -> Reply:
    """A result in the format the Accept header prefers, with its Content-Type."""
    if isinstance(result, Solutions | Boolean):
        table = SOLUTION_MEDIA if isinstance(result, Solutions) else BOOLEAN_MEDIA
        chosen = negotiate(accept, list(table))
        if chosen is None:
            return not_acceptable(list(table))
        media_type, write = table[chosen]
        return Reply(200, write(result), media_type)
    graph_choice = negotiate(accept, list(GRAPH_MEDIA))
    if graph_choice is None:
        return not_acceptable(list(GRAPH_MEDIA))
    media_type, rdf = GRAPH_MEDIA[graph_choice]
    return Reply(200, serialize_triples(result.triples, rdf), media_type)


# -- answering a query (runs in a worker process) -------------------------------------------------------------

_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """SPARQL processes ``\\uXXXX`` escapes before parsing (§19.2), so ``\\u0053ERVICE`` is a keyword too."""
    return _CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def services_in(query: str) -> list[str | None]:
    """The endpoints the query's SERVICE patterns call (None for ``SERVICE ?variable``).

    Raises ``QuerySyntaxError`` when the query mentions SERVICE but cannot be read well enough to tell.
    """
    if "service" not in unescape_codepoints(query).lower():
        return []  # no SERVICE keyword at all: nothing to check (and no parse to pay for)
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception as error:  # rdflib's parser and translator raise many types
        raise QuerySyntaxError(f"the query mentions SERVICE and could not be checked: {error}") from None
    found: list[str | None] = []
    _collect_services(algebra, found)
    return found


def _collect_services(node: Any, found: list[str | None]) -> None:
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            term = node.get("term")
            found.append(str(term) if isinstance(term, URIRef) else None)
        for value in node.values():
            _collect_services(value, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _collect_services(item, found)


def check_services(query: str, allowed: frozenset[str]) -> str | None:
    """Why the query's SERVICE calls are refused, or None when it makes none that are not allowed."""
    for service in services_in(query):
        if service is None:
            return "SERVICE with a variable endpoint is refused by this endpoint"
        if service not in allowed:
            return (
                f"SERVICE <{service}> is refused: this endpoint does not call remote endpoints unless started "
                f"with --allow-service {service}"
            )
    return None


def answer(engine: OxigraphEngine, job: QueryJob) -> Reply:
    """The reply to one query: the result in the negotiated format, or a 4xx/5xx with one clear line."""
    try:
        refusal = check_services(job.query, job.allowed_services)
        if refusal is not None:
            return problem(400, refusal)
        result = engine.run(job.query, max_results=job.max_results, source="query")
    except UpdateRefused:
        return problem(403, READ_ONLY)
    except QuerySyntaxError as error:
        return problem(400, str(error))
    except ResultTooLarge as error:
        return problem(422, f"query refused: {error}")
    except QueryUsageError as error:
        return problem(400, str(error))
    except QueryExecutionError as error:
        return problem(502 if job.allowed_services else 500, str(error))
    return render(result, job.accept)


def _worker_main(connection: Connection, data: str) -> None:
    """A query worker: load the graph once, then answer jobs until the pipe closes."""
    # Ctrl-C reaches the whole process group; the parent stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        engine = OxigraphEngine.from_file(Path(data))
    except QueryDataError as error:
        connection.send(("failed", str(error)))
        return
    connection.send(("ready", len(engine)))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = answer(engine, job)
        except Exception as error:  # a bug must cost one request, not the worker
            reply = problem(500, f"internal error: {type(error).__name__}: {error}")
        connection.send(reply)


# -- the worker pool ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection


def _context() -> Any:
    # forkserver: new workers fork from a small clean process (fast, and safe with the server's threads).
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["civicgraph.sparql.endpoint"])
        return context
    return multiprocessing.get_context("spawn")


class WorkerPool:
    """Worker processes answering queries; one that overruns its time limit is killed and replaced."""

    def __init__(self, data: Path, size: int = 2) -> None:
        self.data = data
        self.size = size
        self.context = _context()
        self.idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self.workers: set[_Worker] = set()
        self.triples = 0
        self.replaced = 0  # workers killed and replaced so far
        self.started = False
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, args=(child, str(self.data)), daemon=True, name="civicgraph-query-worker"
        )
        process.start()
        child.close()
        if not parent.poll(STARTUP_TIMEOUT):
            process.kill()
            raise QueryDataError(f"{self.data}: a query worker did not load the graph in {STARTUP_TIMEOUT:g} s")
        status, detail = parent.recv()
        if status != "ready":
            process.join()
            raise QueryDataError(str(detail))
        self.triples = int(detail)
        worker = _Worker(process, parent)
        self.workers.add(worker)
        return worker

    def start(self) -> None:
        """Start the workers (in parallel) and wait until each holds the graph; raises QueryDataError."""
        with ThreadPoolExecutor(self.size) as executor:
            futures = [executor.submit(self._spawn) for _ in range(self.size)]
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            self.stop()
            raise errors[0]  # type: ignore[misc]
        for future in futures:
            self.idle.put_nowait(future.result())
        self.started = True

    def stop(self) -> None:
        for worker in list(self.workers):
            self._kill(worker)
        self.started = False

    def _kill(self, worker: _Worker) -> None:
        self.workers.discard(worker)
        worker.process.kill()
        worker.process.join(5)
        worker.connection.close()

    async def run(self, job: QueryJob, timeout: float) -> Reply:
        """Answer ``job`` on an idle worker within ``timeout`` seconds of query time."""
        try:
            worker = await asyncio.wait_for(self.idle.get(), timeout)
        except TimeoutError:
            return problem(503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again later")
        settled = False
        try:
            worker.connection.send(job)
            if not await _readable(worker.connection, timeout):
                return problem(
                    422, f"query cancelled: it ran longer than {timeout:g} s, the time limit of this endpoint"
                )
            # The reply is ready and written in one go by the worker: reading it does not wait on the query.
            reply: Reply = worker.connection.recv()
            settled = True
            return reply
        except (EOFError, OSError) as error:
            return problem(500, f"the query worker failed ({type(error).__name__}); it is being replaced")
        finally:
            if settled:
                self.idle.put_nowait(worker)
            else:  # overran, died, or the request was cancelled mid-query: the worker cannot be trusted
                self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        self.replaced += 1
        task = asyncio.get_running_loop().create_task(self._respawn(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, worker: _Worker) -> None:
        await asyncio.to_thread(self._kill, worker)
        try:
            fresh = await asyncio.to_thread(self._spawn)
        except QueryDataError as error:
            print(f"civicgraph serve: could not replace a query worker: {error}", file=sys.stderr)
            return
        self.idle.put_nowait(fresh)


async def _readable(connection: Connection, timeout: float) -> bool:
    """Wait until the worker has written its reply, without holding a thread; False after ``timeout``."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    descriptor = connection.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(descriptor, wake)
    try:
        await asyncio.wait_for(ready, timeout)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(descriptor)


# -- HTTP -----------------------------------------------------------------------------------------------------


class RequestProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.reply = problem(status, message)


DATASET_REFUSED = (
    "default-graph-uri and named-graph-uri are not supported: this endpoint serves one graph, the default graph"
)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestProblem(413, f"the request body is larger than {limit} bytes, the limit of this endpoint")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestProblem(413, f"the request body is larger than {limit} bytes, the limit of this endpoint")
        chunks.append(chunk)
    return b"".join(chunks)


def _single_query(values: list[str]) -> str | None:
    if len(values) > 1:
        raise RequestProblem(400, "give exactly one query parameter")
    return values[0] if values else None


async def read_query(request: Request, max_body: int) -> str | None:
    """The query of a SPARQL Protocol request (None: no query, the client wants the service description)."""
    params = request.query_params
    if "update" in params:
        raise RequestProblem(403, READ_ONLY)
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise RequestProblem(400, DATASET_REFUSED)
    if request.method == "GET":
        text = _single_query(params.getlist("query"))
        if text is not None and len(text.encode("utf-8")) > max_body:
            raise RequestProblem(414, f"the query is longer than {max_body} bytes, the limit of this endpoint")
        return text
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/sparql-update":
        raise RequestProblem(403, READ_ONLY)
    if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
        raise RequestProblem(
            415, "POST a query as application/sparql-query or as a form (application/x-www-form-urlencoded)"
        )
    try:
        body = (await read_body(request, max_body)).decode("utf-8")
    except UnicodeDecodeError:
        raise RequestProblem(400, "the request body is not UTF-8") from None
    if media == "application/sparql-query":
        return body
    form = parse_qs(body, keep_blank_values=True)
    if "update" in form:
        raise RequestProblem(403, READ_ONLY)
    if "default-graph-uri" in form or "named-graph-uri" in form:
        raise RequestProblem(400, DATASET_REFUSED)
    text = _single_query(form.get("query", []))
    if text is None:
        raise RequestProblem(400, "the form has no query field")
    return text


def reply_response(reply: Reply, vary: bool = True) -> Response:
    return Response(
        reply.body, status_code=reply.status, media_type=reply.media_type, headers={"Vary": "Accept"} if vary else None
    )


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD_PREFIXES = {"sd": SD, "formats": FORMATS_NS, "void": "http://rdfs.org/ns/void#"}


def service_description(endpoint: str, triples: int, settings: ServeSettings) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of the endpoint (fragment IRIs, no blank nodes)."""
    service, dataset, graph = (ox.NamedNode(endpoint + suffix) for suffix in ("", "#dataset", "#default-graph"))

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    statements: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (service, RDF_TYPE, sd("Service")),
        (service, sd("endpoint"), service),
        (service, sd("supportedLanguage"), sd("SPARQL11Query")),
        (service, sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, sd("Dataset")),
        (dataset, sd("defaultGraph"), graph),
        (graph, RDF_TYPE, sd("Graph")),
        (
            graph,
            ox.NamedNode("http://rdfs.org/ns/void#triples"),
            ox.Literal(str(triples), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        (
            service,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal(
                f"Read-only civicgraph endpoint. Limits: {settings.timeout:g} s per query, {settings.max_results} "
                f"result rows, {settings.max_body} bytes per request; SERVICE only to the endpoints listed as "
                "allowed.",
                language="en",
            ),
        ),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "JSON-LD",
        "N-Triples",
    ):
        statements.append((service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)))
    if settings.allowed_services:
        statements.append((service, sd("feature"), sd("BasicFederatedQuery")))
    return [ox.Triple(*statement) for statement in statements]


def _endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


async def sparql(request: Request) -> Response:
    settings: ServeSettings = request.app.state.settings
    pool: WorkerPool = request.app.state.pool
    try:
        text = await read_query(request, settings.max_body)
    except RequestProblem as refused:
        return reply_response(refused.reply)
    if text is None:
        description = service_description(_endpoint_url(request), pool.triples, settings)
        chosen = negotiate(request.headers.get("accept"), list(GRAPH_MEDIA))
        if chosen is None:
            return reply_response(not_acceptable(list(GRAPH_MEDIA)))
        media_type, rdf = GRAPH_MEDIA[chosen]
        body = serialize_triples(description, rdf, SD_PREFIXES)
        return reply_response(Reply(200, body, media_type))
    job = QueryJob(text, request.headers.get("accept"), settings.max_results, settings.allowed_services)
    return reply_response(await pool.run(job, settings.timeout))


SITE_FORMATS = {"text/html": ".html", "text/turtle": ".ttl", "application/ld+json": ".jsonld"}


def _safe_relative(path: str) -> PurePosixPath | None:
    relative = PurePosixPath(path)
    if not path or relative.is_absolute() or any(part in ("..", ".", "") for part in path.split("/")):
        return None
    return relative


async def resource(request: Request) -> Response:
    """A resource IRI: 303 See Other to the page or data file the Accept header prefers."""
    settings: ServeSettings = request.app.state.settings
    relative = _safe_relative(request.path_params["path"])
    if settings.site is None or relative is None:
        return PlainTextResponse("no such resource (this server has no site folder)\n", status_code=404)
    chosen = negotiate(request.headers.get("accept"), list(SITE_FORMATS))
    if chosen is None:
        return reply_response(not_acceptable(list(SITE_FORMATS)))
    suffix = SITE_FORMATS[chosen]
    vary = {"Vary": "Accept, Accept-Language"}
    page, anchor = section_of(str(relative))
    if not (settings.site / f"{page}{suffix}").is_file():
        return PlainTextResponse(f"no such resource: {relative}\n", status_code=404, headers=vary)
    english = suffix == ".html" and prefers_english(request.headers.get("accept-language"))
    if english and (settings.site / f"{page}.en.html").is_file():
        suffix = ".en.html"  # the site's English page; Polish is the default
    fragment = f"#{quote(anchor)}" if anchor and suffix.endswith(".html") else ""
    return RedirectResponse(f"/site/{quote(page)}{suffix}{fragment}", status_code=303, headers=vary)


def prefers_english(accept_language: str | None) -> bool:
    """Whether an Accept-Language header ranks English above Polish (RFC 4647 basic ranges: ``en-GB`` is en)."""

    def quality(language: str) -> float:
        matches = [
            (len(tag), q)
            for tag, q in parse_accept(accept_language or "pl")
            if tag == "*" or tag == language or tag.startswith(language + "-")
        ]
        return max(matches)[1] if matches else 0.0

    return quality("en") > quality("pl")


async def home(request: Request) -> Response:
    settings: ServeSettings = request.app.state.settings
    target = "/site/" if settings.site is not None else "/sparql"
    return RedirectResponse(target, status_code=303)


def create_app(settings: ServeSettings, pool: WorkerPool | None = None) -> Starlette:
    """The ASGI application; starts the worker pool on startup unless it was started already."""
    workers = pool if pool is not None else WorkerPool(settings.data, settings.workers)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if not workers.started:
            await asyncio.to_thread(workers.start)
        try:
            yield
        finally:
            await asyncio.to_thread(workers.stop)

    routes: list[Route | Mount] = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/id/{path:path}", resource, methods=["GET"]),
    ]
    if settings.site is not None:
        routes.append(Mount("/site", app=StaticFiles(directory=settings.site, html=True), name="site"))
    cors = Middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type"],
        max_age=3600,
    )
    app = Starlette(routes=routes, middleware=[cors], lifespan=lifespan)
    app.state.settings = settings
    app.state.pool = workers
    return app
