"""Any member, any year, by data alone: a second member-year builds and validates next to Poznań 2023."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from civicgraph.graph.build import build_graph
from civicgraph.shacl.validate import validate_graph
from civicgraph.source.reader import read_dataset

from .conftest import BASE, add_second_member

CG = "https://w3id.org/civicgraph/ontology#"
SCHEMA = "http://schema.org/"


def test_a_second_member_year_builds_and_validates(data_copy: Path) -> None:
    add_second_member(data_copy)
    dataset = read_dataset(data_copy)
    assert [(r.member, r.year) for r in dataset.reports] == [("3064011", 2023), ("3099011", 2023)]
    built = build_graph(dataset)
    report = validate_graph(built.graph, built.sources)
    assert report.violations == []

    graph = built.graph
    # The shared organisation now has members from both reports.
    members = set(graph.subjects(URIRef("http://www.w3.org/ns/org#organization"), URIRef(BASE + "organisation/zmp")))
    assert members == {URIRef(BASE + "membership/3064011/zmp"), URIRef(BASE + "membership/3099011/zmp")}
    # Known membership dates are kept at their precision (year, day).
    during = URIRef(BASE + "membership/3099011/metropolia-poznan/during")
    assert graph.value(during, URIRef(SCHEMA + "startDate")) == Literal("2011-05-01", datatype=XSD.date)
    zmp_during = URIRef(BASE + "membership/3099011/zmp/during")
    beginning = URIRef(f"{zmp_during}/beginning")
    in_year = URIRef("http://www.w3.org/2006/time#inXSDgYear")
    assert graph.value(beginning, in_year) == Literal("2010", datatype=XSD.gYear)
    assert graph.value(zmp_during, URIRef(SCHEMA + "startDate")) is None  # a year is not turned into a day
    # 2500000.00 in the data is published in canonical form.
    cost = URIRef(BASE + "activity/3099011/2023/energy-purchase/figure/cost")
    assert graph.value(cost, URIRef(SCHEMA + "value")) == Literal("2500000", datatype=XSD.decimal)
    # An organisation taking part in an activity is a participant like a local government.
    participation = URIRef(BASE + "activity/3099011/2023/officials-training/participation/1")
    assert graph.value(participation, URIRef(CG + "participant")) == URIRef(BASE + "organisation/metropolia-poznan")
