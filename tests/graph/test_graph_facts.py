"""The graph holds every fact of the Poznań 2023 text, with units, hedges and evidence.

Expected values are read off the source text (data/reports/3064011/2023/source.txt), not off the code.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from civicgraph.graph.build import BuiltGraph

from ..conftest import BASE, SOURCE_TEXT

PREFIXES = """
PREFIX cg: <https://w3id.org/civicgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

POZNAN = URIRef(BASE + "member/3064011")
CGV = "https://w3id.org/civicgraph/vocab/"

# The 16 organisations listed in the text, by their printed names.
LISTED_ORGANISATIONS = {
    "Związek Miast Polskich",
    "Unia Metropolii Polskich",
    "Metropolia Poznań",
    "Stowarzyszenie Gmin i Powiatów Wielkopolski",
    "Wielkopolski Ośrodek Kształcenia i Studiów Samorządowych",
    "Fundacja POMOST",
    "Fundacja Rozwoju Rolnictwa i Gospodarki Żywnościowej",
    "Poznańska Lokalna Organizacja Turystyczna",
    "Klaster Turystyczny „Szlak Piastowski w Wielkopolsce”",
    "Stowarzyszenie „Forum Rewitalizacji”",
    "Stowarzyszenie gmin, powiatów i województw „Droga S 11”",
    "Stowarzyszenie Jednostek Samorządu Terytorialnego „Komunikacja”",
    "Stowarzyszenie Producentów Energii z Odpadów",
    "Stowarzyszenie Zdrowych Miast Polskich",
    "Wielkopolski Klaster Teleinformatyczny",
    "Związek Stowarzyszeń Wielkopolski Bank Żywności",
}

# (activity key, figure key) -> (value, unit or currency, hedge, verbatim words of the text)
FIGURES = {
    ("zit-projects", "projects"): ("139", "unit/project", "exact", "139 projektów"),
    ("zit-projects", "total-value"): ("1400000000", "PLN", "nearly", "blisko 1,4 mld zł"),
    ("zit-projects", "eu-grants"): ("800000000", "PLN", "more-than", "ponad 800 mln zł"),
    ("pkm", "years-of-operation"): ("5", "unit/year", "exact", "5 lat funkcjonowania"),
    ("pkm", "local-governments"): ("48", "unit/local-government", "exact", "48 samorządów"),
    ("pkm", "counties"): ("9", "unit/county", "exact", "9 powiatów"),
    ("pkm", "communes"): ("36", "unit/commune", "exact", "36 gmin"),
    ("secondary-school-places", "pupils"): (
        "14025",
        "unit/pupil",
        "exact",
        "możliwość nauki dla 14 025 uczniów",
    ),
    ("secondary-school-places", "graduate-ratio"): (
        "2",
        "unit/times",
        "nearly",
        "blisko dwukrotnie wyższej liczby uczniów",
    ),
    ("e-delivery-guides", "guides"): ("2", "unit/guide", "exact", "dwa poradniki"),
    ("e-delivery-trainings", "trainings"): ("4", "unit/training", "exact", "4 szkolenia"),
    ("e-delivery-trainings", "participants"): (
        "2000",
        "unit/participant",
        "more-than",
        "ponad 2 tys. uczestników",
    ),
    ("competence-workshop-trainings", "trainings"): ("60", "unit/training", "exact", "60 szkoleń"),
    ("competence-workshop-trainings", "people-trained"): (
        "7233",
        "unit/person",
        "exact",
        "przeszkolono 7233 osoby",
    ),
}


def test_poznan_has_the_16_listed_memberships(built: BuiltGraph) -> None:
    rows = built.graph.query(
        PREFIXES
        + """SELECT ?name WHERE {
            ?m a org:Membership ; org:member ?member ; org:organization ?o ; cg:reportedIn ?report .
            ?o skos:prefLabel ?name . FILTER(lang(?name) = "pl") }""",
        initBindings={"member": POZNAN, "report": URIRef(BASE + "report/3064011/2023")},
    )
    names = [str(row.name) for row in rows]  # type: ignore[union-attr]
    assert len(names) == 16
    assert set(names) == LISTED_ORGANISATIONS


def test_report_level_count_of_organisations(built: BuiltGraph) -> None:
    figure = URIRef(BASE + "report/3064011/2023/figure/national-organisations")
    value = built.graph.value(figure, URIRef("http://schema.org/value"))
    assert value == Literal("16", datatype=XSD.decimal)


