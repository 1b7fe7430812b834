"""``civicgraph load`` against a fake Graph Store Protocol store on loopback that fails in the ways real ones do:
trickling its answer, answering 200 with an HTML page, taking the graph and refusing the catalogue. And the
options a careless user gives (a negative or NaN timeout, an unparseable URL)."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from civicgraph.cli.main import main
from civicgraph.sparql.library import masked_url

GRAPH = "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
CATALOGUE = "<http://example.org/c> <http://example.org/p> <http://example.org/d> .\n"
IRI = "http://example.org/graph/latest"


class FakeStore(BaseHTTPRequestHandler):
    """Stores graphs by name, misbehaving as ``server.mode`` says."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _graph(self) -> str:
        return parse_qs(urlsplit(self.path).query).get("graph", [""])[0]

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.authorization = self.headers.get("Authorization")  # type: ignore[attr-defined]
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", "60")
            self.end_headers()
            for _ in range(60):  # a byte a second: every socket read is quick, the whole answer never comes
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
            return
        if mode == "refuse-catalogue" and self._graph().endswith("/catalog"):
            self._answer(500, "text/plain", b"disk full")
            return
        if mode != "html":
            self.server.graphs[self._graph()] = body  # type: ignore[attr-defined]
        self._answer(200, "text/html", b"<html><body>Welcome to our portal</body></html>")

    def do_GET(self) -> None:
        stored = self.server.graphs.get(self._graph())  # type: ignore[attr-defined]
        if stored is None:
            self._answer(200, "text/html", b"<html><body>Welcome to our portal</body></html>")
        else:
            self._answer(200, "application/n-triples", stored)

    def do_POST(self) -> None:  # a SPARQL query: refused, as a query endpoint refuses a query it cannot run
        self.rfile.read(int(self.headers["Content-Length"]))
        status = 400 if self.server.mode == "bad-query" else 503  # type: ignore[attr-defined]
        self._answer(status, "text/plain", b"not today")

    def _answer(self, status: int, media: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def store() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStore)
    server.daemon_threads = True
    server.mode = "ok"  # type: ignore[attr-defined]
    server.graphs = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def release(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "graph.nt").write_text(GRAPH, encoding="utf-8")
    (dist / "catalog.ttl").write_text(CATALOGUE, encoding="utf-8")
    return dist


def load(store: ThreadingHTTPServer, release: Path, *extra: str) -> Result:
    url = f"http://127.0.0.1:{store.server_address[1]}/store"
    return CliRunner().invoke(main, ["load", "--endpoint", url, "--dist", str(release), "--graph", IRI, *extra])


def test_a_store_that_trickles_its_answer_is_given_up_on_after_the_timeout(
    store: ThreadingHTTPServer, release: Path
) -> None:
    store.mode = "trickle"  # type: ignore[attr-defined]
    result = load(store, release, "--timeout", "2")
    assert result.exit_code == 4
    url = f"http://127.0.0.1:{store.server_address[1]}/store"
    assert result.output == f"Error: {url} (PUT <{IRI}>): no complete answer within 2 s\n"


def test_a_200_with_an_html_page_is_not_a_load(store: ThreadingHTTPServer, release: Path) -> None:
    store.mode = "html"  # type: ignore[attr-defined]
    result = load(store, release)
    assert result.exit_code == 4
    url = f"http://127.0.0.1:{store.server_address[1]}/store"
    assert result.output == (
        f"Error: {url} (GET <{IRI}>): reading the graph back gave HTTP 200 text/html, not N-Triples; the store did "
        "not load it as a Graph Store Protocol endpoint would\n"
    )


def test_a_refused_catalogue_says_the_graph_was_already_replaced(store: ThreadingHTTPServer, release: Path) -> None:
    store.mode = "refuse-catalogue"  # type: ignore[attr-defined]
    result = load(store, release)
    assert result.exit_code == 4
    url = f"http://127.0.0.1:{store.server_address[1]}/store"
    assert result.output == (
        f"Error: {url} refused the graph <{IRI}/catalog>: HTTP 500 disk full; the graph <{IRI}> was already "
        f"replaced with the new release (1 triples), its catalogue <{IRI}/catalog> was not\n"
    )


def test_a_good_store_reports_what_it_holds(store: ThreadingHTTPServer, release: Path) -> None:
    result = load(store, release)
    assert result.exit_code == 0, result.output
    assert f"loaded 1 triples from {release / 'graph.nt'} into <{IRI}>" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "-5"], "Error: --timeout -5: give a number of seconds above 0"),
        (["--timeout", "nan"], "Error: --timeout nan: give a number of seconds above 0"),
        (["--timeout", "0"], "Error: --timeout 0: give a number of seconds above 0"),
    ],
)
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(
    store: ThreadingHTTPServer, release: Path, args: list[str], message: str
) -> None:
    result = load(store, release, *args)
    assert result.exit_code == 2
    assert result.output == message + "\n"


