"""``civicgraph serve`` against careless and hostile clients: memory and result-size bounds, starvation, slow and
numerous connections, queries that would crash the parser, and the protocol's small corners.

One server for the module, with small limits so that each refusal comes quickly: 2 s per query, 256 MiB per
worker, 64 KiB per result, 1 s for a request head, 16 connections.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from .test_queries import build_two_reports
from .test_serve import COUNT_ALL, RUNAWAY, Server, post, start_server

MAX_RESPONSE = 64 * 1024
HEADER_TIMEOUT = 1.0
MAX_CONNECTIONS = 16
# 0.9 KB that doubles a 47-character string 26 times: 3 GB if nothing stops it.
STRING_BOMB = (
    'SELECT ?n WHERE { BIND("'
    + "x" * 47
    + '" AS ?a0) '
    + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(26))
    + " BIND(STRLEN(?a26) AS ?n) }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    graph = build_two_reports(tmp_path_factory.mktemp("battery-data"))
    yield from start_server(
        graph,
        tmp_path_factory.mktemp("battery"),
        "--memory-limit",
        "256",
        "--max-response",
        str(MAX_RESPONSE),
        "--header-timeout",
        str(HEADER_TIMEOUT),
        "--max-connections",
        str(MAX_CONNECTIONS),
        "--max-body",
        str(64 * 1024),
    )


def count_answered(server: Server) -> int:
    response = post(server, COUNT_ALL)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def triples_served(server: Server) -> int:
    """The triples of the graph the server was started with: one line each in its N-Triples file."""
    return len(server.graph.read_text(encoding="utf-8").splitlines())


def raw_exchange(server: Server, chunks: list[bytes], pause: float = 0.0) -> bytes:
    """Send ``chunks`` as separate TCP segments (``pause`` seconds apart) and read the answer until close."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for chunk in chunks:
            connection.sendall(chunk)
            time.sleep(pause)
        answer = b""
        while True:
            piece = connection.recv(65536)
            if not piece:
                return answer
            answer += piece
            if b"\r\n\r\n" in answer and _complete(answer):
                return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length: (\d+)", head)
    return length is not None and len(body) >= int(length.group(1))


# -- memory and size ----------------------------------------------------------------------------------------------


def test_a_query_needing_gigabytes_is_stopped_with_503_and_the_endpoint_goes_on(server: Server) -> None:
    response = post(server, STRING_BOMB)
    assert response.status_code == 503
    assert response.text == "query stopped: it needed more than the 256 MiB memory a query may use here\n"
    assert count_answered(server) == triples_served(server)  # the worker was replaced, with the whole graph


def test_a_result_over_the_byte_limit_is_413_never_truncated(server: Server) -> None:
    big = 'SELECT ?s ?o WHERE { ?s ?p ?o BIND(CONCAT(STR(?o), "' + "y" * 200 + '") AS ?x) } LIMIT 999'
    response = post(server, big.replace("?s ?o WHERE", "?s ?o ?x WHERE"))
    assert response.status_code == 413
    assert response.text == (
        f"query refused: the result is larger than {MAX_RESPONSE} bytes, the limit of this endpoint; add LIMIT or "
        "narrow the query\n"
    )


# -- queries the parser would crash on --------------------------------------------------------------------------


def test_deep_nesting_is_refused_before_the_engine_and_no_worker_dies(server: Server) -> None:
    query = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000  # 10 KB: SIGSEGV in pyoxigraph's parser
    response = post(server, query)
    assert response.status_code == 400
    assert response.text == (
        "query:1:80: the query nests too deeply (more than 64 brackets open at once); refused before parsing\n"
    )
    assert count_answered(server) == triples_served(server)


# -- starvation ----------------------------------------------------------------------------------------------------


