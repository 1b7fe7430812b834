"""The namespaces of the graph as rdflib namespaces (see docs/MODEL.md).

:mod:`civicgraph.util.iris` has them as strings."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from civicgraph.util import iris

CG = Namespace(iris.CG)
CGV = Namespace(iris.CGV)
CGSH = Namespace("https://w3id.org/civicgraph/shapes#")
SCHEMA = Namespace(iris.SCHEMA)
OA = Namespace(iris.OA)
WD = Namespace("http://www.wikidata.org/entity/")

# Prefixes offered to every serialization; writers emit only those a file uses.
PREFIXES: dict[str, str] = {
    "cg": str(CG),
    "cgv": str(CGV),
    "cgsh": str(CGSH),
    "dct": str(DCTERMS),
    "oa": str(OA),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "time": str(TIME),
    "wd": str(WD),
    "xsd": str(XSD),
}


def concept(scheme: str, notation: str) -> str:
    """IRI of a concept of one of civicgraph's SKOS schemes, e.g. ``concept("hedge", "nearly")``."""
    return f"{CGV}{scheme}/{notation}"
