"""VoID: the size of the graph, its vocabularies, where to get it, and the linkset of its Wikidata links."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, Namespace

from civicgraph.graph.build import build_graph
from civicgraph.graph.rdfio import sorted_triples
from civicgraph.graph.terms import plain_triples
from civicgraph.publish.release import Release
from civicgraph.publish.void import void_graph
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset

VOID = Namespace("http://rdfs.org/ns/void#")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
DATASET = URIRef("https://w3id.org/civicgraph/id/catalog#dataset-all")  # the catalogue's whole-graph dataset


def _void(dist: Path) -> Graph:
    return Graph().parse(dist / "void.ttl")


def test_the_triple_count_is_that_of_the_dump(dist: Path) -> None:
    lines = (dist / "graph.nt").read_bytes().count(b"\n")
    assert _void(dist).value(DATASET, VOID.triples) == Literal(lines, datatype=XSD_INTEGER)


def test_the_uri_space_is_a_prefix_of_every_entity_counted(dist: Path) -> None:
    """VoID 5.1: void:uriSpace is "a common string prefix of all the entity URIs"; void:entities counts the graph's
    subjects, the concepts of its vocabularies (https://w3id.org/civicgraph/vocab/) among them beside the data's
    (base_iri https://w3id.org/civicgraph/id/, data/civicgraph.yaml)."""
    void = _void(dist)
    subjects = set(Graph().parse(dist / "graph.nt").subjects())
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/civicgraph/")
    assert all(str(s).startswith("https://w3id.org/civicgraph/") for s in subjects)
    assert void.value(DATASET, VOID.entities) == Literal(len(subjects), datatype=XSD_INTEGER)


def test_no_uri_space_is_given_when_the_entities_share_only_a_scheme() -> None:
    from civicgraph.publish.void import uri_space

    assert uri_space({"https://dane.example-city.pl/id/member/1", "https://w3id.org/civicgraph/vocab/hedge"}) is None
    assert uri_space({"https://dane.example-city.pl/id/member/1", "https://dane.example-city.pl/id/report/1"}) == (
        "https://dane.example-city.pl/id/"
    )
    assert uri_space({"https://dane.example-city.pl/a", "https://dane.example-city.pl/b"}) is None  # the host alone


def test_class_partitions_count_the_memberships_of_the_report(dist: Path) -> None:
    void = _void(dist)
    partitions = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities) for p in void.objects(DATASET, VOID.classPartition)
    }
    membership = URIRef("http://www.w3.org/ns/org#Membership")
    dump = Graph().parse(dist / "graph.nt")
    in_the_dump = set(dump.subjects(RDF.type, membership))
    assert partitions[membership] == Literal(len(in_the_dump), datatype=XSD_INTEGER)
    # among them the 16 of Poznań 2023: "Miasto Poznań było członkiem 16 krajowych organizacji i sieci" (source.txt)
    reported_in = URIRef("https://w3id.org/civicgraph/ontology#reportedIn")
    poznan = set(dump.subjects(reported_in, URIRef("https://w3id.org/civicgraph/id/report/3064011/2023")))
    assert len(poznan & in_the_dump) == 16


def test_vocabularies_and_dumps(dist: Path) -> None:
    void = _void(dist)
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {
        "https://w3id.org/civicgraph/ontology#",
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        "http://schema.org/",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/oa#",
        "http://www.w3.org/2006/time#",
        "http://purl.org/dc/terms/",
    } <= vocabularies
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"https://w3id.org/civicgraph/{name}" for name in ("graph.nt", "graph.ttl", "graph.jsonld")}
    assert void.value(DATASET, VOID.sparqlEndpoint) is None  # sparql_endpoint: null in data/civicgraph.yaml


def test_the_wikidata_linkset_counts_the_verified_links(dist: Path, dataset: Dataset) -> None:
    void = _void(dist)
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    linkset = linksets[0]
    assert void.value(linkset, VOID.linkPredicate) == URIRef("http://schema.org/sameAs")
    assert void.value(linkset, VOID.subjectsTarget) == DATASET
    # One link per member or organisation whose `wikidata:` in data/ names a verified item (`qid:`).
    verified = [
        r for r in (*dataset.members.values(), *dataset.organisations.values()) if r.wikidata and r.wikidata.qid
    ]
    assert void.value(linkset, VOID.triples) == Literal(len(verified), datatype=XSD_INTEGER)


def test_a_configured_sparql_endpoint_is_announced(data_copy: Path) -> None:
    settings = data_copy / "civicgraph.yaml"
    text = settings.read_text(encoding="utf-8").replace(
        "sparql_endpoint: null", "sparql_endpoint: https://dane.example.org/sparql"
    )
    settings.write_text(text, encoding="utf-8")
    dataset = read_dataset(data_copy)
    built = build_graph(dataset)
    void = void_graph(Release(dataset, built, list(plain_triples(sorted_triples(built.graph)))))
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://dane.example.org/sparql")
