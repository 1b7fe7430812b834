"""``void.ttl``: the VoID description of the graph — how big it is, which vocabularies it uses, where its dumps
and SPARQL endpoint are, and the linkset of its Wikidata links.

The dataset described is the catalogue's whole-graph dataset (the same IRI), so VoID and DCAT-AP speak of one
thing. Counts are made from the published triples, classes and properties sorted, so the file is deterministic.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD, Namespace

from civicgraph.graph.namespaces import PREFIXES
from civicgraph.graph.rdfio import sorted_triples, write_turtle
from civicgraph.graph.terms import PlainTriple, Term
from civicgraph.publish.plan import CatalogIris, licence_of, plan, publisher_iri
from civicgraph.publish.release import build_date
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import RDF_TYPE

if TYPE_CHECKING:
    from civicgraph.publish.release import Release

VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SCHEMA_SAME_AS = "http://schema.org/sameAs"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
VOID_FILE = "void.ttl"

_DUMPS = {"graph.nt": FORMATS["N-Triples"], "graph.ttl": FORMATS.Turtle, "graph.jsonld": FORMATS["JSON-LD"]}


@dataclass
class Tally:
    """What VoID counts, gathered in one pass over the triples (a national graph has a million)."""

    triples: int = 0
    subjects: set[str] = field(default_factory=set)
    objects: set[Term] = field(default_factory=set)
    properties: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    wikidata_links: int = 0

    @classmethod
    def of(cls, triples: list[PlainTriple]) -> Tally:
        """The tally of plain triples (:mod:`civicgraph.graph.terms`): reading the parts of a million Oxigraph
        triples took three times as long as this whole loop over the plain ones."""
        tally = cls(len(triples))
        subjects, objects, properties, classes = tally.subjects, tally.objects, tally.properties, tally.classes
        for subject, predicate, obj in triples:
            if type(subject) is str:  # an IRI, not a Blank
                subjects.add(subject)
            objects.add(obj)  # terms compare as in N-Triples: an IRI (a str) and a literal (a Lit) differ
            properties[predicate] += 1
            if type(obj) is str:
                if predicate == RDF_TYPE:
                    classes[obj] += 1
                elif predicate == SCHEMA_SAME_AS and obj.startswith(WIKIDATA_ENTITY):
                    tally.wikidata_links += 1
        return tally


def uri_space(subjects: set[str]) -> str | None:
    """``void:uriSpace``, "a common string prefix of all the entity URIs" of the dataset (VoID, 5.1): the prefix
    every subject shares, up to its last "/" or "#" — the concepts of the vocabularies the data use are among the
    subjects, beside the data's own (``base_iri``). None when they share no more than a scheme and host (a
    ``base_iri`` on the publisher's own host): VoID then has no one prefix to give."""
    if not subjects:
        return None
    common = os.path.commonprefix([min(subjects), max(subjects)])  # noqa: RUF071 (a string prefix is meant)
    space = common[: max(common.rfind("/"), common.rfind("#")) + 1]
    parts = urlsplit(space)
    return space if parts.netloc and parts.path.strip("/") else None


def vocabularies(tally: Tally) -> list[str]:
    """The namespaces of the properties and classes the graph uses (``void:vocabulary``)."""
    terms = set(tally.properties) | set(tally.classes)
    known = sorted(set(PREFIXES.values()), key=len, reverse=True)
    used = {next((ns for ns in known if term.startswith(ns)), _namespace_of(term)) for term in terms}
    return sorted(used)


def _namespace_of(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def void_graph(release: Release) -> Graph:
    settings = release.dataset.settings
    iris = CatalogIris(settings)
    datasets, _series = plan(release)
    dataset = iris.dataset(datasets[0])
    graph = Graph(bind_namespaces="none")
    add = graph.add

    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, DCTERMS.title, Literal(datasets[0].title.pl, lang="pl")))
    add((dataset, DCTERMS.title, Literal(str(datasets[0].title.en), lang="en")))
    add((dataset, DCTERMS.publisher, URIRef(publisher_iri(settings))))
    add((dataset, DCTERMS.license, URIRef(licence_of(settings).term.iri)))
    add((dataset, DCTERMS.modified, Literal(build_date(settings).isoformat(), datatype=XSD.date)))
    add((dataset, FOAF.homepage, URIRef(f"{settings.publish_url}site/index.html")))
    tally = Tally.of(release.triples)
    space = uri_space(tally.subjects)
    if space is not None:
        add((dataset, VOID.uriSpace, Literal(space)))
    for member in datasets[0].members:
        add((dataset, VOID.exampleResource, URIRef(f"{settings.base_iri}member/{member}")))
    for name, file_format in _DUMPS.items():
        add((dataset, VOID.dataDump, URIRef(settings.publish_url + name)))
        add((dataset, VOID.feature, file_format))
    if settings.sparql_endpoint:
        add((dataset, VOID.sparqlEndpoint, URIRef(settings.sparql_endpoint)))
    for vocabulary in vocabularies(tally):
        add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    _counts(graph, dataset, iris, tally)
    _wikidata_linkset(graph, dataset, iris, tally)
    return graph


def _counts(graph: Graph, dataset: URIRef, iris: CatalogIris, tally: Tally) -> None:
    properties, classes = tally.properties, tally.classes
    graph.add((dataset, VOID.triples, Literal(tally.triples, datatype=XSD.integer)))
    graph.add((dataset, VOID.entities, Literal(len(tally.subjects), datatype=XSD.integer)))
    graph.add((dataset, VOID.distinctSubjects, Literal(len(tally.subjects), datatype=XSD.integer)))
    graph.add((dataset, VOID.distinctObjects, Literal(len(tally.objects), datatype=XSD.integer)))
    graph.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        partition = iris.local(f"class-{_slug(cls)}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in sorted(properties.items()):
        partition = iris.local(f"property-{_slug(prop)}")
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))


def _slug(iri: str) -> str:
    """A stable fragment for a partition: the term's prefixed name (``cg-Activity``), else its IRI's letters."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            return re.sub(r"[^A-Za-z0-9]+", "-", f"{prefix}-{iri[len(namespace) :]}")
    return re.sub(r"[^A-Za-z0-9]+", "-", iri).strip("-")


def _wikidata_linkset(graph: Graph, dataset: URIRef, iris: CatalogIris, tally: Tally) -> None:
    """The schema:sameAs links to Wikidata items, as a linkset (zero triples while no link is verified)."""
    wikidata = iris.local("wikidata")
    graph.add((wikidata, RDF.type, VOID.Dataset))
    graph.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    graph.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    graph.add((wikidata, VOID.uriSpace, Literal(WIKIDATA_ENTITY)))
    linkset = iris.local("linkset-wikidata")
    graph.add((dataset, VOID.subset, linkset))
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, VOID.subjectsTarget, dataset))
    graph.add((linkset, VOID.objectsTarget, wikidata))
    graph.add((linkset, VOID.linkPredicate, URIRef(SCHEMA_SAME_AS)))
    graph.add((linkset, VOID.triples, Literal(tally.wikidata_links, datatype=XSD.integer)))


def write_void(release: Release, out: Path) -> None:
    prefixes = {"void": str(VOID), "formats": str(FORMATS), "foaf": str(FOAF)}
    with paused_cycle_collector():
        write_turtle(sorted_triples(void_graph(release)), out / VOID_FILE, prefixes)
