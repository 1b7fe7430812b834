"""Loading a release into an external triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

Each release goes into one named graph per dataset edition, ``{base}graph/{edition}`` (the edition and base that
``dist/release.json`` records, unless told otherwise), and its catalogue (when ``dist/catalog.ttl`` exists) into
``{base}graph/{edition}/catalog``. A GSP ``PUT`` replaces the whole content of
its graph in one request, which stores such as Oxigraph and Fuseki apply as one transaction: a reader sees the
old edition or the new one, never a mix. Loading the same edition again replaces it; a new edition name keeps
the previous one beside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from civicgraph.sparql.library import RDF_FORMATS

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


def put_graph(client: httpx.Client, endpoint: str, graph: str, source: Path) -> LoadedGraph:
    """Replace the named graph ``graph`` at a GSP endpoint with the triples of ``source``."""
    rdf = RDF_FORMATS.get(source.suffix.lower())
    if rdf is None or rdf not in MEDIA_TYPES:
        raise ReleaseError(f"{source}: not a Turtle, N-Triples or JSON-LD file")
    body = source.read_bytes()
    try:
        # Parsed before sending: a broken file must not replace a good graph in the store.
        triples = sum(1 for _ in ox.parse(body, format=rdf))
    except SyntaxError as error:
        raise ReleaseError(f"{source}: not valid RDF: {error}") from None
    try:
        response = client.put(
            endpoint, params={"graph": graph}, content=body, headers={"Content-Type": MEDIA_TYPES[rdf]}
        )
    except httpx.HTTPError as error:
        raise StoreError(f"{endpoint}: {type(error).__name__}: {error}") from None
    if response.status_code not in (200, 201, 204):
        detail = response.text.strip().replace("\n", " ")[:300]
        raise StoreError(f"{endpoint} refused the graph <{graph}>: HTTP {response.status_code} {detail}")
    return LoadedGraph(graph, source, triples)


def load_release(
    endpoint: str, dist: Path, graph: str, client: httpx.Client | None = None, timeout: float = 300.0
) -> list[LoadedGraph]:
    """Put the release's graph (and catalogue, if any) into their named graphs; the graph goes first."""
    graph_file, catalogue = release_files(dist)
    owned = client is None
    client = client if client is not None else httpx.Client(timeout=timeout)
    try:
        loaded = [put_graph(client, endpoint, graph, graph_file)]
        if catalogue is not None:
            loaded.append(put_graph(client, endpoint, catalogue_graph_iri(graph), catalogue))
    finally:
        if owned:
            client.close()
    return loaded
