"""``civicgraph serve`` over real HTTP on loopback: the SPARQL 1.1 Protocol, its formats, its refusals, its
limits, the service description, CORS, and content negotiation of resource IRIs.

One server (a ``civicgraph serve`` process on a free port) serves the graph of two reports for the whole module;
it runs with small limits so that refusals are quick: 2 s per query, 1000 results, 8 KiB per request.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.dom.minidom import Document

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from civicgraph.cli.main import main
from civicgraph.sparql.library import OxigraphEngine, RemoteEngine, bind_parameters, canonical, library, parse_response
from civicgraph.sparql.replies import negotiate

from .test_queries import build_two_reports
from .test_queries_engines import CASES

QUERIES = library()
TIMEOUT = 2.0
MAX_RESULTS = 1000
MAX_BODY = 8192
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 3 573 ** 3 rows to count
CONSTRUCT = "CONSTRUCT { ?m a ?k } WHERE { ?m <https://w3id.org/civicgraph/ontology#localGovernmentKind> ?k }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    log: Path
    graph: Path
    process: subprocess.Popen[bytes]

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def start_server(graph: Path, workdir: Path, *options: str) -> Iterator[Server]:
    port = free_port()
    log = workdir / f"serve-{port}.log"
    command = [
        sys.executable,
        "-m",
        "civicgraph",
        "serve",
        "--data",
        str(graph),
        "--port",
        str(port),
        "--timeout",
        str(TIMEOUT),
        "--max-results",
        str(MAX_RESULTS),
        "--max-body",
        str(MAX_BODY),
        "--no-access-log",
        *options,
    ]
    with log.open("w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/sparql", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"civicgraph serve did not start: {log.read_text()}")
            time.sleep(0.1)
        yield Server(url, log, graph, process)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small stand-in for dist/site: a page and data files for one member, only a page for one organisation."""
    root = tmp_path_factory.mktemp("site")
    (root / "member").mkdir()
    (root / "organisation").mkdir()
    (root / "member" / "3064011.html").write_text("<!doctype html><title>Miasto Poznań</title>", "utf-8")
    (root / "member" / "3064011.ttl").write_text(
        "<https://w3id.org/civicgraph/id/member/3064011> <http://www.w3.org/2004/02/skos/core#prefLabel> "
        '"Miasto Poznań"@pl .\n',
        "utf-8",
    )
    (root / "member" / "3064011.jsonld").write_text(
        json.dumps(
            {
                "@id": "https://w3id.org/civicgraph/id/member/3064011",
                "http://www.w3.org/2004/02/skos/core#prefLabel": {"@value": "Miasto Poznań", "@language": "pl"},
            }
        ),
        "utf-8",
    )
    (root / "organisation" / "zmp.html").write_text("<!doctype html><title>Związek Miast Polskich</title>", "utf-8")
    (root / "report" / "3064011").mkdir(parents=True)
    for suffix in (".html", ".en.html", ".ttl"):  # a report's page: its activities are sections of it
        (root / "report" / "3064011" / f"2023{suffix}").write_text("<!doctype html><title>Raport</title>", "utf-8")
    return root


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_two_reports(tmp_path_factory.mktemp("serve-data"))


