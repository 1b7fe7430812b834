"""Recorded variants of an organisation's name carry the report and the passage that printed them, and are
published each with its evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from civicgraph.graph.build import BuiltGraph
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.util.errors import InputError

from ..conftest import BASE

CG = "https://w3id.org/civicgraph/ontology#"
VARIANT = (
    "    - name: Stowarzyszenie Metropolia Poznań\n      report: 3064011/2023\n"
    "      quote: ze Stowarzyszeniem Metropolia Poznań\n"
)


def test_the_shipped_variant_is_located_in_the_report_that_printed_it(dataset: Dataset) -> None:
    [variant] = dataset.organisations["metropolia-poznan"].variants
    assert (variant.name, variant.member, variant.year) == ("Stowarzyszenie Metropolia Poznań", "3064011", 2023)
    assert variant.evidence.exact.split() == ["ze", "Stowarzyszeniem", "Metropolia", "Poznań"]


def test_it_is_published_with_its_evidence(built: BuiltGraph) -> None:
    graph = built.graph
    name = URIRef(f"{BASE}report/3064011/2023/printed-name/metropolia-poznan/1")
    assert (name, RDF.type, URIRef(f"{CG}PrintedName")) in graph
    assert set(graph.objects(name, RDFS.label)) == {Literal("Stowarzyszenie Metropolia Poznań", lang="pl")}
    assert set(graph.objects(name, URIRef(f"{CG}nameOf"))) == {URIRef(f"{BASE}organisation/metropolia-poznan")}
    [evidence] = graph.objects(name, URIRef(f"{CG}evidence"))
    start, end = (int(x) for x in str(evidence).rsplit("/", 1)[1].split("-"))
    text = (Path(__file__).resolve().parents[2] / "data/reports/3064011/2023/source.txt").read_text(encoding="utf-8")
    assert text[start:end].split() == ["ze", "Stowarzyszeniem", "Metropolia", "Poznań"]


def problems(data: Path, replacement: str) -> list[tuple[str, str, str | None]]:
    organisations = data / "organisations.yaml"
    text = organisations.read_text(encoding="utf-8")
    assert text.count(VARIANT) == 1
    organisations.write_text(text.replace(VARIANT, replacement), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_dataset(data)
    return [(p.field, p.message, p.polish) for p in raised.value.problems]


def test_a_quote_that_does_not_print_the_name_is_refused(data_copy: Path) -> None:
    changed = VARIANT.replace("ze Stowarzyszeniem Metropolia Poznań", "Związek Miast Polskich;")
    assert problems(data_copy, changed) == [
        (
            "metropolia-poznan.variants[0].quote",
            "the quote 'Związek Miast Polskich;' does not print the name 'Stowarzyszenie Metropolia Poznań'",
            "cytat 'Związek Miast Polskich;' nie podaje nazwy 'Stowarzyszenie Metropolia Poznań'",
        )
    ]


def test_a_report_that_is_not_read_is_refused(data_copy: Path) -> None:
    assert problems(data_copy, VARIANT.replace("3064011/2023", "3064011/2022")) == [
        (
            "metropolia-poznan.variants[0].report",
            "no report 3064011/2022 is read: a variant names the report that printed it",
            "nie wczytano raportu 3064011/2022: wariant wskazuje raport, który go podał",
        )
    ]


def test_a_variant_without_where_it_was_printed_is_refused(data_copy: Path) -> None:
    found = problems(data_copy, "    - name: Stowarzyszenie Metropolia Poznań\n      note: printed in 2022\n")
    assert [field for field, _, _ in found] == [  # the missing fields on the item's line, then the unknown one
        "metropolia-poznan.variants[0].quote",
        "metropolia-poznan.variants[0].report",
        "metropolia-poznan.variants[0].note",
    ]
