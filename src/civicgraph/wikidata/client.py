"""The one module that talks to Wikidata over the network: a careful, cached, read-only client.

It follows the Wikimedia API etiquette (https://www.mediawiki.org/wiki/API:Etiquette): a descriptive User-Agent
with a contact, ``maxlag=5`` on every API request, one request at a time with a pause between requests, and
retries with backoff on 429 (honouring ``Retry-After``), 5xx and ``maxlag`` errors. Every answer is checked
against the shape this module relies on before anything uses it — a huge body, JSON that is not the documented
shape, or an identifier that is not a Wikidata item (``Q…``) is refused with a clear message — and only then
cached on disk, keyed by a hash of the request, so a second run needs no network and ``offline`` runs need none
at all. Nothing here writes to Wikidata.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rdflib import Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateAlgebra, traverse
from rdflib.plugins.sparql.parserutils import CompValue

from civicgraph import __version__

API_URL = "https://www.wikidata.org/w/api.php"
SPARQL_URL = "https://query.wikidata.org/sparql"
ENTITY_PREFIX = "http://www.wikidata.org/entity/"
DIRECT_PROPERTY_PREFIX = "http://www.wikidata.org/prop/direct/"
TERYT_PROPERTY = "P1653"  # TERYT municipality code
LANGUAGES = ("pl", "en")

QID = re.compile(r"Q[1-9][0-9]{0,11}")
PID = re.compile(r"P[1-9][0-9]{0,11}")
# An email address or an http(s) URL, on one line: it goes into an HTTP header.
CONTACT = re.compile(r"[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+|https?://[^\s<>()\"]+")

# Items found by the value of an identifier property; the property and the value are bound as RDF terms into
# the parsed query, and rdflib writes the query text, so no value can change the query's meaning.
_IDENTIFIER_QUERY = "SELECT DISTINCT ?item WHERE { ?item ?identifierProperty ?identifier . } ORDER BY ?item LIMIT 50"

T = TypeVar("T")
Sleep = Callable[[float], None]
Clock = Callable[[], float]


class WikidataError(Exception):
    """Wikidata could not be reached, or answered something unusable; the message says which and why."""


class OfflineMiss(WikidataError):
    """``offline`` was asked and the cache holds no answer for a request."""


@dataclass(frozen=True)
class ClientSettings:
    """How the client talks to Wikidata; the defaults are for the real services, tests point it at loopback."""

    api_url: str = API_URL
    sparql_url: str = SPARQL_URL
    contact: str | None = None  # required for network requests: Wikimedia asks every client for one
    maxlag: int = 5  # seconds of database replication lag above which the API asks us to come back later
    min_interval: float = 1.0  # seconds between the starts of two network requests
    timeout: float = 30.0  # seconds for connecting and for reading a whole answer
    max_attempts: int = 5  # tries per request, counting the first
    backoff: float = 2.0  # first wait (seconds) when the server gives no Retry-After; doubles each retry
    max_wait: float = 120.0  # the longest single wait; a longer Retry-After ends the run instead
    max_bytes: int = 16_000_000  # answers above this are refused (a full item with all claims is ~1 MB)
    cache_dir: Path = Path(".cache/wikidata")
    offline: bool = False  # use only the cache
    refresh: bool = False  # ignore cached answers (they are still written)


@dataclass(frozen=True)
class SearchHit:
    qid: str
    label: str | None
    description: str | None


@dataclass(frozen=True)
class Entity:
    """The parts of a Wikidata item that linking uses."""

    qid: str
    labels: Mapping[str, str] = field(default_factory=dict)  # language -> label
    descriptions: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # property -> string values
    redirected_from: str | None = None


@dataclass(frozen=True)
class Identifier:
    """A value of ours that Wikidata may hold under an identifier property, e.g. TERYT 3064011 as P1653."""

    property: str
    value: str
    method: str  # the match method it proves: teryt | krs


@dataclass(frozen=True)
class Lookup:
    """What to look for: identifiers first; labels only when no identifier finds an item."""

    identifiers: tuple[Identifier, ...]
    search_terms: tuple[str, ...]
    language: str = "pl"


@dataclass(frozen=True)
class Found:
    """A candidate item and how it was found: by an identifier, or (``via`` None) by searching a label."""

    entity: Entity
    via: Identifier | None


def user_agent(contact: str) -> str:
    """The User-Agent of the Wikimedia policy: ``client/version (contact) library/version``."""
    if not CONTACT.fullmatch(contact):
        raise WikidataError(
            f"{contact!r} is not an email address or an http(s) URL; Wikimedia asks for a way to reach you"
        )
    return f"civicgraph/{__version__} ({contact}) httpx/{httpx.__version__}"


def find_candidates(client: WikidataClient, lookup: Lookup) -> list[Found]:
    """Items that may be the thing looked up: by identifier first, then by searching its labels."""
    for identifier in lookup.identifiers:
        qids = client.items_with_identifier(identifier.property, identifier.value)
        if qids:
            entities = client.entities(qids, identifier_properties=_properties(lookup))
            return [Found(entities[qid], identifier) for qid in qids if qid in entities]
    qids = []
    for term in lookup.search_terms:
        qids.extend(hit.qid for hit in client.search(term, lookup.language))
    qids = list(dict.fromkeys(qids))
    if not qids:
        return []
    entities = client.entities(qids, identifier_properties=_properties(lookup))
    return [Found(entities[qid], None) for qid in qids if qid in entities]


def _properties(lookup: Lookup) -> tuple[str, ...]:
    return tuple(sorted({identifier.property for identifier in lookup.identifiers}))


class WikidataClient:
    """Read-only access to the Wikidata API and query service, with etiquette, checks and a disk cache."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self.network_requests = 0
        self._last_request: float | None = None
        self._http: httpx.Client | None = None
        self._transport = transport

    def __enter__(self) -> WikidataClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # -- the three requests linking needs ------------------------------------------------------------------

    def search(self, term: str, language: str = "pl", limit: int = 20) -> list[SearchHit]:
        """Items whose label or alias starts with ``term`` (``wbsearchentities``)."""
        params = {
            "action": "wbsearchentities",
            "search": term,
            "language": language,
            "uselang": language,
            "type": "item",
            "limit": str(limit),
            "format": "json",
        }
        return self._api(params, f"wbsearchentities search={term!r}", parse_search)

    def entities(self, qids: Iterable[str], identifier_properties: tuple[str, ...] = ()) -> dict[str, Entity]:
        """Labels, descriptions, aliases and identifier values of items (``wbgetentities``, 50 at a time)."""
        wanted = sorted(set(qids), key=lambda q: int(q[1:]))
        for qid in wanted:
            _check_qid(qid, "a requested item")
        found: dict[str, Entity] = {}
        for start in range(0, len(wanted), 50):
            batch = wanted[start : start + 50]
            params = {
                "action": "wbgetentities",
                "ids": "|".join(batch),
                "props": "labels|descriptions|aliases|claims",
                "languages": "|".join(LANGUAGES),
                "format": "json",
            }
            read = partial(parse_entities, requested=batch, identifier_properties=identifier_properties)
            found.update(self._api(params, f"wbgetentities ids={'|'.join(batch)}", read))
        return found

    def items_with_identifier(self, property: str, value: str) -> list[str]:
        """Items with ``property`` = ``value`` (an external identifier such as TERYT), via the query service."""
        if not PID.fullmatch(property):
            raise WikidataError(f"{property!r} is not a Wikidata property identifier (P…)")
        query = identifier_query(property, value)
        params = {"query": query, "format": "json"}
        describe = f"SPARQL items with {property} = {value!r}"
        return self._get(self.settings.sparql_url, params, describe, parse_sparql_items, sparql=True)

    # -- transport -----------------------------------------------------------------------------------------

    def _api(self, params: dict[str, str], describe: str, parse: Callable[[Any], T]) -> T:
        params = {**params, "maxlag": str(self.settings.maxlag)}
        return self._get(self.settings.api_url, params, describe, parse, sparql=False)

    def _get(self, url: str, params: dict[str, str], describe: str, parse: Callable[[Any], T], *, sparql: bool) -> T:
        """An answer read by ``parse`` (which refuses a wrong shape), from the cache when it has one, else from
        the network; only an answer ``parse`` accepted is cached."""
        cache_file = self.settings.cache_dir / f"{cache_key(url, params)}.json"
        if not self.settings.refresh or self.settings.offline:
            cached = _read_cache(cache_file, describe)
            if cached is not None:
                return _parse(parse, cached, f"{describe} (cached in {cache_file})")
        if self.settings.offline:
            raise OfflineMiss(
                f"offline: no cached answer for {describe} (expected {cache_file}); "
                "run once without --offline to fetch it"
            )
        data = self._fetch(url, params, describe, sparql=sparql)
        result = _parse(parse, data, describe)
        _write_cache(cache_file, url, params, data)
        return result

    def _client(self) -> httpx.Client:
        if self._http is None:
            if not self.settings.contact:
                raise WikidataError(
                    "Wikimedia asks API clients to say who they are: give --contact (an email address or a URL "
                    "where you can be reached) or set CIVICGRAPH_WIKIDATA_CONTACT"
                )
            self._http = httpx.Client(
                headers={"User-Agent": user_agent(self.settings.contact), "Accept-Encoding": "gzip"},
                timeout=httpx.Timeout(self.settings.timeout),
                transport=self._transport,
                follow_redirects=False,
            )
        return self._http

    def _fetch(self, url: str, params: dict[str, str], describe: str, *, sparql: bool) -> Any:
        """One request with retries: waits on 429, 5xx, maxlag and timeouts; fails at once on anything else."""
        accept = "application/sparql-results+json" if sparql else "application/json"
        problem = ""
        for attempt in range(1, self.settings.max_attempts + 1):
            self._pace()
            outcome = self._attempt(url, params, accept, describe)
            if isinstance(outcome, _Retry):
                problem = outcome.problem
                if attempt < self.settings.max_attempts:
                    self._wait(outcome, attempt, describe)
                continue
            return outcome.data
        raise WikidataError(f"{describe}: gave up after {self.settings.max_attempts} attempts; last: {problem}")

    def _pace(self) -> None:
        """Keep ``min_interval`` seconds between the starts of two requests (Wikimedia: no parallel bursts)."""
        now = self.clock()
        if self._last_request is not None:
            pause = self._last_request + self.settings.min_interval - now
            if pause > 0:
                self.sleep(pause)
                now += pause
        self._last_request = now
        self.network_requests += 1

    def _wait(self, retry: _Retry, attempt: int, describe: str) -> None:
        if retry.retry_after is not None:
            if retry.retry_after > self.settings.max_wait:
                raise WikidataError(
                    f"{describe}: {retry.problem}; Wikidata asks to wait {retry.retry_after:g} s (Retry-After), "
                    f"longer than the {self.settings.max_wait:g} s allowed; try again later"
                )
            self.sleep(retry.retry_after)
        else:
            self.sleep(min(self.settings.backoff * 2 ** (attempt - 1), self.settings.max_wait))

    def _attempt(self, url: str, params: dict[str, str], accept: str, describe: str) -> _Retry | _Answer:
        fetched = self._within_timeout(lambda: self._exchange(url, params, accept, describe))
        if isinstance(fetched, _Retry):
            return fetched
        status, retry_after, body = fetched
        if status == 429:
            return _Retry("HTTP 429 Too Many Requests", retry_after)
        lag = _maxlag_info(body)
        if lag is not None:  # the API may answer maxlag with HTTP 200 or 503, always with this error body
            return _Retry(f"maxlag: {lag}", retry_after)
        if status != 200:
            return _Retry(f"HTTP {status}", retry_after)
        data = parse_json(body, describe)
        if _is_api_error(data):
            code, info = _api_error(data)
            raise WikidataError(f"{describe}: the Wikidata API refused the request ({code}: {info})")
        return _Answer(data)

    def _exchange(self, url: str, params: dict[str, str], accept: str, describe: str) -> _Exchange | _Retry:
        """One request: its status, Retry-After and body (the body only when it is worth reading)."""
        try:
            with self._client().stream("GET", url, params=params, headers={"Accept": accept}) as response:
                retry_after = _retry_after(response)
                if response.status_code == 429:
                    return response.status_code, retry_after, b""
                if response.status_code not in (200, 500, 502, 503, 504):
                    raise WikidataError(f"{describe}: HTTP {response.status_code} from {url}")
                return response.status_code, retry_after, self._read_body(response, describe)
        except httpx.TimeoutException:
            return _Retry(f"no complete answer within {self.settings.timeout:g} s", None)
        except httpx.DecodingError as error:  # e.g. a body that says gzip and is not
            raise WikidataError(f"{describe}: the answer cannot be decoded ({error}); refused") from None
        except httpx.TransportError as error:
            return _Retry(f"cannot reach {url}: {error}", None)

    def _within_timeout(self, exchange: Callable[[], _Exchange | _Retry]) -> _Exchange | _Retry:
        """``exchange()`` finished within ``timeout`` seconds as a whole — httpx's timeouts bound each socket read,
        and a server sending a byte a second never passes them. Past the deadline the connection is closed."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = exchange()
            except BaseException as error:  # handed to the caller's thread
                outcome["error"] = error

        worker = threading.Thread(target=run, daemon=True, name="civicgraph-wikidata-request")
        worker.start()
        worker.join(self.settings.timeout)
        if worker.is_alive():
            self.close()  # aborts the request; the next attempt opens a new connection
            worker.join(5)
            return _Retry(f"no complete answer within {self.settings.timeout:g} s", None)
        if "error" in outcome:
            raise outcome["error"]
        result: _Exchange | _Retry = outcome["value"]
        return result

    def _read_body(self, response: httpx.Response, describe: str) -> bytes:
        """The body, refused when it exceeds ``max_bytes`` or takes longer than ``timeout`` as a whole."""
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise WikidataError(f"{describe}: the answer is {int(declared)} bytes, more than the {limit} allowed")
        deadline = self.clock() + self.settings.timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise WikidataError(f"{describe}: the answer is larger than the {limit} bytes allowed; refused")
            if self.clock() > deadline:
                raise httpx.ReadTimeout("the whole answer took too long", request=response.request)
            chunks.append(chunk)
        return b"".join(chunks)


@dataclass(frozen=True)
class _Retry:
    problem: str
    retry_after: float | None


@dataclass(frozen=True)
class _Answer:
    data: Any


_Exchange = tuple[int, float | None, bytes]  # status, Retry-After, body


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (ASCII digits only: ``"²".isdigit()`` is true); an HTTP date is not
    used (it would need the clock)."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


# -- the cache ------------------------------------------------------------------------------------------------


def cache_key(url: str, params: Mapping[str, str]) -> str:
    """A stable hash of a request; ``maxlag`` is left out since it does not change the answer."""
    request = {"url": url, "params": {k: v for k, v in params.items() if k != "maxlag"}}
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _read_cache(path: Path, describe: str) -> Any | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise WikidataError(f"{describe}: cannot read the cached answer {path} ({error.strerror})") from None
    record = parse_json(raw, f"{describe} (cached in {path})")
    if not isinstance(record, dict) or "response" not in record:
        raise WikidataError(f"{describe}: {path} is not a civicgraph cache record; delete it")
    return record["response"]


def _write_cache(path: Path, url: str, params: Mapping[str, str], data: Any) -> None:
    """Written whole or not at all (a temporary file renamed into place)."""
    record = {
        "request": {"url": url, "params": {k: v for k, v in params.items() if k != "maxlag"}},
        "response": data,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as out:
        json.dump(record, out, ensure_ascii=False, sort_keys=True, indent=1)
        out.write("\n")
    os.replace(out.name, path)


# -- SPARQL ---------------------------------------------------------------------------------------------------


def identifier_query(property: str, value: str) -> str:
    """The query text for items with ``property`` = ``value``, made from the parsed query with bound terms."""
    bindings = {
        Variable("identifierProperty"): URIRef(DIRECT_PROPERTY_PREFIX + property),
        Variable("identifier"): Literal(value),
    }

    def bind(node: Any) -> Any:
        if isinstance(node, CompValue) and node.name == "BGP":
            node["triples"] = [tuple(bindings.get(term, term) for term in triple) for triple in node["triples"]]
            return node
        return None

    query = prepareQuery(_IDENTIFIER_QUERY)  # parsed afresh: binding changes the algebra in place
    query.algebra = traverse(query.algebra, visitPost=bind)
    return str(translateAlgebra(query))


# -- checking answers -----------------------------------------------------------------------------------------


def parse_json(body: bytes, describe: str) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity, no duplicate keys."""

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        return json.loads(body.decode("utf-8"), parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as error:
        start = body[:60].decode("utf-8", errors="replace")
        raise WikidataError(f"{describe}: the answer is not valid JSON ({error}); it starts with {start!r}") from None


def _parse(parse: Callable[[Any], T], data: Any, describe: str) -> T:
    try:
        return parse(data)
    except WikidataError as error:
        raise WikidataError(f"{describe}: {error}") from None


def _is_api_error(data: Any) -> bool:
    return isinstance(data, dict) and "error" in data


def _api_error(data: dict[str, Any]) -> tuple[str, str]:
    error = data["error"]
    if not isinstance(error, dict):
        return "unknown", repr(error)[:200]
    return str(error.get("code", "unknown")), str(error.get("info", ""))[:200]


def _maxlag_info(body: bytes) -> str | None:
    """The ``info`` of a ``maxlag`` error body (``{"error": {"code": "maxlag", ...}}``), else None."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), dict) and data["error"].get("code") == "maxlag":
        return str(data["error"].get("info", "the database is lagging"))[:200]
    return None


def _check_qid(value: Any, what: str) -> str:
    if not isinstance(value, str) or not QID.fullmatch(value):
        raise WikidataError(f"{what}: {value!r} is not a Wikidata item identifier (Q followed by digits); refused")
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object; MediaWiki writes an empty one as ``[]``."""
    if value == []:
        return {}
    if not isinstance(value, dict):
        raise WikidataError(f"{what}: expected a JSON object, got {type(value).__name__}")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise WikidataError(f"{what}: expected a string, got {type(value).__name__}")
    return value


def parse_search(data: Any) -> list[SearchHit]:
    """The hits of a ``wbsearchentities`` answer; a hit that is not an item (``Q…``) refuses the answer."""
    data = _object(data, "wbsearchentities answer")
    hits = data.get("search")
    if not isinstance(hits, list):
        raise WikidataError("wbsearchentities answer: no list under 'search'")
    result: list[SearchHit] = []
    for index, hit in enumerate(hits):
        where = f"wbsearchentities answer, hit {index}"
        hit = _object(hit, where)
        qid = _check_qid(hit.get("id"), where)
        label = _text(hit["label"], f"{where}.label") if "label" in hit else None
        description = _text(hit["description"], f"{where}.description") if "description" in hit else None
        result.append(SearchHit(qid, label, description))
    return result


def parse_entities(data: Any, requested: list[str], identifier_properties: tuple[str, ...]) -> dict[str, Entity]:
    """The items of a ``wbgetentities`` answer, keyed by the requested identifier; missing items are left out."""
    data = _object(data, "wbgetentities answer")
    entities = _object(data.get("entities"), "wbgetentities answer.entities")
    found: dict[str, Entity] = {}
    for key, raw in entities.items():
        where = f"wbgetentities answer, entity {key!r}"
        _check_qid(key, where)
        if key not in requested:
            raise WikidataError(f"{where}: not one of the requested items")
        raw = _object(raw, where)
        if "missing" in raw:
            continue
        qid = _check_qid(raw.get("id"), f"{where}.id")
        redirected = _redirect(raw, key, qid, where)
        found[key] = Entity(
            qid=qid,
            labels=_values(raw.get("labels", {}), f"{where}.labels"),
            descriptions=_values(raw.get("descriptions", {}), f"{where}.descriptions"),
            aliases=_aliases(raw.get("aliases", {}), f"{where}.aliases"),
            identifiers=_identifiers(raw.get("claims", {}), identifier_properties, f"{where}.claims"),
            redirected_from=redirected,
        )
    return found


def _redirect(raw: dict[str, Any], key: str, qid: str, where: str) -> str | None:
    if qid == key:
        return None
    redirects = _object(raw.get("redirects"), f"{where}.redirects")
    if redirects.get("from") != key or redirects.get("to") != qid:
        raise WikidataError(f"{where}: answered with item {qid} without saying it is a redirect")
    return key


def _values(value: Any, where: str) -> dict[str, str]:
    """``{"pl": {"language": "pl", "value": "Poznań"}}`` → ``{"pl": "Poznań"}``."""
    result: dict[str, str] = {}
    for language, term in _object(value, where).items():
        term = _object(term, f"{where}.{language}")
        result[language] = _text(term.get("value"), f"{where}.{language}.value")
    return result


def _aliases(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    for language, terms in _object(value, where).items():
        if not isinstance(terms, list):
            raise WikidataError(f"{where}.{language}: expected a list")
        result[language] = tuple(
            _text(_object(t, f"{where}.{language}").get("value"), f"{where}.{language}.value") for t in terms
        )
    return result


def _identifiers(value: Any, properties: tuple[str, ...], where: str) -> dict[str, tuple[str, ...]]:
    """String values of the identifier properties asked for; deprecated statements and no/some-value skipped."""
    claims = _object(value, where)
    result: dict[str, tuple[str, ...]] = {}
    for property in properties:
        statements = claims.get(property, [])
        if not isinstance(statements, list):
            raise WikidataError(f"{where}.{property}: expected a list of statements")
        values: list[str] = []
        for index, statement in enumerate(statements):
            here = f"{where}.{property}[{index}]"
            statement = _object(statement, here)
            if statement.get("rank") == "deprecated":
                continue
            snak = _object(statement.get("mainsnak"), f"{here}.mainsnak")
            if snak.get("snaktype") != "value":
                continue
            datavalue = _object(snak.get("datavalue"), f"{here}.mainsnak.datavalue")
            if datavalue.get("type") != "string":
                raise WikidataError(f"{here}: expected a string value for identifier property {property}")
            values.append(_text(datavalue.get("value"), f"{here}.mainsnak.datavalue.value"))
        if values:
            result[property] = tuple(values)
    return result


def parse_sparql_items(data: Any) -> list[str]:
    """The ``?item`` column of SPARQL JSON results, each an entity IRI ``http://www.wikidata.org/entity/Q…``."""
    data = _object(data, "SPARQL answer")
    head = _object(data.get("head"), "SPARQL answer.head")
    variables = head.get("vars")
    if not isinstance(variables, list) or "item" not in variables:
        raise WikidataError("SPARQL answer: head.vars does not list 'item'")
    bindings = _object(data.get("results"), "SPARQL answer.results").get("bindings")
    if not isinstance(bindings, list):
        raise WikidataError("SPARQL answer: results.bindings is not a list")
    qids: list[str] = []
    for index, row in enumerate(bindings):
        where = f"SPARQL answer, row {index}"
        item = _object(_object(row, where).get("item"), f"{where}.item")
        iri = item.get("value")
        if item.get("type") != "uri" or not isinstance(iri, str) or not iri.startswith(ENTITY_PREFIX):
            raise WikidataError(f"{where}: {iri!r} is not a Wikidata entity IRI; refused")
        qids.append(_check_qid(iri.removeprefix(ENTITY_PREFIX), where))
    return list(dict.fromkeys(qids))