@pytest.mark.parametrize("url", ["http://[::1", "http://exa mple.org/store", "https://"])
def test_an_unparseable_endpoint_is_a_usage_error(release: Path, url: str) -> None:
    result = CliRunner().invoke(main, ["load", "--endpoint", url, "--dist", str(release)])
    assert result.exit_code == 2
    assert result.output == f"Error: --endpoint {url!r}: give an http(s) URL\n"


# -- passwords in endpoint URLs ------------------------------------------------------------------------------------

SECRET = "s3cret"


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:s3cret@127.0.0.1:1/store", "http://alice:***@127.0.0.1:1/store"),
        ("https://al%40ice:s3%3Acret@host:8443/s?graph=x#f", "https://al%40ice:***@host:8443/s?graph=x#f"),
        ("http://alice:p@ss@host/store", "http://alice:***@host/store"),  # httpx takes the last @ as the end
        ("http://:s3cret@host/", "http://:***@host/"),
        ("http://alice:s3cret@[::1", "http://alice:***@[::1"),  # unparseable: cut textually
        ("http://alice:s3/cret@host/store", "http://alice:***@host/store"),  # unparseable ("s3" is no port)
        ("http://alice@host:7878/store", "http://alice@host:7878/store"),  # no password: as typed
        ("http://[::1", "http://[::1"),
        ("localhost:7878/store", "localhost:7878/store"),
    ],
)
def test_masked_url_hides_the_password_and_nothing_else(url: str, shown: str) -> None:
    assert masked_url(url) == shown


def test_load_into_a_closed_port_does_not_print_the_password(release: Path) -> None:
    port = closed_port()
    url = f"http://alice:{SECRET}@127.0.0.1:{port}/store"
    result = CliRunner().invoke(main, ["load", "--endpoint", url, "--dist", str(release), "--graph", IRI])
    assert result.exit_code == 4
    assert result.output == (
        f"Error: http://alice:***@127.0.0.1:{port}/store (PUT <{IRI}>): ConnectError: [Errno 111] Connection refused\n"
    )


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("refuse-catalogue", "{url} refused the graph <{iri}/catalog>: HTTP 500 disk full; the graph <{iri}> was"),
        ("html", "{url} (GET <{iri}>): reading the graph back gave HTTP 200 text/html, not N-Triples;"),
    ],
)
def test_a_refusing_store_is_named_without_the_password(
    store: ThreadingHTTPServer, release: Path, mode: str, message: str
) -> None:
    store.mode = mode  # type: ignore[attr-defined]
    port = store.server_address[1]
    url = f"http://alice:{SECRET}@127.0.0.1:{port}/store"
    result = CliRunner().invoke(main, ["load", "--endpoint", url, "--dist", str(release), "--graph", IRI])
    assert result.exit_code == 4
    assert result.output.startswith("Error: " + message.format(url=f"http://alice:***@127.0.0.1:{port}/store", iri=IRI))
    assert SECRET not in result.output
    assert store.authorization == "Basic " + base64.b64encode(b"alice:s3cret").decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["load", "query"])
def test_an_unparseable_endpoint_with_a_password_is_a_usage_error_without_it(release: Path, command: str) -> None:
    url = f"http://alice:{SECRET}@[::1"
    args = ["--dist", str(release)] if command == "load" else ["-e", "ASK {}"]
    result = CliRunner().invoke(main, [command, "--endpoint", url, *args])
    assert result.exit_code == 2
    assert result.output == "Error: --endpoint 'http://alice:***@[::1': give an http(s) URL\n"


def test_query_at_a_closed_port_does_not_print_the_password() -> None:
    port = closed_port()
    url = f"http://alice:{SECRET}@127.0.0.1:{port}/sparql"
    result = CliRunner().invoke(main, ["query", "-e", "ASK {}", "--endpoint", url])
    assert result.exit_code == 4
    assert result.output == f"Error: http://alice:***@127.0.0.1:{port}/sparql: [Errno 111] Connection refused\n"


@pytest.mark.parametrize(
    ("mode", "code", "message"),
    [
        ("bad-query", 2, "-e: {url} refused the query: not today"),
        ("busy", 4, "{url} answered 503: not today"),
    ],
)
def test_a_refusing_query_endpoint_is_named_without_the_password(
    store: ThreadingHTTPServer, mode: str, code: int, message: str
) -> None:
    store.mode = mode  # type: ignore[attr-defined]
    port = store.server_address[1]
    url = f"http://alice:{SECRET}@127.0.0.1:{port}/sparql"
    result = CliRunner().invoke(main, ["query", "-e", "ASK {}", "--endpoint", url])
    assert result.exit_code == code
    assert result.output == "Error: " + message.format(url=f"http://alice:***@127.0.0.1:{port}/sparql") + "\n"
