"""``civicgraph serve``: a read-only SPARQL 1.1 Protocol endpoint over the built graph, and the static site.

Routes
    ``GET|HEAD|POST /sparql``  the SPARQL 1.1 Protocol (query by GET, by POST as a form, or POST direct); results
                          as SPARQL JSON, XML, CSV or TSV, graphs as Turtle, JSON-LD, N-Triples or RDF/XML, chosen
                          by Accept. Without a query: the SPARQL 1.1 Service Description of the endpoint.
    ``GET /id/{path}``    303 See Other to ``/site/{page}.html`` (``.en.html``), ``.ttl``, ``.jsonld``, ``.nt`` or
                          ``.rdf``, by the rule of :mod:`civicgraph.publish.negotiation` that the published
                          ``.htaccess`` follows too; ``{page}`` is ``{path}``, or for a resource shown as a section
                          of another's page that page, the HTML target then ending in ``#{path}``.
    ``GET /site/...``     the static site of the release (``dist/site``), when it exists.

Safe to expose (each limit an option of ``civicgraph serve``):
    * read-only: the graph sits in worker processes that only ever call ``Store.query``; an update is refused
      with 403 (``update=``, ``application/sparql-update``, or update text sent as a query);
    * a query nested too deeply or too long is refused before any parser sees it (400, :mod:`.guard`);
    * a time limit per query, enforced by killing the worker process → 422; a memory limit per worker → 503;
    * a result-size limit in rows (422) and in bytes (413): the query is refused, never silently truncated;
    * a fair queue in front of the workers: 503 with ``Retry-After`` when it is full or a request waited too
      long, and long queries stopped while others wait (:mod:`.workers`);
    * ``SERVICE`` refused (400) unless its endpoint was allowed with ``--allow-service``;
    * request bodies over the size limit → 413, query strings over it → 414, a body that does not arrive → 408;
      request heads that do not arrive, idle connections and connections over the limit are closed
      (:mod:`.server`); every refusal is logged in one line;
    * answers to the same query and Accept header are cached (the graph does not change while serving);
    * binds 127.0.0.1 unless told otherwise; CORS lets browser pages elsewhere read the results.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from civicgraph.publish.negotiation import description_suffix, page_suffix, section_of
from civicgraph.sparql.guard import QueryTooComplex, check_query_shape
from civicgraph.sparql.library import serialize_triples
from civicgraph.sparql.replies import (
    GRAPH_MEDIA,
    READ_ONLY,
    QueryJob,
    Reply,
    negotiate,
    not_acceptable,
    problem,
)
from civicgraph.sparql.workers import PoolLimits, Refused, WorkerPool

for _suffix, _type in (
    (".ttl", "text/turtle"),
    (".jsonld", "application/ld+json"),
    (".nt", "application/n-triples"),
    (".rdf", "application/rdf+xml"),
):
    mimetypes.add_type(_type, _suffix)


@dataclass(frozen=True)
class ServeSettings:
    data: Path
    site: Path | None = None
    workers: int = 2
    timeout: float = 10.0  # seconds per query
    max_results: int = 10_000  # rows of a SELECT, triples of a CONSTRUCT/DESCRIBE
    max_response: int = 16 * 1024 * 1024  # bytes of a result
    max_body: int = 64 * 1024  # bytes of a request body or query string
    memory_limit: int | None = 1024 * 1024 * 1024  # bytes a worker may allocate beyond the shared graph
    body_timeout: float = 10.0  # seconds for a request body to arrive
    cache_bytes: int = 64 * 1024 * 1024  # answers kept for repeated queries (0: none)
    endpoint_url: str | None = None  # the endpoint's IRI in its service description; default from the socket
    allowed_services: frozenset[str] = frozenset()
    cors_origins: tuple[str, ...] = ("*",)

    def pool_limits(self) -> PoolLimits:
        return PoolLimits(size=self.workers, timeout=self.timeout, memory_limit=self.memory_limit)


class AnswerCache:
    """Successful answers by (query, Accept header), least recently used dropped first, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[tuple[str, str | None], Reply] = OrderedDict()
        self.hits = 0

    def get(self, key: tuple[str, str | None]) -> Reply | None:
        reply = self.entries.get(key)
        if reply is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        return reply

    def put(self, key: tuple[str, str | None], reply: Reply) -> None:
        cost = len(reply.body) + len(key[0])
        if not reply.cacheable or cost > self.budget or key in self.entries:
            return
        self.entries[key] = reply
        self.size += cost
        while self.size > self.budget:
            (query, _), dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body) + len(query)


