"""The published ``.htaccess`` on a real Apache 2.4 (Debian's ``apache2-bin`` with mod_rewrite, installed by
``.ci/run``), started on loopback with its own configuration in a temporary folder, on a host that allows only
``AllowOverride FileInfo``; and ``civicgraph serve`` answering the same requests alike.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from civicgraph.publish.negotiation import htaccess
from civicgraph.source.records import Location, Settings

from .test_serve import Server, free_port, start_server
from .test_serve import site as stand_in_site  # noqa: F401  (the fixture, by its name)

PUBLISHED = "https://w3id.org/civicgraph/"  # where the .htaccess says the files are; Apache answers on loopback
APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
pytestmark = pytest.mark.skipif(
    not (APACHE.is_file() and (MODULES / "mod_rewrite.so").is_file()),
    reason="Apache 2.4 with mod_rewrite is not installed (.ci/run installs apache2-bin)",
)

CONFIG = """\
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
{user}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule negotiation_module {modules}/mod_negotiation.so
TypesConfig /dev/null
DocumentRoot "{root}/htdocs"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "{root}/htdocs">
  AllowOverride FileInfo
  Options FollowSymLinks
  Require all granted
</Directory>
"""


def running_apache(fill: Callable[[Path], None]) -> Iterator[str]:
    """Apache on a free loopback port serving a document root that ``fill`` writes; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    root = Path(tempfile.mkdtemp(prefix="civicgraph-apache-"))
    root.chmod(0o755)  # readable by the unprivileged user Apache's children run as when started by root
    htdocs = root / "htdocs"
    fill(htdocs)
    for folder, _, files in os.walk(root):
        Path(folder).chmod(0o755)
        for name in files:
            (Path(folder) / name).chmod(0o644)
    user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
    config = root / "httpd.conf"
    config.write_text(CONFIG.format(root=root, port=port, modules=MODULES, user=user), encoding="utf-8")
    subprocess.run([str(APACHE), "-f", str(config), "-k", "start"], check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "graph.nt", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError((root / "error.log").read_text()) from None
                time.sleep(0.1)
        yield url
    finally:
        subprocess.run([str(APACHE), "-f", str(config), "-k", "stop"], capture_output=True)
        deadline = time.monotonic() + 10
        while (root / "httpd.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def apache(stand_in_site: Path) -> Iterator[str]:  # noqa: F811
    def fill(htdocs: Path) -> None:
        shutil.copytree(stand_in_site, htdocs / "site")
        (htdocs / "graph.nt").write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
        # The project's own addresses: its ontology, concept schemes and shapes are under the publishing address.
        settings = Settings(
            base_iri=f"{PUBLISHED}id/", data_licence="", location=Location(Path("x"), 1), publish_url=PUBLISHED
        )
        (htdocs / ".htaccess").write_text(htaccess(settings), encoding="utf-8")

    yield from running_apache(fill)


CITY_SERVER = "https://dane.example-city.pl/civicgraph/"  # docs/publishing.md's example of a publishing server


@pytest.fixture(scope="module")
def apache_behind_w3id(stand_in_site: Path) -> Iterator[str]:  # noqa: F811
    """The recipe of docs/publishing.md ("The project's namespace on w3id.org"): the release on a city's server at
    /civicgraph/, the IRIs left on w3id.org, whose redirect sends https://w3id.org/civicgraph/{path} there."""

    def fill(htdocs: Path) -> None:
        shutil.copytree(stand_in_site, htdocs / "civicgraph" / "site")
        (htdocs / "graph.nt").write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
        settings = Settings(
            base_iri=f"{PUBLISHED}id/", data_licence="", location=Location(Path("x"), 1), publish_url=CITY_SERVER
        )
        (htdocs / "civicgraph" / ".htaccess").write_text(htaccess(settings), encoding="utf-8")

    yield from running_apache(fill)


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("id/member/3064011", "text/turtle", "site/member/3064011.ttl"),
        ("id/member/3064011", "text/html", "site/member/3064011.html"),
        ("id/activity/3064011/2023/pkm/figure/communes", "text/turtle", "site/report/3064011/2023.ttl"),
        ("ontology", "text/turtle", "site/ontology.ttl"),
        ("vocab/hedge", "application/ld+json", "site/vocab/hedge.jsonld"),
        ("shapes", "text/html", "site/shapes.html"),
    ],
)
def test_iris_redirected_from_w3id_are_answered_by_the_city_servers_htaccess(
    apache_behind_w3id: str, path: str, accept: str, target: str
) -> None:
    """w3id.org's redirect keeps the path: https://w3id.org/civicgraph/id/member/3064011 arrives as
    /civicgraph/id/member/3064011, which the release's .htaccess answers as one at w3id.org would be."""
    response = httpx.get(f"{apache_behind_w3id}civicgraph/{path}", headers={"Accept": accept})
    assert (response.status_code, response.headers.get("location")) == (303, CITY_SERVER + target)


