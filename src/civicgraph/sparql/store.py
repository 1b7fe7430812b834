"""Loading a release into an external triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

Each release goes into one named graph per dataset edition, ``{base}graph/{edition}`` (the edition and base that
``dist/release.json`` records, unless told otherwise), and its catalogue (when ``dist/catalog.ttl`` exists) into
``{base}graph/{edition}/catalog``. A GSP ``PUT`` replaces the whole content of
its graph in one request, which stores such as Oxigraph and Fuseki apply as one transaction: a reader sees the
old edition or the new one, never a mix. Loading the same edition again replaces it; a new edition name keeps
the previous one beside it.

A load counts only what the store holds: after each ``PUT`` the graph is read back (GSP ``GET``, N-Triples) and
its triples counted — a store that answers 200 with an HTML page has loaded nothing. ``timeout`` bounds each whole
request (sending, waiting, reading), not each read of the socket: a store that trickles a byte a second is given up
on after ``timeout`` seconds, not after hours.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from civicgraph.sparql.library import RDF_FORMATS, masked_url

EDITION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MEDIA_TYPES: dict[ox.RdfFormat, str] = {
    ox.RdfFormat.N_TRIPLES: "application/n-triples",
    ox.RdfFormat.TURTLE: "text/turtle",
    ox.RdfFormat.JSON_LD: "application/ld+json",
}
GRAPH_FILES = ("graph.nt", "graph.ttl")  # N-Triples first: every store reads it, and fastest
CATALOGUE_FILE = "catalog.ttl"
RELEASE_FILE = "release.json"  # written by the publishing step: {"edition": ..., "base_iri": ..., ...}


class StoreError(Exception):
    """The store could not be reached or refused the data (exit code 4)."""


class ReleaseError(ValueError):
    """The release folder has no graph to load (exit code 3)."""


@dataclass(frozen=True)
class LoadedGraph:
    graph: str  # IRI of the named graph
    source: Path
    triples: int


def graph_iri(base: str, edition: str) -> str:
    if not EDITION.fullmatch(edition):
        raise ValueError(f"edition {edition!r}: use letters, digits, '.', '_' and '-' (e.g. 2024-06)")
    return f"{base}graph/{edition}"


def catalogue_graph_iri(graph: str) -> str:
    return f"{graph}/catalog"


def release_edition(dist: Path) -> tuple[str | None, str | None]:
    """The edition name and base IRI that ``dist/release.json`` records, when the release has that file."""
    try:
        manifest = json.loads((dist / RELEASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(manifest, dict):
        return None, None
    edition, base = manifest.get("edition"), manifest.get("base_iri")
    return (str(edition) if edition else None, str(base) if base else None)


def release_files(dist: Path) -> tuple[Path, Path | None]:
    """The release's graph file and its catalogue (None when the release has none)."""
    graph = next((dist / name for name in GRAPH_FILES if (dist / name).is_file()), None)
    if graph is None:
        raise ReleaseError(f"{dist}: no graph.nt or graph.ttl; run `civicgraph build` first (or give --dist)")
    catalogue = dist / CATALOGUE_FILE
    return graph, catalogue if catalogue.is_file() else None


def within(timeout: float, client: httpx.Client, request: Callable[[], httpx.Response], what: str) -> httpx.Response:
    """``request()`` finished within ``timeout`` seconds as a whole; else the client is closed (which aborts the
    request) and StoreError says so. httpx's own timeouts bound each read, not the request."""
    outcome: dict[str, httpx.Response | BaseException] = {}

    def send() -> None:
        try:
            outcome["response"] = request()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=send, daemon=True, name="civicgraph-store-request")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        client.close()
        worker.join(5)
        raise StoreError(f"{what}: no complete answer within {timeout:g} s")
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, BaseException)
        if isinstance(error, httpx.HTTPError):
            raise StoreError(f"{what}: {type(error).__name__}: {error}") from None
        raise error
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    return response


def put_graph(client: httpx.Client, endpoint: str, graph: str, source: Path, timeout: float = 300.0) -> LoadedGraph:
    """Replace the named graph ``graph`` at a GSP endpoint with the triples of ``source``; the count is what the
    store holds afterwards."""
    rdf = RDF_FORMATS.get(source.suffix.lower())
    if rdf is None or rdf not in MEDIA_TYPES:
        raise ReleaseError(f"{source}: not a Turtle, N-Triples or JSON-LD file")
    body = source.read_bytes()
    try:
        # Parsed before sending: a broken file must not replace a good graph in the store.
        sent = sum(1 for _ in ox.parse(body, format=rdf))
    except SyntaxError as error:
        raise ReleaseError(f"{source}: not valid RDF: {error}") from None
    headers = {"Content-Type": MEDIA_TYPES[rdf]}
    shown = masked_url(endpoint)  # the URL may hold the store's password
    response = within(
        timeout,
        client,
        lambda: client.put(endpoint, params={"graph": graph}, content=body, headers=headers),
        f"{shown} (PUT <{graph}>)",
    )
    if response.status_code not in (200, 201, 204):
        detail = response.text.strip().replace("\n", " ")[:300]
        raise StoreError(f"{shown} refused the graph <{graph}>: HTTP {response.status_code} {detail}")
    held = count_held(client, endpoint, graph, timeout)
    if held != sent:
        raise StoreError(
            f"{shown} answered HTTP {response.status_code} to the graph <{graph}> but holds {held} triples in it, "
            f"not the {sent} of {source}"
        )
    return LoadedGraph(graph, source, held)


def count_held(client: httpx.Client, endpoint: str, graph: str, timeout: float) -> int:
    """The number of triples the store holds in ``graph`` (a GSP GET as N-Triples)."""
    what = f"{masked_url(endpoint)} (GET <{graph}>)"
    response = within(
        timeout,
        client,
        lambda: client.get(endpoint, params={"graph": graph}, headers={"Accept": "application/n-triples"}),
        what,
    )
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if response.status_code != 200 or media != "application/n-triples":
        raise StoreError(
            f"{what}: reading the graph back gave HTTP {response.status_code} {media or 'without a content type'}, "
            "not N-Triples; the store did not load it as a Graph Store Protocol endpoint would"
        )
    try:
        return sum(1 for _ in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as error:
        raise StoreError(f"{what}: the graph read back is not N-Triples: {error}") from None


def load_release(
    endpoint: str, dist: Path, graph: str, client: httpx.Client | None = None, timeout: float = 300.0
) -> list[LoadedGraph]:
    """Put the release's graph (and catalogue, if any) into their named graphs; the graph goes first."""
    graph_file, catalogue = release_files(dist)
    owned = client is None
    client = client if client is not None else httpx.Client(timeout=timeout)
    try:
        loaded = [put_graph(client, endpoint, graph, graph_file, timeout)]
        if catalogue is not None:
            if client.is_closed:  # a request ran out of time: the next one needs a fresh client
                client = httpx.Client(timeout=timeout)
            try:
                loaded.append(put_graph(client, endpoint, catalogue_graph_iri(graph), catalogue, timeout))
            except StoreError as error:
                raise StoreError(
                    f"{error}; the graph <{graph}> was already replaced with the new release ({loaded[0].triples} "
                    f"triples), its catalogue <{catalogue_graph_iri(graph)}> was not"
                ) from None
    finally:
        if owned:
            client.close()
    return loaded