def test_every_figure_of_the_text_with_unit_and_hedge(built: BuiltGraph) -> None:
    graph = built.graph
    schema = "http://schema.org/"
    found = {}
    for (activity, key), _expected in FIGURES.items():
        figure = URIRef(f"{BASE}activity/3064011/2023/{activity}/figure/{key}")
        value = graph.value(figure, URIRef(schema + "value"))
        currency = graph.value(figure, URIRef(schema + "currency"))
        unit = graph.value(figure, URIRef(schema + "unitCode"))
        hedge = graph.value(figure, URIRef("https://w3id.org/civicgraph/ontology#hedge"))
        printed = graph.value(figure, URIRef("https://w3id.org/civicgraph/ontology#asPrinted"))
        assert value is not None, figure
        assert value.datatype == XSD.decimal  # money and counts are never floats
        measure = str(currency) if currency is not None else str(unit).removeprefix(CGV)
        found[(activity, key)] = (str(value), measure, str(hedge).removeprefix(CGV + "hedge/"), str(printed))
    assert found == FIGURES


def test_money_is_decimal_with_currency(built: BuiltGraph) -> None:
    rows = list(
        built.graph.query(
            PREFIXES
            + """SELECT ?v ?c WHERE {
                ?f a schema:MonetaryAmount ; schema:value ?v ; schema:currency ?c ; cg:evidence/oa:hasSource ?text }""",
            initBindings={"text": URIRef(BASE + "report/3064011/2023/text")},
        )
    )
    amounts = sorted((row.v.toPython(), str(row.c)) for row in rows)  # type: ignore[union-attr]
    assert amounts == [(Decimal("800000000"), "PLN"), (Decimal("1400000000"), "PLN")]


def test_pkm_co_financers_by_kind(built: BuiltGraph) -> None:
    rows = built.graph.query(
        PREFIXES
        + """SELECT ?teryt ?kind WHERE {
            ?a cg:hasParticipation ?p . ?p cg:participant ?lg ; cg:role ?role .
            ?lg cg:teryt ?teryt ; cg:localGovernmentKind ?kind }""",
        initBindings={
            "a": URIRef(BASE + "activity/3064011/2023/pkm"),
            "role": URIRef(CGV + "role/co-financer"),
        },
    )
    found = {(str(r.teryt), str(r.kind).removeprefix(CGV + "local-government-kind/")) for r in rows}  # type: ignore[union-attr]
    assert found == {("30", "voivodeship"), ("3064011", "city-with-county-rights"), ("3021", "county")}


def test_every_fact_has_evidence_found_verbatim_in_the_source(built: BuiltGraph) -> None:
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    rows = list(
        built.graph.query(
            PREFIXES
            + """SELECT ?fact ?exact ?start ?end WHERE {
                ?fact cg:evidence ?e . ?e oa:hasSource ?text ; oa:hasSelector ?q, ?p .
                ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
            initBindings={"text": URIRef(BASE + "report/3064011/2023/text")},
        )
    )
    facts = {row.fact for row in rows}  # type: ignore[union-attr]
    # resting on Poznań 2023's text: 16 memberships + 14 activities + 4 participations + 15 figures + 1 printed
    # name (Stowarzyszenie Metropolia Poznań)
    assert len(facts) == 16 + 14 + 4 + 15 + 1
    for row in rows:
        assert text[int(row.start) : int(row.end)] == str(row.exact)  # type: ignore[union-attr]


def test_named_activities_are_in_the_graph(built: BuiltGraph) -> None:
    titles = {
        str(t)
        for t in built.graph.objects(None, URIRef("http://purl.org/dc/terms/title"))
        if isinstance(t, Literal) and t.language == "pl"
    }
    for printed in (
        "„WłączaMY ZERO WASTE!”",
        "„Rozwój lokalny”",
        "„Nie Śpij, bo Cię przegłosują”",
        "„Polskie Miasta Ukrainie”",
        "„Mariupol – Reborn – cztery koncepcje odbudowy miasta”",
        "Grupa zakupowa paliwa gazowego",
    ):
        assert printed in titles


def test_absent_values_are_explicit(built: BuiltGraph) -> None:
    graph = built.graph
    not_recorded = URIRef("https://w3id.org/civicgraph/ontology#notRecorded")
    zmp = URIRef(BASE + "organisation/zmp")
    assert {str(v).removeprefix(CGV + "recordable-field/") for v in graph.objects(zmp, not_recorded)} == {
        "krs",
        "wikidata",
        "legal-form",
    }
    zit = URIRef(BASE + "activity/3064011/2023/zit-projects")
    assert URIRef(CGV + "recordable-field/period") in set(graph.objects(zit, not_recorded))
    membership = URIRef(BASE + "membership/3064011/zmp")
    assert {str(v).removeprefix(CGV + "recordable-field/") for v in graph.objects(membership, not_recorded)} == {
        "start-date",
        "end-date",
    }


def test_no_blank_nodes(built: BuiltGraph) -> None:
    from rdflib import BNode

    assert not [t for t in built.graph if any(isinstance(term, BNode) for term in t)]