@pytest.fixture(scope="module")
def apache_release(dist: Path) -> Iterator[str]:
    """Apache serving the published Poznań release itself (its own .htaccess, its site) at the root."""
    yield from running_apache(lambda htdocs: shutil.copytree(dist, htdocs))


@pytest.fixture(scope="module")
def serve(stand_in_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
    graph = tmp_path_factory.mktemp("parity") / "graph.nt"
    graph.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    yield from start_server(graph, tmp_path_factory.mktemp("parity-serve"), "--site", str(stand_in_site))


# (IRI path, Accept, Accept-Language) -> where both send the client, relative to the publishing address
CASES = [
    ("member/3064011", "text/html", None, "site/member/3064011.html"),
    ("member/3064011", "text/turtle", None, "site/member/3064011.ttl"),
    ("member/3064011", "application/ld+json", None, "site/member/3064011.jsonld"),
    ("member/3064011", "application/n-triples", None, "site/member/3064011.nt"),
    ("member/3064011", "application/rdf+xml", None, "site/member/3064011.rdf"),
    (
        "member/3064011",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        None,
        "site/member/3064011.html",
    ),
    ("member/3064011", "application/ld+json;q=0.5, text/turtle", None, "site/member/3064011.ttl"),
    ("member/3064011", "text/turtle;q=0, text/html", None, "site/member/3064011.html"),
    ("member/3064011", "text/turtle;q=0.5, text/html;q=0.4", None, "site/member/3064011.ttl"),
    ("member/3064011", "text/turtle;q=0.4, application/ld+json;q=0.9", None, "site/member/3064011.jsonld"),
    ("member/3064011", "*/*", None, "site/member/3064011.html"),
    ("member/3064011", "image/png", None, "site/member/3064011.html"),
    ("member/3064011", "text/html", "en-GB,en;q=0.9", "site/member/3064011.en.html"),
    ("member/3064011", "text/html", "de,en;q=0.8", "site/member/3064011.en.html"),
    ("member/3064011", "text/html", "pl,en;q=0.5", "site/member/3064011.html"),
    ("member/3064011", "text/html", "de, en;q=0.8, pl;q=0.7", "site/member/3064011.en.html"),
    ("member/3064011", "text/html", "en;q=0.5, pl", "site/member/3064011.html"),
    (
        "activity/3064011/2023/pkm/figure/communes",
        "text/html",
        None,
        "site/report/3064011/2023.html#activity/3064011/2023/pkm/figure/communes",
    ),
    ("activity/3064011/2023/pkm/figure/communes", "text/turtle", None, "site/report/3064011/2023.ttl"),
    ("membership/3064011/zmp", "text/html", "en", "site/member/3064011.en.html#membership/3064011/zmp"),
    ("organisation/no-such", "text/html", None, "site/organisation/no-such.html"),
]


def _request(accept: str, language: str | None) -> dict[str, str]:
    return {"Accept": accept, **({"Accept-Language": language} if language else {})}


@pytest.mark.parametrize(("path", "accept", "language", "target"), CASES)
def test_apache_redirects_as_the_rule_says(
    apache: str, path: str, accept: str, language: str | None, target: str
) -> None:
    response = httpx.get(f"{apache}id/{path}", headers=_request(accept, language))
    assert response.status_code == 303
    assert response.headers["location"] == PUBLISHED + target
    vary = {name.strip().lower() for name in response.headers["vary"].split(",")}
    assert {"accept", "accept-language"} <= vary


@pytest.mark.parametrize(("path", "accept", "language", "target"), CASES)
def test_serve_answers_alike(serve: Server, path: str, accept: str, language: str | None, target: str) -> None:
    response = httpx.get(f"{serve.url}/id/{path}", headers=_request(accept, language))
    assert response.status_code == 303
    assert response.headers["location"] == "/" + target


def test_an_unknown_iri_is_303_then_404_on_apache(apache: str) -> None:
    response = httpx.get(f"{apache}id/organisation/no-such", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    target = response.headers["location"].removeprefix(PUBLISHED)
    assert target == "site/organisation/no-such.ttl"
    assert httpx.get(apache + target).status_code == 404


def test_files_are_served_with_their_media_types_on_a_fileinfo_only_host(apache: str, stand_in_site: Path) -> None:  # noqa: F811
    """No directive of the .htaccess needs more than AllowOverride FileInfo (``Options`` would make this 500)."""
    turtle = httpx.get(f"{apache}site/member/3064011.ttl")
    assert turtle.status_code == 200
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert turtle.content == (stand_in_site / "member" / "3064011.ttl").read_bytes()
    graph = httpx.get(f"{apache}graph.nt")
    assert graph.status_code == 200
    assert graph.headers["content-type"] == "application/n-triples; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "target"),
    [("vocab/", "site/vocab/index.html"), ("shapes", "site/shapes.html"), ("ontology", "site/ontology.html")],
)
def test_the_project_namespaces_resolve_to_a_document(apache: str, path: str, target: str) -> None:
    response = httpx.get(apache + path, headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == PUBLISHED + target


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("vocab/", "text/html", "site/vocab/index.html"),
        ("vocab/", "text/turtle", "site/vocab/index.ttl"),
        ("vocab/hedge", "application/ld+json", "site/vocab/hedge.jsonld"),
        ("shapes", "text/html", "site/shapes.html"),
        ("shapes", "application/n-triples", "site/shapes.nt"),
        ("ontology", "application/rdf+xml", "site/ontology.rdf"),
    ],
)
def test_the_namespaces_answer_alike(apache: str, serve: Server, path: str, accept: str, target: str) -> None:
    on_apache = httpx.get(apache + path, headers={"Accept": accept})
    on_serve = httpx.get(f"{serve.url}/{path}", headers={"Accept": accept})
    assert (on_apache.status_code, on_serve.status_code) == (303, 303)
    assert on_apache.headers["location"] == PUBLISHED + target
    assert on_serve.headers["location"] == "/" + target