def test_runaway_queries_from_one_client_do_not_starve_another(server: Server) -> None:
    """Three cartesian products at once (they held both workers for the whole time limit before): one runs until
    its time limit, the others are stopped with 503 + Retry-After when another client waits; that client's
    queries are answered while the first runaway still runs; a page elsewhere (CORS) can read the Retry-After."""
    outcomes: list[httpx.Response] = []
    page = {"Origin": "https://notebook.example.org"}

    def runaway() -> None:
        outcomes.append(httpx.post(server.sparql, data={"query": RUNAWAY}, headers=page, timeout=30))

    threads = [threading.Thread(target=runaway) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    other_client = {"X-Forwarded-For": "192.0.2.7"}  # uvicorn trusts it from loopback: another client address
    answered = [
        httpx.post(server.sparql, data={"query": COUNT_ALL}, headers=other_client, timeout=30).status_code
        for _ in range(5)
    ]
    runaway_still_running = len(outcomes) < 3
    for thread in threads:
        thread.join(30)
    assert answered == [200] * 5 and runaway_still_running
    statuses = sorted(response.status_code for response in outcomes)
    assert 422 in statuses and 503 in statuses
    stopped = next(response for response in outcomes if response.status_code == 503)
    assert stopped.headers["retry-after"] == "2"
    assert stopped.headers["access-control-allow-origin"] == "*"
    assert stopped.headers["access-control-expose-headers"] == "Retry-After"  # else a script cannot read it
    assert stopped.text.startswith("query stopped after 1 s: every worker was busy")


def test_a_request_head_that_never_completes_is_closed_with_408(server: Server) -> None:
    answer = raw_exchange(server, [b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"])
    assert answer == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def test_slowloris_connections_do_not_stop_the_endpoint(server: Server) -> None:
    """More half-sent requests than connections allowed: the extra ones are refused at once, the rest closed
    after the head deadline, and the endpoint answers again; the log names the refusals without tracebacks."""
    host, port = server.url.removeprefix("http://").split(":")
    held = []
    for _ in range(MAX_CONNECTIONS * 3):
        connection = socket.create_connection((host, int(port)), timeout=10)
        connection.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        held.append(connection)
    try:
        time.sleep(HEADER_TIMEOUT + 1.5)
        assert count_answered(server) == triples_served(server)
    finally:
        for connection in held:
            connection.close()
    log = server.log.read_text()
    assert "Traceback" not in log
    assert re.search(r"refused connection from 127\.0\.0\.1: more than 16 connections are open", log)
    assert re.search(r"refused slow request head from 127\.0\.0\.1: no complete request head within 1 s", log)


# -- small corners of the protocol ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda url: httpx.get(url, params={"query": ""}),
        lambda url: httpx.post(url, data={"query": "  "}),
        lambda url: httpx.post(url, content=b"", headers={"Content-Type": "application/sparql-query"}),
    ],
    ids=["get", "form", "direct"],
)
def test_an_empty_query_is_400(server: Server, send: object) -> None:
    response = send(server.sparql)  # type: ignore[operator]
    assert response.status_code == 400
    assert response.text == "the query is empty\n"


def test_head_answers_like_get_without_a_body(server: Server) -> None:
    get = httpx.get(server.sparql, params={"query": COUNT_ALL})
    head = httpx.head(server.sparql, params={"query": COUNT_ALL})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
    assert httpx.head(server.sparql).status_code == 200  # the service description


def test_the_host_header_is_not_reflected_into_the_service_description(server: Server) -> None:
    description = httpx.get(server.sparql, headers={"Host": "evil.example"}).text
    assert "evil.example" not in description
    assert f"<{server.sparql}>" in description


@pytest.mark.parametrize("size", [16 * 1024, 40 * 1024, 63 * 1024])
def test_a_long_get_query_split_over_segments_is_read_whole(server: Server, size: int) -> None:
    padding = "#" + "x" * (size - len(COUNT_ALL) - 2) + "\n"
    target = "/sparql?" + urlencode({"query": padding + COUNT_ALL})
    head = f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\nConnection: close\r\n\r\n".encode()
    chunks = [head[i : i + 1400] for i in range(0, len(head), 1400)]  # the size of TCP segments on a network
    answer = raw_exchange(server, chunks, pause=0.001)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert answer.split(b"\r\n\r\n", 1)[1].splitlines()[0] == b"n"
