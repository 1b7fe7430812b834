"""``civicgraph load --endpoint``: the release into a real Oxigraph server (started here on a free loopback port)
through the Graph Store HTTP Protocol; the whole library then gives the same answers there as in-process."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from civicgraph.cli.main import main
from civicgraph.sparql.library import OxigraphEngine, RemoteEngine, bind_parameters, canonical, library

from ..conftest import BASE, DATA
from .test_queries import build_two_reports
from .test_queries_engines import CASES

QUERIES = library()
OXIGRAPH = Path(sys.executable).with_name("oxigraph")  # the CLI of the `oxigraph` package (dev group)
EDITION_GRAPH = BASE + "graph/latest"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not OXIGRAPH.exists():
        pytest.fail(f"{OXIGRAPH} is missing: install the dev group (pip install -e . --group dev)")
    location = tmp_path_factory.mktemp("oxigraph-store")
    port = free_port()
    log = (location.parent / "oxigraph.log").open("w")
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Oxigraph server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def civicgraph(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def count_in(server: str, graph: str) -> int:
    response = httpx.post(
        server + "/query",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release folder holding the graph of two reports (Poznań 2023 and the second member-year fixture)."""
    folder = tmp_path_factory.mktemp("release")
    build_two_reports(folder)
    return folder


@pytest.fixture(scope="module")
def loaded(oxigraph_server: str, release: Path) -> str:
    result = civicgraph("load", "--endpoint", oxigraph_server + "/store", "--dist", str(release), "--data", str(DATA))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [EDITION_GRAPH]
    assert f"into <{EDITION_GRAPH}>" in result.stderr
    return oxigraph_server


def test_the_graph_is_in_its_named_graph(loaded: str, release: Path) -> None:
    assert count_in(loaded, EDITION_GRAPH) == len((release / "graph.nt").read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def in_process(release: Path) -> OxigraphEngine:
    return OxigraphEngine.from_file(release / "graph.nt")


@pytest.mark.parametrize(("name", "params"), CASES)
def test_the_library_gives_the_same_answers_in_the_store(
    loaded: str, in_process: OxigraphEngine, name: str, params: dict[str, str]
) -> None:
    query = QUERIES[name]
    bindings = bind_parameters(query, params)
    expected = in_process.run(query.text, bindings)
    remote = RemoteEngine(loaded + "/query", default_graph=EDITION_GRAPH).run(query.text, bindings)
    assert canonical(remote) == canonical(expected)


def test_loading_again_replaces_the_edition_and_keeps_others(loaded: str, release: Path, tmp_path: Path) -> None:
    triples = len((release / "graph.nt").read_text(encoding="utf-8").splitlines())
    again = civicgraph("load", "--endpoint", loaded + "/store", "--dist", str(release), "--data", str(DATA))
    assert again.exit_code == 0
    assert count_in(loaded, EDITION_GRAPH) == triples  # replaced, not added to
    # A smaller release of another edition goes beside it, and does not touch it.
    small = tmp_path / "dist"
    small.mkdir()
    lines = (release / "graph.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    (small / "graph.nt").write_text("".join(lines[:10]), encoding="utf-8")
    other = civicgraph("load", "--endpoint", loaded + "/store", "--dist", str(small), "--edition", "2024-06")
    assert other.stdout.splitlines() == [BASE + "graph/2024-06"]
    assert count_in(loaded, BASE + "graph/2024-06") == 10
    assert count_in(loaded, EDITION_GRAPH) == triples


def test_the_edition_defaults_to_the_one_the_release_records(oxigraph_server: str, dist: Path) -> None:
    manifest = dist / "release.json"
    assert manifest.is_file(), "publishing always writes release.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    result = civicgraph("load", "--endpoint", oxigraph_server + "/store", "--dist", str(dist))
    assert result.exit_code == 0, result.output
    graph = f"{recorded['base_iri']}graph/{recorded['edition']}"
    assert result.stdout.splitlines()[0] == graph
    assert count_in(oxigraph_server, graph) == len((dist / "graph.nt").read_text(encoding="utf-8").splitlines())


def test_the_catalogue_goes_into_its_own_graph(loaded: str, dist: Path, tmp_path: Path) -> None:
    release = tmp_path / "dist"
    shutil.copytree(dist, release)
    (release / "catalog.ttl").write_text(
        "<https://w3id.org/civicgraph/id/dataset> a <http://www.w3.org/ns/dcat#Dataset> ;\n"
        '  <http://purl.org/dc/terms/title> "civicgraph"@en .\n',
        encoding="utf-8",
    )
    graph = "https://example.org/civicgraph/test-edition"
    result = civicgraph("load", "--endpoint", loaded + "/store", "--dist", str(release), "--graph", graph)
    assert result.stdout.splitlines() == [graph, graph + "/catalog"]
    assert count_in(loaded, graph + "/catalog") == 2


# How the operating system words a refused connection, as httpx passes it on.
CONNECTION_REFUSED = f"[Errno {errno.ECONNREFUSED}] {os.strerror(errno.ECONNREFUSED)}"


def recorded_graph(dist: Path) -> str:
    """The named graph of the edition dist/release.json records (sparql/store.py: {base}graph/{edition})."""
    recorded = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    return f"{recorded['base_iri']}graph/{recorded['edition']}"


def test_an_unreachable_store_exits_4(dist: Path) -> None:
    port = free_port()
    result = civicgraph("load", "--endpoint", f"http://loader:secret@127.0.0.1:{port}/store", "--dist", str(dist))
    assert result.exit_code == 4
    # sparql/store.py's within(): "{what}: {error type}: {error}", the URL's password masked (masked_url).
    assert result.stderr == (
        f"Error: http://loader:***@127.0.0.1:{port}/store (PUT <{recorded_graph(dist)}>): "
        f"ConnectError: {CONNECTION_REFUSED}\n"
    )
    assert "secret" not in result.output


def test_a_store_refusing_the_data_exits_4(oxigraph_server: str, dist: Path) -> None:
    # The query endpoint does not accept PUT: the store's refusal is reported, with its status and its words.
    graph = recorded_graph(dist)
    store_says = httpx.put(
        oxigraph_server + "/query",
        params={"graph": graph},
        content=b"",
        headers={"Content-Type": "application/n-triples"},
    )
    assert 400 <= store_says.status_code < 500
    result = civicgraph("load", "--endpoint", oxigraph_server + "/query", "--dist", str(dist))
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {oxigraph_server}/query refused the graph <{graph}>: "
        f"HTTP {store_says.status_code} {store_says.text.strip()}\n"
    )


def test_a_missing_release_exits_3(tmp_path: Path) -> None:
    result = civicgraph("load", "--endpoint", "http://127.0.0.1:9/store", "--dist", str(tmp_path / "nothing"))
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {tmp_path / 'nothing'}: no graph.nt or graph.ttl; run `civicgraph build` first (or give --dist)\n"
    )


