"""Answering one query: the refusals checked first, the engine's result, and its bytes in the format the client
asks for. This runs in the query worker processes (:mod:`civicgraph.sparql.workers`); the HTTP side
(:mod:`civicgraph.sparql.endpoint`) shares the replies and the content negotiation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from civicgraph.sparql.guard import QueryTooComplex, check_query_shape
from civicgraph.sparql.library import (
    Boolean,
    OxigraphEngine,
    QueryExecutionError,
    QueryResult,
    QuerySyntaxError,
    QueryUsageError,
    ResultTooLarge,
    Solutions,
    UnwritableResult,
    UpdateRefused,
    serialize_triples,
    to_csv,
    to_sparql_json,
    to_sparql_xml,
    to_tsv,
)

READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one request (sent through a pipe, so it is plain data)."""

    query: str
    accept: str | None
    max_results: int
    allowed_services: frozenset[str]
    max_response: int = 16 * 1024 * 1024  # bytes of the serialized result


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    retry_after: int | None = None  # seconds, for a 503 that may go away

    @property
    def cacheable(self) -> bool:
        return self.status == 200


def problem(status: int, message: str, retry_after: int | None = None) -> Reply:
    return Reply(status, (message.rstrip() + "\n").encode("utf-8"), retry_after=retry_after)


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
    # SPARQLWrapper asks for RDF/XML by default for CONSTRUCT and DESCRIBE.
    "application/rdf+xml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
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


def too_large(limit: int) -> Reply:
    return problem(
        413,
        f"query refused: the result is larger than {limit} bytes, the limit of this endpoint; add LIMIT or "
        "narrow the query",
    )


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
        check_query_shape(job.query, "query")  # the HTTP side checked already; a worker must never crash on one
        refusal = check_services(job.query, job.allowed_services)
        if refusal is not None:
            return problem(400, refusal)
        result = engine.run(job.query, max_results=job.max_results, source="query")
        reply = render(result, job.accept)
    except QueryTooComplex as error:
        return problem(400, str(error))
    except UpdateRefused:
        return problem(403, READ_ONLY)
    except QuerySyntaxError as error:
        return problem(400, str(error))
    except ResultTooLarge as error:
        return problem(422, f"query refused: {error}")
    except UnwritableResult as error:  # the format the client asked for cannot carry this result: nothing acceptable
        return problem(406, str(error))
    except QueryUsageError as error:
        return problem(400, str(error))
    except QueryExecutionError as error:
        return problem(502 if job.allowed_services else 500, str(error))
    return too_large(job.max_response) if len(reply.body) > job.max_response else reply