@pytest.fixture(scope="module")
def server(graph: Path, site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(graph, tmp_path_factory.mktemp("serve"), "--site", str(site))


@pytest.fixture(scope="module")
def local(graph: Path) -> OxigraphEngine:
    return OxigraphEngine.from_file(graph)


def post(server: Server, query: str, accept: str = "application/sparql-results+json") -> httpx.Response:
    return httpx.post(server.sparql, data={"query": query}, headers={"Accept": accept}, timeout=30)


# -- answers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), CASES)
def test_the_library_gives_the_same_answers_through_the_endpoint(
    server: Server, local: OxigraphEngine, name: str, params: dict[str, str]
) -> None:
    query = QUERIES[name]
    bindings = bind_parameters(query, params)
    remote = RemoteEngine(server.sparql).run(query.text, bindings)
    assert canonical(remote) == canonical(local.run(query.text, bindings))


def test_sparqlwrapper_reads_every_select_format(server: Server) -> None:
    query = QUERIES["co-financers-by-kind"].text
    expected = {"30", "3064011", "3021"}  # the three co-financers of every PKM line named in the text

    def client(return_format: str, method: str | None = None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(server.sparql)
        wrapper.setQuery(query)
        wrapper.setReturnFormat(return_format)
        if method == POSTDIRECTLY:
            wrapper.setMethod(POST)
            wrapper.setRequestMethod(POSTDIRECTLY)
        elif method == POST:
            wrapper.setMethod(POST)
        return wrapper

    for method in (None, POST, POSTDIRECTLY):
        bindings = client(JSON, method).query().convert()["results"]["bindings"]  # type: ignore[index]
        assert {row["teryt"]["value"] for row in bindings} == expected
    document = client(XML).query().convert()
    assert isinstance(document, Document)
    teryt_bindings = [b for b in document.getElementsByTagName("binding") if b.getAttribute("name") == "teryt"]
    assert {b.getElementsByTagName("literal")[0].firstChild.data for b in teryt_bindings} == expected
    table = client(CSV).query().convert()
    assert {row["teryt"] for row in csv.DictReader(io.StringIO(table.decode()))} == expected  # type: ignore[union-attr]
    tsv = client(TSV).query().convert().decode().splitlines()  # type: ignore[union-attr]
    column = tsv[0].split("\t").index("?teryt")
    assert {line.split("\t")[column] for line in tsv[1:]} == {f'"{code}"' for code in expected}


def test_sparqlwrapper_reads_graphs(server: Server) -> None:
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(TURTLE)
    turtle = wrapper.query().convert()
    kinds = {t.object.value.rsplit("/", 1)[1] for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}  # type: ignore[arg-type]
    # Poznań (city with county rights), Wielkopolska (voivodeship), Poznań County, Gmina Przykładowa (rural)
    assert kinds == {"city-with-county-rights", "voivodeship", "county", "rural-commune"}
    wrapper.setReturnFormat(JSONLD)
    assert len(wrapper.query().convert()) == 4  # type: ignore[arg-type]


def test_sparqlwrapper_default_construct_gets_rdf_xml(server: Server) -> None:
    """SPARQLWrapper asks for RDF/XML for CONSTRUCT and DESCRIBE unless told otherwise."""
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(CONSTRUCT)
    graph = wrapper.query().convert()
    kinds = {str(o).rsplit("/", 1)[1] for o in graph.objects()}  # type: ignore[union-attr]
    assert kinds == {"city-with-county-rights", "voivodeship", "county", "rural-commune"}


SELECT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


@pytest.mark.parametrize("accept", [*SELECT_TYPES, "text/csv"])
def test_select_results_in_each_format_by_accept(server: Server, local: OxigraphEngine, accept: str) -> None:
    query = QUERIES["money-figures"].text
    response = post(server, query, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert response.headers["vary"].startswith("Accept")
    if accept == "text/csv":  # lossy, plain values only: no standard parser reads it back
        values = {row["value"] for row in csv.DictReader(io.StringIO(response.text))}
        assert values == {"1400000000", "800000000", "2500000"}  # blisko 1,4 mld, ponad 800 mln, blisko 2,5 mln
    else:
        assert canonical(parse_response(response.content, accept)) == canonical(local.run(query))


@pytest.mark.parametrize(
    ("accept", "rdf"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_graph_results_in_each_format_by_accept(
    server: Server, local: OxigraphEngine, accept: str, rdf: ox.RdfFormat
) -> None:
    response = post(server, CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    received = {quad.triple for quad in ox.parse(response.content, format=rdf)}
    assert len(received) == 4
    assert canonical(parse_response(response.content, accept)) == canonical(local.run(CONSTRUCT))


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (COUNT_ALL, "*/*", "application/sparql-results+json"),
        (COUNT_ALL, None, "application/sparql-results+json"),
        (
            COUNT_ALL,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/sparql-results+xml",
        ),
        (COUNT_ALL, "application/json", "application/sparql-results+json"),
        (CONSTRUCT, "*/*", "text/turtle"),
        ("DESCRIBE <https://w3id.org/civicgraph/id/member/3064011>", "*/*", "text/turtle"),
        ("DESCRIBE <https://w3id.org/civicgraph/id/member/3064011>", "application/n-triples", "application/n-triples"),
        ("ASK { ?s ?p ?o }", "text/csv, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_defaults_and_preferences(server: Server, query: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.post(server.sparql, data={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


# The types each query form is offered in (sparql/replies.py: SOLUTION_MEDIA, BOOLEAN_MEDIA, GRAPH_MEDIA).
SOLUTION_TYPES = (
    "application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values, "
    "application/json, application/xml"
)
BOOLEAN_TYPES = "application/sparql-results+json, application/sparql-results+xml, application/json, application/xml"
GRAPH_TYPES = "text/turtle, application/ld+json, application/n-triples, application/rdf+xml"


@pytest.mark.parametrize(
    ("query", "accept", "offered"),
    [
        (COUNT_ALL, "image/png", SOLUTION_TYPES),
        (CONSTRUCT, "application/sparql-results+json", GRAPH_TYPES),
        ("ASK { ?s ?p ?o }", "text/csv", BOOLEAN_TYPES),
    ],
)
def test_an_unservable_accept_is_406(server: Server, query: str, accept: str, offered: str) -> None:
    response = post(server, query, accept)
    assert response.status_code == 406
    assert response.text == f"none of the Accept header's types can be served here; offered: {offered}\n"


XML_RESULTS = "application/sparql-results+xml"


def test_a_carriage_return_in_xml_results_reaches_the_client(server: Server) -> None:
    response = post(server, r'SELECT ?y WHERE { BIND("c\r\nd" AS ?y) }', XML_RESULTS)
    assert response.status_code == 200
    assert b"<literal>c&#13;\nd</literal>" in response.content
    solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [solution["y"] for solution in solutions] == [ox.Literal("c\r\nd")]


def test_a_value_xml_cannot_carry_is_406_not_a_broken_document(server: Server) -> None:
    query = r'SELECT ?x WHERE { BIND("a\u0001b" AS ?x) }'
    response = post(server, query, XML_RESULTS)
    assert response.status_code == 406
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == (
        "?x holds the character U+0001, which XML 1.0 cannot carry; ask for the results as JSON, CSV or TSV instead\n"
    )
    as_json = post(server, query)  # the format named in the message carries it
    assert as_json.json()["results"]["bindings"] == [{"x": {"type": "literal", "value": "a\x01b"}}]


def test_get_post_form_and_post_direct_agree(server: Server) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = httpx.get(server.sparql, params={"query": COUNT_ALL}, headers=accept)
    by_form = httpx.post(server.sparql, data={"query": COUNT_ALL}, headers=accept)
    direct = httpx.post(
        server.sparql, content=COUNT_ALL.encode(), headers={**accept, "Content-Type": "application/sparql-query"}
    )
    assert by_get.content == by_form.content == direct.content
    (row,) = json.loads(by_get.content)["results"]["bindings"]
    assert row["n"]["value"] == str(len(server.graph.read_text(encoding="utf-8").splitlines()))


# -- refusals ---------------------------------------------------------------------------------------------------

INSERT = "INSERT DATA { <https://example.org/a> <https://example.org/b> <https://example.org/c> }"


@pytest.mark.parametrize(
    "send",
    [
        lambda url: httpx.post(url, data={"update": INSERT}),
        lambda url: httpx.post(url, content=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}),
        lambda url: httpx.post(url, data={"query": INSERT}),
        lambda url: httpx.get(url, params={"update": INSERT}),
        lambda url: httpx.get(url, params={"query": "DELETE WHERE { ?s ?p ?o }"}),
    ],
    ids=["form-update", "sparql-update-body", "update-as-query", "get-update", "delete-as-query"],
)
def test_updates_are_refused_and_the_graph_is_unchanged(server: Server, send: object) -> None:
    response = send(server.sparql)  # type: ignore[operator]
    assert response.status_code == 403
    assert response.text == "this endpoint is read-only: SPARQL Update is refused\n"
    count = post(server, "ASK { <https://example.org/a> ?p ?o }").json()
    assert count["boolean"] is False


def test_a_syntax_error_is_400_with_the_position(server: Server) -> None:
    response = post(server, "SELECT ?s WHERE {\n  ?s ?p\n}")
    assert response.status_code == 400
    # The triple pattern without an object starts on line 2, column 3.
    assert response.text.startswith("query:2:3: SPARQL syntax error")


def service_refused(endpoint: str) -> str:
    """sparql/replies.py's check_services: the line a SERVICE call to a fixed endpoint is refused with."""
    return (
        f"SERVICE <{endpoint}> is refused: this endpoint does not call remote endpoints unless started "
        f"with --allow-service {endpoint}\n"
    )


WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
            service_refused(WIKIDATA_SPARQL),
        ),
        (
            "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?q ?r } } }",
            service_refused("http://127.0.0.1:9/sparql"),
        ),
        (
            "SELECT * WHERE { BIND(<https://query.wikidata.org/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
            "SERVICE with a variable endpoint is refused by this endpoint\n",
        ),
        (
            "SELECT * WHERE { \\u0053ERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
            service_refused(WIKIDATA_SPARQL),
        ),
        (
            "PREFIX w: <https://query.wikidata.org/> "
            "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE w:sparql { ?s ?p ?o } } }",
            service_refused(WIKIDATA_SPARQL),
        ),
        (
            "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } } } }",
            service_refused(WIKIDATA_SPARQL),
        ),
    ],
)
def test_service_is_refused_by_default(server: Server, query: str, message: str) -> None:
    response = post(server, query)
    assert response.status_code == 400
    assert response.text == message


def test_the_word_service_in_a_literal_is_not_a_service_call(server: Server) -> None:
    response = post(server, 'SELECT ?s WHERE { ?s ?p "SERVICE" }')
    assert response.status_code == 200


def test_an_oversized_body_is_413(server: Server) -> None:
    padding = "#" + "x" * MAX_BODY + "\n"
    response = httpx.post(
        server.sparql, content=(padding + COUNT_ALL).encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert f"larger than {MAX_BODY} bytes" in response.text


def test_an_oversized_query_string_is_414(server: Server) -> None:
    response = httpx.get(server.sparql, params={"query": "#" + "x" * MAX_BODY + "\n" + COUNT_ALL})
    assert response.status_code == 414


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (lambda url: httpx.put(url, content=b"x"), 405),
        (lambda url: httpx.post(url, content=COUNT_ALL.encode(), headers={"Content-Type": "text/plain"}), 415),
        (lambda url: httpx.get(url, params={"query": COUNT_ALL, "default-graph-uri": "https://example.org/g"}), 400),
        (lambda url: httpx.get(url + "?query=ASK%7B%7D&query=ASK%7B%7D"), 400),
        (lambda url: httpx.post(url, data={"other": "x"}), 400),
    ],
    ids=["put", "text-plain", "dataset", "two-queries", "no-query-field"],
)
def test_malformed_protocol_requests_are_4xx(server: Server, request_: object, status: int) -> None:
    assert request_(server.sparql).status_code == status  # type: ignore[operator]


# -- limits -----------------------------------------------------------------------------------------------------


def test_a_runaway_query_is_cancelled_while_others_are_served(server: Server) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = post(server, RUNAWAY)
        outcome.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    served_meanwhile = [post(server, COUNT_ALL).status_code for _ in range(5)]
    still_running = thread.is_alive()
    thread.join(30)
    assert served_meanwhile == [200] * 5 and still_running
    assert outcome["status"] == 422
    assert outcome["text"] == f"query cancelled: it ran longer than {TIMEOUT:g} s, the time limit of this endpoint\n"
    assert float(outcome["seconds"]) >= TIMEOUT  # type: ignore[arg-type]  # never cut before its limit
    # The killed worker is replaced: both workers answer again, and a second runaway is cancelled too.
    assert [post(server, COUNT_ALL).status_code for _ in range(4)] == [200] * 4
    assert post(server, RUNAWAY).status_code == 422


def test_a_result_over_the_limit_is_refused_not_truncated(server: Server) -> None:
    too_many = post(server, "SELECT * WHERE { ?s ?p ?o }")
    assert too_many.status_code == 422
    assert f"more than {MAX_RESULTS} rows" in too_many.text
    graph_too_big = post(server, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert graph_too_big.status_code == 422
    assert graph_too_big.text == (
        f"query refused: the result has more than {MAX_RESULTS} triples, the limit here; add LIMIT or narrow the "
        "query\n"
    )
    at_the_limit = post(server, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}")
    assert len(at_the_limit.json()["results"]["bindings"]) == MAX_RESULTS


# -- service description, CORS, binding -----------------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


def test_service_description_at_the_endpoint(server: Server) -> None:
    response = httpx.get(server.sparql)
    assert response.headers["content-type"].split(";")[0] == "text/turtle"
    triples = {quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}
    endpoint = ox.NamedNode(server.sparql)

    def objects(subject: ox.NamedNode, predicate: str) -> set[str]:
        return {t.object.value for t in triples if t.subject == subject and t.predicate.value == predicate}

    assert objects(endpoint, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {SD + "Service"}
    assert objects(endpoint, SD + "endpoint") == {server.sparql}
    assert objects(endpoint, SD + "supportedLanguage") == {SD + "SPARQL11Query"}
    formats = {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "JSON-LD",
        "N-Triples",
        "RDF_XML",
    }
    assert objects(endpoint, SD + "resultFormat") == {"http://www.w3.org/ns/formats/" + f for f in formats}
    assert SD + "BasicFederatedQuery" not in objects(endpoint, SD + "feature")
    (graph,) = objects(ox.NamedNode(server.sparql + "#dataset"), SD + "defaultGraph")
    (size,) = objects(ox.NamedNode(graph), "http://rdfs.org/ns/void#triples")
    assert int(size) == len(server.graph.read_text(encoding="utf-8").splitlines())
    as_jsonld = httpx.get(server.sparql, headers={"Accept": "application/ld+json"})
    assert {q.triple for q in ox.parse(as_jsonld.content, format=ox.RdfFormat.JSON_LD)} == triples


def test_cors_lets_a_page_elsewhere_read_results(server: Server) -> None:
    origin = {"Origin": "https://notebook.example.org"}
    simple = httpx.get(server.sparql, params={"query": COUNT_ALL}, headers=origin)
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        server.sparql,
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()


def test_the_help_says_the_workers_share_the_graph() -> None:
    text = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "forked from one process that loads the graph: they share its memory copy-on-write" in text


def test_it_listens_on_loopback_by_default(server: Server) -> None:
    # said once the port is bound (the sockets are handed to uvicorn, which then does not say where it runs)
    port = server.url.rsplit(":", 1)[1]
    serving = (
        rf"serving {re.escape(str(server.graph))} \([0-9]+ triples\) read-only at http://127\.0\.0\.1:{port}/sparql"
    )
    assert re.fullmatch(serving, server.log.read_text().splitlines()[0])


# -- an address that cannot be had ------------------------------------------------------------------------------


@pytest.fixture
def tiny_graph(tmp_path: Path) -> Path:
    graph = tmp_path / "graph.nt"
    graph.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    return graph


def serve_once(graph: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``civicgraph serve`` run to its end (it ends at once when it cannot listen)."""
    command = [sys.executable, "-m", "civicgraph", "serve", "--data", str(graph), "--workers", "1", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=graph.parent)


def test_a_port_in_use_is_one_error_line_and_exit_2_before_serving_is_said(tiny_graph: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ended = serve_once(tiny_graph, "--port", str(port))
        assert (ended.returncode, ended.stdout, ended.stderr) == (
            2,
            "",
            f"Error: cannot listen on 127.0.0.1:{port}: the address is already in use (another program listens "
            "there; give another --port)\n",
        )
        taken.settimeout(1)
        with pytest.raises(TimeoutError):
            taken.accept()  # no one connected to it: the command never took it for its own server


def test_an_address_that_is_not_this_machines_is_one_error_line_and_exit_2(tiny_graph: Path) -> None:
    port = free_port()
    ended = serve_once(tiny_graph, "--host", "192.0.2.1", "--port", str(port))  # TEST-NET-1 (RFC 5737)
    assert (ended.returncode, ended.stdout, ended.stderr) == (
        2,
        "",
        f"Error: cannot listen on 192.0.2.1:{port}: it is not an address of this machine (give --host the address "
        "of one of its interfaces)\n",
    )


def test_a_host_name_that_does_not_resolve_is_one_error_line_and_exit_2(tiny_graph: Path) -> None:
    port = free_port()
    ended = serve_once(tiny_graph, "--host", "no-such-host.invalid", "--port", str(port))  # never resolves: RFC 6761
    assert (ended.returncode, ended.stdout) == (2, "")
    # the reason ends with the resolver's own words, which differ with the system and the network
    assert re.fullmatch(
        rf"Error: cannot listen on no-such-host\.invalid:{port}: the host name cannot be resolved \([^\n]+\)\n",
        ended.stderr,
    )


# -- resource IRIs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/html", "/site/member/3064011.html"),
        ("text/turtle", "/site/member/3064011.ttl"),
        ("application/ld+json", "/site/member/3064011.jsonld"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/site/member/3064011.html"),
        ("application/ld+json;q=0.5, text/turtle", "/site/member/3064011.ttl"),
        ("*/*", "/site/member/3064011.html"),
    ],
)
def test_resource_iris_redirect_by_accept(server: Server, accept: str, target: str) -> None:
    response = httpx.get(server.url + "/id/member/3064011", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == target
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/html", "/site/report/3064011/2023.html#activity/3064011/2023/pkm/figure/communes"),
        ("text/turtle", "/site/report/3064011/2023.ttl"),
    ],
)
def test_a_resource_shown_as_a_section_redirects_to_its_page_and_anchor(
    server: Server, accept: str, target: str
) -> None:
    response = httpx.get(server.url + "/id/activity/3064011/2023/pkm/figure/communes", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == target


def test_the_redirect_target_is_served_with_its_media_type(server: Server, site: Path) -> None:
    response = httpx.get(server.url + "/id/member/3064011", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/turtle"
    assert response.content == (site / "member" / "3064011.ttl").read_bytes()


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("/id/member/3064011", "image/png", "/site/member/3064011.html"),  # nothing offered is asked for: the page
        ("/id/organisation/zmp", "text/turtle", "/site/organisation/zmp.ttl"),  # the stand-in site has only its page
        ("/id/activity/3064011/2023/pkm", "application/ld+json", "/site/report/3064011/2023.jsonld"),
        ("/id/activity/3064011/2022/pkm", "text/html", "/site/report/3064011/2022.html#activity/3064011/2022/pkm"),
        ("/id/organisation/no-such", "text/html", "/site/organisation/no-such.html"),
    ],
)
def test_an_iri_without_a_description_redirects_to_a_404(server: Server, path: str, accept: str, target: str) -> None:
    """One behaviour with Apache, which cannot tell whether a page exists: 303 to where it would be, then 404."""
    response = httpx.get(server.url + path, headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == target
    assert {"Accept", "Accept-Language"} <= {name.strip() for name in response.headers["vary"].split(",")}
    if target != "/site/member/3064011.html":
        assert httpx.get(server.url + target.split("#")[0]).status_code == 404


def test_a_path_leaving_the_site_is_404(server: Server) -> None:
    assert httpx.get(server.url + "/id/member/..%2F..%2Fetc%2Fpasswd").status_code == 404


# -- negotiation rules ------------------------------------------------------------------------------------------

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/sparql-results+json"),  # no header: anything goes, the server's first choice
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.8", "application/sparql-results+xml"),
        ("*/*;q=0.1, text/csv;q=0", "application/sparql-results+json"),  # q=0: "not acceptable"
        ("text/*;q=0.2, text/csv;q=0.9, */*;q=0.5", "text/csv"),  # the most specific range decides
        ("image/png", None),
        ("text/csv;q=0", None),
    ],
)
def test_negotiation_follows_rfc_9110(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, OFFERS) == chosen


# -- allowed SERVICE ---------------------------------------------------------------------------------------------


def test_allow_service_lets_listed_endpoints_be_called(server: Server, graph: Path, tmp_path: Path) -> None:
    for second in start_server(graph, tmp_path, "--allow-service", server.sparql):
        federated = f"SELECT ?n WHERE {{ SERVICE <{server.sparql}> {{ {COUNT_ALL} }} }}"
        response = post(second, federated)
        assert response.status_code == 200, response.text
        (row,) = response.json()["results"]["bindings"]
        assert row["n"]["value"] == str(len(graph.read_text(encoding="utf-8").splitlines()))
        other = post(second, "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
        assert other.status_code == 400
        description = httpx.get(second.sparql).text
        assert "sd:BasicFederatedQuery" in description


# -- the release's own site -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "page"),
    [
        (None, "3064011.html"),
        ("en-GB,en;q=0.9", "3064011.en.html"),
        ("pl,en;q=0.5", "3064011.html"),
        ("de, en;q=0.8, pl;q=0.7", "3064011.en.html"),
    ],
)
def test_english_pages_by_accept_language(server: Server, site: Path, accept_language: str | None, page: str) -> None:
    (site / "member" / "3064011.en.html").write_text("<!doctype html><title>City of Poznań</title>", "utf-8")
    headers = {"Accept": "text/html", **({"Accept-Language": accept_language} if accept_language else {})}
    response = httpx.get(server.url + "/id/member/3064011", headers=headers)
    assert response.headers["location"] == f"/site/member/{page}"
    assert "Accept-Language" in response.headers["vary"]


def test_the_published_site_answers_for_poznan(dist: Path, tmp_path: Path) -> None:
    """With the release's own dist/site: Poznań's IRI leads to its page, its Turtle and its JSON-LD."""
    assert (dist / "site" / "member" / "3064011.ttl").is_file(), "publishing always writes the site"
    poznan = ox.NamedNode("https://w3id.org/civicgraph/id/member/3064011")
    for served in start_server(dist / "graph.nt", tmp_path, "--site", str(dist / "site")):
        for accept, rdf in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)):
            response = httpx.get(served.url + "/id/member/3064011", headers={"Accept": accept}, follow_redirects=True)
            assert response.headers["content-type"].split(";")[0] == accept
            labels = {
                q.object.value
                for q in ox.parse(response.content, format=rdf)
                if q.subject == poznan and q.predicate.value.endswith("#prefLabel")
            }
            assert labels == {"Miasto Poznań", "City of Poznań"}  # data/members.yaml: name {pl, en}
        page = httpx.get(served.url + "/id/member/3064011", headers={"Accept": "text/html"}, follow_redirects=True)
        assert page.headers["content-type"].startswith("text/html") and "Poznań" in page.text


def test_sigterm_stops_the_server_and_ends_it_by_the_signal(graph: Path, tmp_path: Path) -> None:
    """``serve`` is not stopped as the other commands are (exit code 143 after a message): its server stops
    gracefully on SIGTERM and the process then ends by the signal, which a service manager takes for a clean stop."""
    for served in start_server(graph, tmp_path):
        served.process.terminate()
        assert served.process.wait(15) == -signal.SIGTERM
        assert "Terminated (SIGTERM)" not in served.log.read_text(encoding="utf-8")


def test_dane_gov_pls_dcat_importer_reads_the_served_catalogue(dist: Path, tmp_path: Path) -> None:
    """dane.gov.pl's "DCAT-AP" data source sends its SPARQL query to an endpoint and reads the answer as RDF/XML
    with rdflib's SPARQLStore (mcod/harvester/utils.py, fetch_dcat_data): the same call, to ``civicgraph serve`` of
    the release's DCAT-AP 2 catalogue, gives the catalogue whole."""
    catalogue = dist / "catalog.dcat-ap-2.ttl"
    for served in start_server(catalogue, tmp_path):
        store = SPARQLStore(query_endpoint=served.sparql, returnFormat="application/rdf+xml")
        answer = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert answer.graph is not None
        assert isomorphic(answer.graph, Graph().parse(catalogue))