# What a client that follows the redirect gets, for each format the IRIs are answered with: the published file,
# with its media type, holding the resource (read by rdflib, a parser other than the writer's).
FORMATS = [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
]


@pytest.mark.parametrize(("accept", "media_type", "rdf_format"), FORMATS)
@pytest.mark.parametrize(
    "path",
    ["id/member/3064011", "id/report/3064011/2023", "id/activity/3064011/2023/pkm", "id/organisation/zmp", "shapes"],
)
def test_every_format_of_a_resource_is_a_published_file(
    apache_release: str, path: str, accept: str, media_type: str, rdf_format: str
) -> None:
    redirect = httpx.get(apache_release + path, headers={"Accept": accept})
    assert redirect.status_code == 303
    target = redirect.headers["location"].removeprefix(PUBLISHED)
    answer = httpx.get(apache_release + target)
    assert answer.status_code == 200, target
    assert answer.headers["content-type"] == f"{media_type}; charset=utf-8"
    graph = Graph().parse(data=answer.content, format=rdf_format)
    subject = URIRef(PUBLISHED + path) if path != "shapes" else URIRef("https://w3id.org/civicgraph/shapes#FigureShape")
    assert (subject, None, None) in graph


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("danegovpl.xml", "application/xml; charset=utf-8"),
        ("danegovpl.md5", "text/plain"),
        ("site/sitemap.xml", "application/xml; charset=utf-8"),
        ("site/index.html", "text/html; charset=utf-8"),
        ("site/search-index.js", "text/javascript; charset=utf-8"),
        ("release.json", "application/json; charset=utf-8"),
        ("csv-metadata.json", "application/csvm+json; charset=utf-8"),  # as the catalogue lists it
        ("catalog-pages/all.ttl", "text/turtle; charset=utf-8"),
    ],
)
def test_the_release_declares_the_types_of_its_other_files(apache_release: str, path: str, media_type: str) -> None:
    """Served by an Apache without a MIME table (TypesConfig /dev/null, as above): the harvester of dane.gov.pl
    (mcod/harvester/utils.py, check_content_type) asks for its file by HEAD and refuses it unless the type holds
    "application/xml" or "text/xml"; a browser runs the search's script only when it is served as script; CKAN's
    DCAT harvester parses a catalogue page in the syntax its type names (harvesters/base.py,
    _get_content_and_type)."""
    answer = httpx.head(apache_release + path)
    assert (answer.status_code, answer.headers.get("content-type")) == (200, media_type)