# -- HTTP -----------------------------------------------------------------------------------------------------


class RequestProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.reply = problem(status, message)


DATASET_REFUSED = (
    "default-graph-uri and named-graph-uri are not supported: this endpoint serves one graph, the default graph"
)
EMPTY_QUERY = "the query is empty"


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestProblem(413, f"the request body is larger than {limit} bytes, the limit of this endpoint")
    chunks: list[bytes] = []
    size = 0

    async def read() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestProblem(413, f"the request body is larger than {limit} bytes, the limit of this endpoint")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(read(), timeout)
    except TimeoutError:
        raise RequestProblem(408, f"the request body did not arrive within {timeout:g} s") from None
    return b"".join(chunks)


def _single_query(values: list[str]) -> str | None:
    if len(values) > 1:
        raise RequestProblem(400, "give exactly one query parameter")
    if values and not values[0].strip():
        raise RequestProblem(400, EMPTY_QUERY)
    return values[0] if values else None


async def read_query(request: Request, settings: ServeSettings) -> str | None:
    """The query of a SPARQL Protocol request (None: no query, the client wants the service description)."""
    params = request.query_params
    max_body = settings.max_body
    if "update" in params:
        raise RequestProblem(403, READ_ONLY)
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise RequestProblem(400, DATASET_REFUSED)
    if request.method in ("GET", "HEAD"):
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
        body = (await read_body(request, max_body, settings.body_timeout)).decode("utf-8")
    except UnicodeDecodeError:
        raise RequestProblem(400, "the request body is not UTF-8") from None
    if media == "application/sparql-query":
        if not body.strip():
            raise RequestProblem(400, EMPTY_QUERY)
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


def reply_response(reply: Reply, vary: str | None = "Accept") -> Response:
    headers = {"Vary": vary} if vary else {}
    if reply.retry_after is not None:
        headers["Retry-After"] = str(reply.retry_after)
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=headers)


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
                f"result rows, {settings.max_response} bytes per result, {settings.max_body} bytes per request; "
                "SERVICE only to the endpoints listed as allowed.",
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
        "RDF_XML",
    ):
        statements.append((service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)))
    if settings.allowed_services:
        statements.append((service, sd("feature"), sd("BasicFederatedQuery")))
    return [ox.Triple(*statement) for statement in statements]


def endpoint_url(request: Request, settings: ServeSettings) -> str:
    """The endpoint's own IRI: as configured, else the address it listens on — never the request's Host header,
    which the client chooses."""
    if settings.endpoint_url:
        return settings.endpoint_url
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    host = f"[{host}]" if ":" in str(host) else str(host)
    return f"http://{host}:{port}/sparql"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


async def sparql(request: Request) -> Response:
    settings: ServeSettings = request.app.state.settings
    pool: WorkerPool = request.app.state.pool
    cache: AnswerCache = request.app.state.cache
    refused: Refused = request.app.state.refused
    try:
        text = await read_query(request, settings)
        if text is not None:
            check_query_shape(text, "query", settings.max_body)
    except RequestProblem as problem_:
        refused(f"HTTP {problem_.reply.status}", client_of(request), str(problem_))
        return reply_response(problem_.reply)
    except QueryTooComplex as error:
        refused("HTTP 400", client_of(request), str(error))
        return reply_response(problem(400, str(error)))
    accept = request.headers.get("accept")
    if text is None:
        description = service_description(endpoint_url(request, settings), pool.triples, settings)
        chosen = negotiate(accept, list(GRAPH_MEDIA))
        if chosen is None:
            return reply_response(not_acceptable(list(GRAPH_MEDIA)))
        media_type, rdf = GRAPH_MEDIA[chosen]
        body = serialize_triples(description, rdf, SD_PREFIXES)
        return reply_response(Reply(200, body, media_type))
    key = (text, accept)
    cached = cache.get(key)
    if cached is not None:
        return reply_response(cached)
    job = QueryJob(text, accept, settings.max_results, settings.allowed_services, settings.max_response)
    reply = await pool.run(job, client_of(request))
    cache.put(key, reply)
    return reply_response(reply)


