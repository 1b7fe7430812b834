"""The published tables through a real CSV on the Web processor: rdf-parser-csvw (npm, tests/csvw/) turns
memberships.csv, activities.csv and figures.csv back into RDF with csv-metadata.json as published, and the
triples must be exactly those of graph.nt that the tables carry.

The processor matches each header cell with a column's ``titles``: with no title equal to the header (as before),
it makes junk properties from the file's URL and drops the mapped ones. Its output is standard mode; the cells'
triples (minimal mode) are those about IRIs, every table having an aboutUrl (tests/csvw/csv2rdf.mjs).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib import Graph, Literal, URIRef

from civicgraph.graph.build import build_graph
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset

from ..conftest import DATA, ROOT

CSVW = ROOT / "tests" / "csvw"
PROCESSOR = CSVW / "node_modules" / "rdf-parser-csvw"
# The CSVW namespace document (its JSON-LD context), as the processor's own tests use it.
CSVW_CONTEXT = PROCESSOR / "test" / "support" / "csvw.json"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not CSVW_CONTEXT.exists(),
    reason="Node.js or the CSVW processor is not installed; .ci/run installs them (npm ci --prefix tests/csvw)",
)

# What the tables carry, as csv-metadata.json maps their columns (the columns with suppressOutput carry nothing).
CARRIED = """
PREFIX cg: <https://w3id.org/civicgraph/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?s ?p ?o } WHERE {
  {   # memberships.csv: member, organisation, the member's Polish name, the organisation's names and abbreviation
    ?s a org:Membership ; ?p ?o . VALUES ?p { org:member org:organization }
  } UNION {
    [] a org:Membership ; org:member ?s . ?s skos:prefLabel ?o . BIND(skos:prefLabel AS ?p) FILTER(lang(?o) = "pl")
  } UNION {
    [] a org:Membership ; org:organization ?s . ?s ?p ?o . VALUES ?p { skos:prefLabel schema:alternateName }
  } UNION {  # activities.csv
    ?s a cg:Activity ; ?p ?o .
    VALUES ?p { cg:withinMembership cg:reportedIn dct:title dct:description dct:isPartOf }
  } UNION {  # figures.csv
    ?s a cg:Figure ; ?p ?o .
    VALUES ?p {
      cg:figureOf skos:prefLabel schema:value schema:unitCode schema:currency cg:hedge cg:asPrinted cg:evidence
    }
  }
}
"""


def csv2rdf(release: Path) -> Graph:
    """The triples the CSVW processor makes of the release's tables."""
    run = subprocess.run(
        ["node", str(CSVW / "csv2rdf.mjs"), str(release / "csv-metadata.json"), str(CSVW_CONTEXT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return _read_ntriples(run.stdout)


def _read_ntriples(text: str) -> Graph:
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False  # "1400000000" stays as written
    try:
        return Graph().parse(data=text, format="nt")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _graph(release: Path) -> Graph:
    return _read_ntriples((release / "graph.nt").read_text(encoding="utf-8"))


def test_a_csvw_processor_gives_back_exactly_the_triples_the_tables_carry(dist: Path) -> None:
    produced = set(csv2rdf(dist))
    graph = _graph(dist)
    carried = set(graph.query(CARRIED))  # type: ignore[arg-type]  # CONSTRUCT results are triples
    assert produced - set(graph) == set()  # nothing the graph does not hold
    assert produced == carried
    # The real data: 16 memberships of one member in 16 organisations, 14 activities, 15 figures.
    assert len({s for s, p, _o in produced if p == URIRef("http://www.w3.org/ns/org#member")}) == 16
    assert len({s for s, p, _o in produced if p == URIRef("https://w3id.org/civicgraph/ontology#figureOf")}) == 15


INJECTED = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture(scope="module")
def injected_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the real data with one activity's English title a spreadsheet formula."""
    data = tmp_path_factory.mktemp("injected") / "data"
    shutil.copytree(DATA, data)
    report = data / "reports" / "3064011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    original = "      en: Natural gas purchasing group\n"
    assert text.count(original) == 1
    report.write_text(text.replace(original, f"      en: '{INJECTED}'\n"), encoding="utf-8")
    dataset = read_dataset(data)
    return publish(dataset, build_graph(dataset), data.parent / "dist").folder


def test_a_formula_in_a_title_is_neutralised_in_the_csv_and_kept_in_the_graph(injected_release: Path) -> None:
    activity = URIRef("https://w3id.org/civicgraph/id/activity/3064011/2023/gas-purchasing-group")
    title = URIRef("http://purl.org/dc/terms/title")
    assert (activity, title, Literal(INJECTED, lang="en")) in _graph(injected_release)
    text = (injected_release / "activities.csv").read_text(encoding="utf-8-sig")
    # OWASP: an apostrophe in front; RFC 4180: the cell quoted, its quotes doubled.
    assert ',"\'=HYPERLINK(""http://evil.example/"",""click"")",' in text
    rows = {row["activity"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows[str(activity)]["title_en"] == "'" + INJECTED
    assert rows[str(activity)]["title_pl"] == "Grupa zakupowa paliwa gazowego"  # nothing to neutralise


def test_the_csvw_processor_reads_the_neutralised_cell_with_its_one_added_apostrophe(injected_release: Path) -> None:
    """CSVW cannot remove a character from a cell: the processor's literal is the cell, apostrophe included; the
    metadata's rule (remove the one leading apostrophe) gives back the graph's value, and every other triple is
    the graph's own."""
    produced = csv2rdf(injected_release)
    graph = _graph(injected_release)
    differing = set(produced) - set(graph)
    activity = URIRef("https://w3id.org/civicgraph/id/activity/3064011/2023/gas-purchasing-group")
    title = URIRef("http://purl.org/dc/terms/title")
    assert differing == {(activity, title, Literal("'" + INJECTED, lang="en"))}
    undone = {(s, p, Literal(str(o)[1:], lang=o.language)) for s, p, o in differing if isinstance(o, Literal)}
    assert undone <= set(graph)
