"""A real HTTP server on 127.0.0.1 that answers like Wikidata, from recorded answers and scripted failures.

The client under test talks to it exactly as to the real services (only the base URLs differ): the API at
``{url}/w/api.php`` and the query service at ``{url}/sparql``. Tests queue scripted replies (429 with
Retry-After, 503 with a maxlag body, malformed JSON, a slow answer, a huge body, hostile JSON) that are served
before the recorded ones, and read back every request the server received.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wikidata"
JSON = "application/json; charset=utf-8"
SPARQL_JSON = "application/sparql-results+json;charset=utf-8"


@dataclass
class Reply:
    """A scripted answer: status, headers, body; ``delay`` seconds before answering; ``length`` False to send
    the body without a Content-Length header (read until the connection closes)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: bool = True
    trickle: float = 0.0  # seconds between the bytes of the body (each socket read is quick, the whole is slow)

    @staticmethod
    def file(name: str, status: int = 200, **headers: str) -> Reply:
        return Reply(status, (FIXTURES / name).read_bytes(), {"Content-Type": JSON, **headers})


@dataclass(frozen=True)
class Received:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that hung up is expected
        pass


class ReplayServer:
    def __init__(self) -> None:
        manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
        self.routes: list[dict[str, Any]] = manifest["routes"]
        self.scripted: deque[Reply] = deque()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/w/api.php"

    @property
    def sparql_url(self) -> str:
        return f"{self.url}/sparql"

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.scripted.extend(replies)

    def reset(self) -> None:
        with self.lock:
            self.scripted.clear()
            self.received.clear()

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Reply:
        with self.lock:
            self.received.append(Received(path, params, headers))
            if self.scripted:
                return self.scripted.popleft()
        for route in self.routes:
            if route["path"] != path:
                continue
            wanted = route.get("params", {})
            contains = route.get("query_contains", [])
            if all(params.get(k) == v for k, v in wanted.items()) and all(
                s in params.get("query", "") for s in contains
            ):
                content_type = SPARQL_JSON if path == "/sparql" else JSON
                return Reply(200, (FIXTURES / route["file"]).read_bytes(), {"Content-Type": content_type})
        return Reply(404, b'{"error": "no recorded answer for this request"}', {"Content-Type": JSON})


def _handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            reply = server.answer(parts.path, params, {k.lower(): v for k, v in self.headers.items()})
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.length:
                self.send_header("Content-Length", str(len(reply.body)))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, size cap)
                if not reply.trickle:
                    self.wfile.write(reply.body)
                for byte in reply.body if reply.trickle else b"":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.trickle)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler


@contextmanager
def replay_server() -> Iterator[ReplayServer]:
    server = ReplayServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def copy_data(fixture: str, target: Path) -> Path:
    """A writable copy of a made-up data folder, with the real ``data/civicgraph.yaml`` settings."""
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "tests" / "fixtures" / fixture, target)
    (target / "README.md").unlink()
    shutil.copyfile(root / "data" / "civicgraph.yaml", target / "civicgraph.yaml")
    return target


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to show that a failed run changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