def _safe_relative(path: str) -> PurePosixPath | None:
    relative = PurePosixPath(path)
    if not path or relative.is_absolute() or any(part in ("..", ".", "") for part in path.split("/")):
        return None
    return relative


async def resource(request: Request) -> Response:
    """A resource IRI: 303 See Other to its page (at its section) or the RDF the client prefers."""
    relative = _safe_relative(request.path_params["path"])
    if relative is None:
        return PlainTextResponse("no such resource\n", status_code=404)
    return _see_other(request, *section_of(str(relative)))


# The project's namespaces under its address, and the page describing each (as the .htaccess routes them).
NAMESPACE_PAGES = {"/ontology": "ontology", "/vocab/": "vocab/index", "/shapes": "shapes"}


async def namespace(request: Request) -> Response:
    """``/ontology``, ``/shapes``, ``/vocab/`` and ``/vocab/{scheme}``: 303 to their page or RDF."""
    path = request.url.path
    if path in NAMESPACE_PAGES:
        return _see_other(request, NAMESPACE_PAGES[path], None)
    relative = _safe_relative(request.path_params.get("path", ""))
    if relative is None:
        return PlainTextResponse("no such resource\n", status_code=404)
    return _see_other(request, f"vocab/{relative}", None)


def _see_other(request: Request, page: str, anchor: str | None) -> Response:
    settings: ServeSettings = request.app.state.settings
    if settings.site is None:
        return PlainTextResponse("no such resource (this server has no site folder)\n", status_code=404)
    suffix = description_suffix(request.headers.get("accept"))
    if suffix == ".html":
        suffix = page_suffix(request.headers.get("accept-language"))
    fragment = f"#{quote(anchor)}" if anchor and suffix.endswith(".html") else ""
    vary = {"Vary": "Accept, Accept-Language"}
    return RedirectResponse(f"/site/{quote(page)}{suffix}{fragment}", status_code=303, headers=vary)


async def home(request: Request) -> Response:
    settings: ServeSettings = request.app.state.settings
    target = "/site/" if settings.site is not None else "/sparql"
    return RedirectResponse(target, status_code=303)


def create_app(settings: ServeSettings, pool: WorkerPool | None = None, refused: Refused | None = None) -> Starlette:
    """The ASGI application; starts the worker pool on startup unless it was started already."""
    log: Refused = refused or (lambda kind, client, message: None)
    workers = pool if pool is not None else WorkerPool(settings.data, settings.pool_limits(), log)

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
        Route("/sparql", sparql, methods=["GET", "HEAD", "POST"]),
        Route("/id/{path:path}", resource, methods=["GET"]),
        *(Route(path, namespace, methods=["GET"]) for path in NAMESPACE_PAGES),
        Route("/vocab/{path:path}", namespace, methods=["GET"]),
    ]
    if settings.site is not None:
        routes.append(Mount("/site", app=StaticFiles(directory=settings.site, html=True), name="site"))
    cors = Middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type"],
        # A browser script sees only the CORS-safelisted response headers unless told; a 503 says when to retry.
        expose_headers=["Retry-After"],
        max_age=3600,
    )
    app = Starlette(routes=routes, middleware=[cors], lifespan=lifespan)
    app.state.settings = settings
    app.state.pool = workers
    app.state.cache = AnswerCache(settings.cache_bytes)
    app.state.refused = log
    return app
