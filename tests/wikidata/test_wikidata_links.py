"""Wikidata links in the real data (verified ones only, each with provenance) and the federated example queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from civicgraph.graph.build import BuiltGraph
from civicgraph.source.records import Dataset, WikidataLink

from ..conftest import BASE, ROOT

FEDERATED = sorted((ROOT / "queries" / "federated").glob("*.rq"))
WIKIDATA_SERVICE = URIRef("https://query.wikidata.org/sparql")
DCT = "http://purl.org/dc/terms/"
CG = "https://w3id.org/civicgraph/ontology#"


def test_poznan_is_q268_as_issue_5_states_with_its_provenance(dataset: Dataset) -> None:
    assert dataset.members["3064011"].wikidata == WikidataLink(
        "Q268", "manual", "civicgraph maintainers", date(2026, 11, 29)
    )


def test_no_other_qid_is_in_the_data_until_someone_verifies_it(dataset: Dataset) -> None:
    links = {key: m.wikidata for key, m in dataset.members.items()} | {
        key: o.wikidata for key, o in dataset.organisations.items()
    }
    assert {key: link.qid for key, link in links.items() if link is not None} == {"3064011": "Q268"}
    assert dataset.members["30"].wikidata is None
    assert dataset.members["3021"].wikidata is None
    assert len(dataset.organisations) == 16
    assert all(o.wikidata is None for o in dataset.organisations.values())


def test_every_qid_in_the_graph_has_a_check_with_date_creator_and_method(built: BuiltGraph) -> None:
    graph = built.graph
    poznan = URIRef(BASE + "member/3064011")
    same_as = URIRef("http://schema.org/sameAs")
    assert {(s, o) for s, o in graph.subject_objects(same_as)} == {
        (poznan, URIRef("http://www.wikidata.org/entity/Q268"))
    }
    check = URIRef(BASE + "member/3064011/wikidata-check")
    assert graph.value(poznan, URIRef(CG + "wikidataCheck")) == check
    assert graph.value(check, URIRef(DCT + "date")) == Literal(
        "2026-11-29", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    assert graph.value(check, URIRef(DCT + "creator")) == Literal("civicgraph maintainers")
    assert graph.value(check, URIRef(CG + "matchMethod")) == URIRef(
        "https://w3id.org/civicgraph/vocab/match-method/manual"
    )
    assert (poznan, URIRef("http://www.w3.org/2002/07/owl#sameAs"), None) not in graph


def test_there_are_federated_examples_for_population_and_headquarters() -> None:
    assert [p.name for p in FEDERATED] == ["member-population.rq", "organisation-headquarters.rq"]


@pytest.mark.parametrize("path", FEDERATED, ids=[p.name for p in FEDERATED])
def test_a_federated_query_parses_and_calls_the_wikidata_service(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    query = prepareQuery(text)  # parsed and translated to algebra; never executed (it needs the network)
    services = [node for node in _nodes(query.algebra) if node.name == "ServiceGraphPattern"]
    assert [node["term"] for node in services] == [WIKIDATA_SERVICE]
    opening = [line for line in text.splitlines() if line.startswith("#")]
    assert opening[0].startswith("# PL: ")
    assert any(line.startswith("# EN: ") for line in opening)
    assert "potrzebuje dostępu do sieci" in " ".join(opening)
    assert "needs the network" in " ".join(opening)


@pytest.mark.parametrize(
    ("file", "property"), [("member-population.rq", "P1082"), ("organisation-headquarters.rq", "P159")]
)
def test_each_federated_query_asks_for_its_wikidata_property(file: str, property: str) -> None:
    query = prepareQuery((ROOT / "queries" / "federated" / file).read_text(encoding="utf-8"))
    (service,) = [node for node in _nodes(query.algebra) if node.name == "ServiceGraphPattern"]
    # Inside SERVICE rdflib keeps the parsed triple blocks (they are sent to the remote endpoint as written).
    blocks = [node for node in _nodes(service) if node.name == "TriplesBlock"]
    predicates = {str(triple[1]) for block in blocks for triple in block["triples"]}
    assert any(p in predicates for p in _wikidata_predicates(property))


def _wikidata_predicates(property: str) -> set[str]:
    """The IRIs of a Wikidata property as a truthy direct claim (wdt:) and as a statement link (p:)."""
    return {f"http://www.wikidata.org/prop/direct/{property}", f"http://www.wikidata.org/prop/{property}"}


def _nodes(node: object) -> list[CompValue]:
    """Every algebra node under ``node`` (the parsed query's tree, walked without evaluating anything)."""
    found: list[CompValue] = []
    if isinstance(node, CompValue):
        found.append(node)
        for value in node.values():
            found.extend(_nodes(value))
    elif isinstance(node, list | tuple):
        for value in node:
            found.extend(_nodes(value))
    return found
