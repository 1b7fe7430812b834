"""The ontology (ontology/civicgraph.ttl) and the SKOS vocabularies (ontology/vocabularies.ttl).

* Both parse; every cg: term and every concept has a label and a definition in Polish and English.
* They define exactly what docs/MODEL.md lists: the cg: terms it names and its concept schemes and notations.
* An OWL 2 RL reasoner (owlrl) over the ontology, the vocabularies, the reused W3C ORG and PROV-O ontologies
  and the valid shape fixtures finds no inconsistency and infers no cg: class a resource was not given;
  a deliberately inconsistent graph is detected, so the check can fail.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from civicgraph.graph.build import BuiltGraph

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_FILE = ROOT / "ontology" / "civicgraph.ttl"
VOCABULARIES_FILE = ROOT / "ontology" / "vocabularies.ttl"
MODEL_FILE = ROOT / "docs" / "MODEL.md"
SHAPE_FIXTURES = ROOT / "tests" / "shapes" / "fixtures"
OWL_FIXTURES = SHAPE_FIXTURES / "owl"
# Copies of the W3C ontologies the cg: terms build on, so that the reasoner sees their disjointness axioms
# (org:Organization ⊓ org:Membership, prov:Activity ⊓ prov:Entity) offline.
W3C_IMPORTS = (OWL_FIXTURES / "imports" / "org.ttl", OWL_FIXTURES / "imports" / "prov-o.ttl")

CG = Namespace("https://w3id.org/civicgraph/ontology#")
CGV = "https://w3id.org/civicgraph/vocab/"
ONTOLOGY_IRI = URIRef("https://w3id.org/civicgraph/ontology")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
# owlrl reports an inconsistency by adding a resource of this type with the message (owlrl.Closure).
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
OWLRL_ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@cache
def vocabularies() -> Graph:
    return Graph().parse(VOCABULARIES_FILE, format="turtle")


def languages(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return sorted(o.language or "" for o in graph.objects(subject, predicate) if isinstance(o, Literal))


def cg_terms() -> set[URIRef]:
    return {s for s in ontology().subjects() if isinstance(s, URIRef) and str(s).startswith(str(CG))}


# --------------------------------------------------------------------------------------------------------------
# Documentation of every term
# --------------------------------------------------------------------------------------------------------------


def test_ontology_header() -> None:
    graph = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert graph.value(ONTOLOGY_IRI, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert URIRef("https://w3id.org/civicgraph/shapes") in set(graph.objects(ONTOLOGY_IRI, RDFS.seeAlso))
    for predicate in (DCT.title, DCT.description):
        assert languages(graph, ONTOLOGY_IRI, predicate) == ["en", "pl"], predicate


@pytest.mark.parametrize("term", sorted(cg_terms()), ids=lambda t: t.split("#")[-1])
def test_every_cg_term_is_declared_and_documented_in_polish_and_english(term: URIRef) -> None:
    graph = ontology()
    kinds = set(graph.objects(term, RDF.type)) & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    assert len(kinds) == 1, f"{term}: {kinds}"
    assert languages(graph, term, RDFS.label) == ["en", "pl"]
    assert languages(graph, term, SKOS.definition) == ["en", "pl"]
    assert graph.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


def test_polish_text_is_written_with_diacritics() -> None:
    """A cheap guard against Polish typed on an English keyboard ("zrodlowy" for "źródłowy")."""
    polish = " ".join(
        str(o)
        for g in (ontology(), vocabularies())
        for o in g.objects()
        if isinstance(o, Literal) and o.language == "pl"
    )
    assert re.search(r"[ąćęłńóśźż]", polish)
    for ascii_only in ("zrodl", "dzialan", "samorzadu", "wartosc", "jezyk", "liczba znakow"):
        assert ascii_only not in polish.lower(), ascii_only


@pytest.mark.parametrize(
    "concept", sorted(vocabularies().subjects(RDF.type, SKOS.Concept)), ids=lambda c: c[len(CGV) :]
)
def test_every_concept_is_documented_in_polish_and_english(concept: URIRef) -> None:
    graph = vocabularies()
    assert languages(graph, concept, SKOS.prefLabel) == ["en", "pl"]
    assert languages(graph, concept, SKOS.definition) == ["en", "pl"]
    scheme = graph.value(concept, SKOS.inScheme)
    notation = graph.value(concept, SKOS.notation)
    # IRI = {scheme}/{notation}: SHACL Core cannot compare an IRI with a literal, so it is checked here.
    assert concept == URIRef(f"{scheme}/{notation}")
    assert graph.value(concept, SKOS.topConceptOf) == scheme
    assert (scheme, SKOS.hasTopConcept, concept) in graph


def test_every_scheme_is_named_in_polish_and_english() -> None:
    graph = vocabularies()
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    # The eight `cgv:… a skos:ConceptScheme` of ontology/vocabularies.ttl (and of MODEL.md's "Concept schemes").
    assert schemes == {
        URIRef(CGV + name)
        for name in (
            "hedge",
            "activity-type",
            "role",
            "organisation-type",
            "local-government-kind",
            "unit",
            "match-method",
            "recordable-field",
        )
    }
    for scheme in schemes:
        assert languages(graph, scheme, SKOS.prefLabel) == ["en", "pl"], scheme


def test_hedge_concepts_say_what_the_polish_words_mean() -> None:
    graph, hedge = vocabularies(), CGV + "hedge/"
    labels = {
        notation: {str(o) for o in graph.objects(URIRef(hedge + notation), SKOS.prefLabel) if o.language == "pl"}
        for notation in ("exact", "nearly", "more-than", "about")
    }
    assert labels == {"exact": {"dokładnie"}, "nearly": {"blisko"}, "more-than": {"ponad"}, "about": {"około"}}


# --------------------------------------------------------------------------------------------------------------
# Agreement with the contract (docs/MODEL.md)
# --------------------------------------------------------------------------------------------------------------


def model_text() -> str:
    return MODEL_FILE.read_text(encoding="utf-8")


def test_ontology_defines_exactly_the_cg_terms_model_md_names() -> None:
    named = {CG[name] for name in re.findall(r"\bcg:([A-Za-z][A-Za-z0-9]*)", model_text())}
    assert named == cg_terms(), (
        f"in MODEL.md only: {sorted(named - cg_terms())}; in the ontology only: {sorted(cg_terms() - named)}"
    )


def model_schemes() -> dict[str, set[str]]:
    """The "Concept schemes" section of MODEL.md: lines "- `scheme`: `notation` (note), `notation`, ..."."""
    section = model_text().split("## Concept schemes", 1)[1].split("\n## ", 1)[0]
    schemes: dict[str, set[str]] = {}
    for item in re.split(r"\n- ", "\n" + section)[1:]:
        name, _, rest = item.partition(":")
        schemes[name.strip(" `")] = set(re.findall(r"`([a-z0-9-]+)`", rest))
    return schemes


def test_vocabularies_hold_exactly_the_schemes_and_notations_model_md_lists() -> None:
    graph = vocabularies()
    found: dict[str, set[str]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        found.setdefault(str(scheme)[len(CGV) :], set()).add(str(graph.value(concept, SKOS.notation)))
    assert found == model_schemes()


# --------------------------------------------------------------------------------------------------------------
# OWL 2 RL: consistent, and no nonsense inferred
# --------------------------------------------------------------------------------------------------------------


def closure(*extra: Path, axioms: Graph | None = None) -> Graph:
    graph = Graph()
    for file in (ONTOLOGY_FILE, VOCABULARIES_FILE, *W3C_IMPORTS, *extra):
        graph.parse(file, format="turtle")
    if axioms is not None:
        graph += axioms
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False).expand(graph)
    return graph


def inconsistencies(graph: Graph) -> list[str]:
    """What makes an OWL RL closure inconsistent: members of owl:Nothing, and owlrl's error markers (raised for
    disjoint classes, owl:sameAs/owl:differentFrom clashes, ill-typed literals and the like)."""
    found = [f"{s} a owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing)]
    found += [f"{s} owl:sameAs {o}" for s, o in graph.subject_objects(OWL.sameAs) if (s, OWL.differentFrom, o) in graph]
    found += [str(graph.value(e, OWLRL_ERROR_TEXT)) for e in graph.subjects(RDF.type, OWLRL_ERROR)]
    return found


@cache
def valid_closure() -> Graph:
    fixtures = [SHAPE_FIXTURES / "world.ttl", *sorted(SHAPE_FIXTURES.glob("*-valid.ttl"))]
    return closure(*fixtures)


def test_ontology_and_valid_data_are_consistent_under_owl_rl() -> None:
    assert inconsistencies(valid_closure()) == []


def test_owl_rl_infers_no_cg_class_that_was_not_asserted() -> None:
    """Domains and ranges are chosen so that reasoning adds no cg: class to a resource the builder did not
    type with it (a wrong rdfs:domain would, e.g., make every membership a cg:Activity)."""
    asserted = Graph()
    for file in [SHAPE_FIXTURES / "world.ttl", *sorted(SHAPE_FIXTURES.glob("*-valid.ttl"))]:
        asserted.parse(file, format="turtle")
    inferred = valid_closure()
    for cls in {c for c in inferred.objects(None, RDF.type) if str(c).startswith(str(CG))}:
        extra = set(inferred.subjects(RDF.type, cls)) - set(asserted.subjects(RDF.type, cls))
        assert not extra, f"inferred {cls} for {sorted(extra)}"


def test_owl_rl_merges_no_resources() -> None:
    graph = valid_closure()
    merged = [(s, o) for s, o in graph.subject_objects(OWL.sameAs) if s != o]
    assert merged == []


def test_owl_rl_detects_an_inconsistent_graph() -> None:
    """The check above can fail: a resource typed both as a national organisation and as a membership
    contradicts ORG (org:Organization owl:disjointWith org:Membership) through cg:NationalOrganisation."""
    graph = closure(SHAPE_FIXTURES / "world.ttl", OWL_FIXTURES / "inconsistent-organisation-as-membership.ttl")
    # owlrl's rule cax-dw message, for the axiom of ORG and the resource the fixture types both ways.
    assert inconsistencies(graph) == [
        "Disjoint classes http://www.w3.org/ns/org#Organization and http://www.w3.org/ns/org#Membership"
        " have a common individual https://w3id.org/civicgraph/id/organisation/metropolia-poznan"
    ]


def test_evidence_cannot_be_a_kind_of_prov_derivation() -> None:
    """Why cg:evidence is not rdfs:subPropertyOf prov:wasDerivedFrom: that property's domain is prov:Entity,
    and every activity (a prov:Activity, disjoint with prov:Entity) has evidence."""
    axiom = Graph()
    axiom.add((CG.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom))
    # world.ttl's one activity (a prov:Activity with cg:evidence) would become a prov:Entity too (owlrl's rule
    # cax-dw message, for PROV-O's prov:Activity owl:disjointWith prov:Entity).
    assert inconsistencies(closure(SHAPE_FIXTURES / "world.ttl", axioms=axiom)) == [
        "Disjoint classes http://www.w3.org/ns/prov#Activity and http://www.w3.org/ns/prov#Entity"
        " have a common individual https://w3id.org/civicgraph/id/activity/3064011/2023/zit-projects"
    ]
    assert (CG.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom) not in ontology()


def test_ontology_and_the_real_poznan_graph_are_consistent_under_owl_rl(built: BuiltGraph) -> None:
    """Issue 2's check on the published data itself, not only on the shape fixtures."""
    graph = closure(axioms=built.graph)
    assert inconsistencies(graph) == []
    merged = [(s, o) for s, o in graph.subject_objects(OWL.sameAs) if s != o]
    assert merged == []