def test_a_broken_graph_file_is_not_sent(tmp_path: Path) -> None:
    (tmp_path / "graph.nt").write_text("<a> <b> .\n", encoding="utf-8")
    result = civicgraph("load", "--endpoint", "http://127.0.0.1:9/store", "--dist", str(tmp_path))
    assert result.exit_code == 3
    # "{file}: not valid RDF: {the parser's message}" (sparql/store.py), on one line; "<a>" is no absolute IRI.
    assert re.fullmatch(
        re.escape(f"Error: {tmp_path / 'graph.nt'}: not valid RDF: ") + r"Parser error at line 1 [^\n]+\n",
        result.stderr,
    ), result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "localhost:7878/store"], "--endpoint 'localhost:7878/store': give an http(s) URL"),
        (
            ["--endpoint", "http://127.0.0.1:9/store", "--edition", "a b"],
            "edition 'a b': use letters, digits, '.', '_' and '-'",
        ),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = civicgraph("load", *args, "--data", str(DATA))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"  # cli/load.py


def test_civicgraph_query_reads_an_edition_in_the_store(loaded: str, release: Path) -> None:
    args = ["query", "members-of-organisation", "-p", "organisation=zmp", "-f", "csv"]
    remote = civicgraph(*args, "--endpoint", loaded + "/query", "--graph", EDITION_GRAPH)
    local = civicgraph(*args, "--data", str(release / "graph.nt"))
    assert remote.exit_code == 0
    assert remote.stdout_bytes == local.stdout_bytes
    # Poznań, and Gmina Przykładowa ("członkiem [...] Związku Miast Polskich") of the second fixture
    assert [line.split(",")[3] for line in remote.stdout.splitlines()[1:]] == ["3064011", "3099011"]


def test_civicgraph_query_against_an_unreachable_endpoint_exits_4() -> None:
    port = free_port()
    result = civicgraph("query", "is-member", "--endpoint", f"http://reader:secret@127.0.0.1:{port}/query")
    assert result.exit_code == 4
    # sparql/library.py's RemoteEngine: "{endpoint, password masked}: {error}".
    assert result.stderr == f"Error: http://reader:***@127.0.0.1:{port}/query: {CONNECTION_REFUSED}\n"
