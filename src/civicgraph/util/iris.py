"""The IRIs of :mod:`civicgraph.graph.namespaces` as plain strings, for code that works on Oxigraph terms and IRI text.

The writers, the index of a release and the SHACL engine compare ``term.value`` strings and use them as dict keys;
an rdflib ``URIRef`` never equals the ``str`` of its IRI as a dict key, so they take these instead.
"""

from __future__ import annotations

CG = "https://w3id.org/civicgraph/ontology#"
CGV = "https://w3id.org/civicgraph/vocab/"
DCT = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"

CGSH = "https://w3id.org/civicgraph/shapes#"
WD = "http://www.wikidata.org/entity/"

# Prefixes offered to every serialization; writers emit only those a file uses. Here as plain strings, so that
# commands that only show or query a graph (``civicgraph query``) need not import rdflib for them.
PREFIXES: dict[str, str] = {
    "cg": CG,
    "cgv": CGV,
    "cgsh": CGSH,
    "dct": DCT,
    "oa": OA,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "time": TIME,
    "wd": WD,
    "xsd": XSD,
}

RDF_TYPE = RDF + "type"
RDF_LANG_STRING = RDF + "langString"
XSD_STRING = XSD + "string"
