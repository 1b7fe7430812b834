"""Reading a JSON-LD file fetches nothing and reads no other file: a context is embedded, or civicgraph's own.

``validate --graph x.jsonld`` used to let rdflib fetch any ``@context`` — with no timeout, so a server that never
answers hung it, and ``file:///etc/passwd`` was read. Each case below runs the command and checks that it ends
with the documented exit code and one message naming the context, and that the context was never touched: the
loopback server records every connection, and the FIFO would block a reader forever.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from civicgraph.graph.jsonld import context_file
from civicgraph.graph.rdfio import OWN_CONTEXTS, read_graph

from ..conftest import ROOT

NODE = {"@id": "https://w3id.org/civicgraph/id/member/3064011", "cg:teryt": "3064011"}
REFUSED = "JSON-LD contexts are not fetched or read from other files"


class SilentServer:
    """A loopback TCP server that accepts connections and never answers, counting them."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}/context.jsonld"

    def _accept(self) -> None:
        held = []
        while not self.stopped.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            held.append(connection)  # kept open, never answered
        for connection in held:
            connection.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    server.thread.start()
    yield server
    server.stopped.set()
    server.thread.join()
    server.socket.close()


def _validate(graph_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civicgraph", "validate", "--lang", "en", "--graph", str(graph_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,  # a fetch of the silent server or a read of the FIFO would block past it
    )


def _write(folder: Path, document: dict[str, object]) -> Path:
    path = folder / "graph.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _refused(run: subprocess.CompletedProcess[str], graph_file: Path, reference: str) -> None:
    assert run.returncode == 3, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert lines[0].startswith(f"Error: {graph_file}: ") and f"{reference!r}" in lines[0] and REFUSED in lines[0]


def test_a_remote_context_is_not_fetched(tmp_path: Path, silent_server: SilentServer) -> None:
    graph_file = _write(tmp_path, {"@context": silent_server.url, **NODE})
    run = _validate(graph_file)
    _refused(run, graph_file, silent_server.url)
    assert silent_server.connections == 0


def test_a_file_context_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "context.jsonld"
    os.mkfifo(fifo)  # reading it would block until a writer came: none does
    graph_file = _write(tmp_path, {"@context": fifo.as_uri(), **NODE})
    _refused(_validate(graph_file), graph_file, fifo.as_uri())


def test_a_relative_context_is_not_read_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "context.jsonld").write_text(json.dumps({"@context": {"cg": "https://example.org/"}}))
    graph_file = _write(tmp_path, {"@context": "context.jsonld", **NODE})
    _refused(_validate(graph_file), graph_file, "context.jsonld")


@pytest.mark.parametrize(
    "where",
    [
        "in a list",
        "as a scoped context of a term",
        "as an @import",
        "in a node deeper in the document",
    ],
)
def test_a_context_reference_anywhere_is_refused(tmp_path: Path, silent_server: SilentServer, where: str) -> None:
    inline = {"cg": "https://w3id.org/civicgraph/ontology#"}
    document: dict[str, object] = {
        "in a list": {"@context": [inline, silent_server.url], **NODE},
        "as a scoped context of a term": {
            "@context": {**inline, "about": {"@id": "cg:about", "@context": silent_server.url}},
            **NODE,
        },
        "as an @import": {"@context": {"@import": silent_server.url, **inline}, **NODE},
        "in a node deeper in the document": {
            "@context": inline,
            "@graph": [{**NODE, "cg:part": {"@context": silent_server.url, "@id": "https://example.org/x"}}],
        },
    }[where]
    graph_file = _write(tmp_path, document)
    _refused(_validate(graph_file), graph_file, silent_server.url)
    assert silent_server.connections == 0


@pytest.mark.parametrize("own", OWN_CONTEXTS)
def test_civicgraphs_own_context_is_read_from_its_local_copy(tmp_path: Path, own: str) -> None:
    referring = read_graph(_write(tmp_path, {"@context": own, **NODE}))
    embedded = tmp_path / "embedded.jsonld"
    embedded.write_text(json.dumps({"@context": json.loads(context_file().read_text())["@context"], **NODE}))
    assert isomorphic(referring, read_graph(embedded))
    assert len(referring) == 1


def test_the_published_graph_jsonld_reads_as_graph_nt(dist: Path) -> None:
    """The release's JSON-LD embeds its context: read with nothing fetched, it is the graph of graph.nt."""
    assert isomorphic(read_graph(dist / "graph.jsonld"), Graph().parse(dist / "graph.nt", format="nt"))
