"""The build refuses a draft; once a person has reviewed it (the marker removed, English filled in), the draft of
Poznań 2023 builds into the same graph facts as the curated report for the facts both hold."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.draft.files import write_draft
from civicgraph.graph.build import build_graph
from civicgraph.source.reader import read_dataset

from ..conftest import poznan_2023_copy

EDITION = Path("reports") / "3064011" / "2023"
PREFIXES = """
PREFIX cg: <https://w3id.org/civicgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <http://schema.org/>
"""
# Facts by report text position, so that activities, figures and participants of the two reports can be paired
# by the passages they rest on (their keys differ: the draft's are made from its words).
MEMBERSHIPS = "SELECT ?member ?organisation WHERE { ?m org:member ?member ; org:organization ?organisation }"
FIGURES = """SELECT ?value ?hedge ?measure ?start ?end WHERE {
  ?f a cg:Figure ; schema:value ?value ; cg:hedge ?hedge ; cg:evidence/oa:hasSelector ?p .
  ?p oa:start ?start ; oa:end ?end .
  OPTIONAL { ?f schema:unitCode ?unit } OPTIONAL { ?f schema:currency ?currency }
  BIND(COALESCE(?unit, ?currency) AS ?measure) }"""
ACTIVITIES = """SELECT ?activity ?membership ?start ?end WHERE {
  ?activity a cg:Activity ; cg:withinMembership ?membership ; cg:evidence/oa:hasSelector ?p .
  ?p oa:start ?start ; oa:end ?end }"""
PARTICIPANTS = """SELECT ?member ?role ?start ?end WHERE {
  ?activity cg:hasParticipation ?n ; cg:evidence/oa:hasSelector ?p . ?n cg:participant ?member ; cg:role ?role .
  ?p oa:start ?start ; oa:end ?end }"""


def review(drafted: str, curated: dict[str, Any]) -> str:
    """What a reviewer does with this draft: remove the marker, give the title, write the English, choose a
    type where the draft found none (the curated report's type of those sentences)."""
    reviewed = drafted.replace("status: draft\n", "").replace("types: []", "types: [joint-decision]")
    reviewed = reviewed.replace('  pl: ""   # the report\'s title as printed\n  en: ""', _title(curated))
    return re.sub(r'en: ""', "en: Reviewed in English", reviewed)


def _title(curated: dict[str, Any]) -> str:
    return f"  pl: {curated['title']['pl']}\n  en: {curated['title']['en']}"


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in store.query(PREFIXES + query)]  # type: ignore[union-attr]


def store_of(data: Path) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in build_graph(read_dataset(data)).triples)
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, ox.Store]:
    """The graph of the curated Poznań 2023 and of the same report drafted and reviewed (whatever other reports
    data/ holds)."""
    curated_data = poznan_2023_copy(tmp_path_factory.mktemp("curated") / "data")
    drafted_data = poznan_2023_copy(tmp_path_factory.mktemp("reviewed") / "data")
    report = drafted_data / EDITION / "report.yaml"
    curated = yaml.safe_load(report.read_text(encoding="utf-8"))
    write_draft((drafted_data / EDITION / "source.txt").read_bytes(), "3064011", 2023, drafted_data, None, True)
    report.write_text(review(report.read_text(encoding="utf-8"), curated), encoding="utf-8")
    return store_of(curated_data), store_of(drafted_data)


def test_the_same_memberships(stores: tuple[ox.Store, ox.Store]) -> None:
    curated, drafted = stores
    assert sorted(rows(drafted, MEMBERSHIPS)) == sorted(rows(curated, MEMBERSHIPS))


def test_the_same_figures_at_the_same_passages(stores: tuple[ox.Store, ox.Store]) -> None:
    curated, drafted = stores
    drafted_figures = rows(drafted, FIGURES)
    for value, hedge, measure, start, end in rows(curated, FIGURES):
        at = [f for f in drafted_figures if int(f[3]) < int(end) and int(start) < int(f[4])]
        assert [(Decimal(f[0]), f[1], f[2]) for f in at] == [(Decimal(value), hedge, measure)]
    assert len(drafted_figures) == len(rows(curated, FIGURES))


def test_activities_at_the_same_passages_belong_to_the_same_membership(stores: tuple[ox.Store, ox.Store]) -> None:
    curated, drafted = stores
    drafted_activities = rows(drafted, ACTIVITIES)
    for _, membership, start, end in rows(curated, ACTIVITIES):
        at = {a[1] for a in drafted_activities if int(a[2]) < int(end) and int(start) < int(a[3])}
        assert at == {membership}


def test_the_same_participants_in_activities_at_the_same_passages(stores: tuple[ox.Store, ox.Store]) -> None:
    curated, drafted = stores
    drafted_participants = rows(drafted, PARTICIPANTS)
    for member, role, start, end in rows(curated, PARTICIPANTS):
        assert any(
            (p[0], p[1]) == (member, role) and int(p[2]) < int(end) and int(start) < int(p[3])
            for p in drafted_participants
        ), (member, role)
    assert {p[:2] for p in drafted_participants} == {p[:2] for p in rows(curated, PARTICIPANTS)}


def test_the_build_refuses_a_draft_naming_file_and_line(data_copy: Path, tmp_path: Path) -> None:
    write_draft((data_copy / EDITION / "source.txt").read_bytes(), "3064011", 2023, data_copy, None, force=True)
    report = data_copy / EDITION / "report.yaml"
    line = report.read_text(encoding="utf-8").splitlines().index("status: draft") + 1
    out = tmp_path / "dist"
    for lang, message in (
        ("pl", "szkic zrobiony przez `civicgraph draft`: przejrzyj go, potem usuń status: draft"),
        ("en", "a draft made by `civicgraph draft`: review it, then remove status: draft"),
    ):
        for command in (["build", "--out", str(out)], ["validate"]):
            result = CliRunner().invoke(main, [*command, "--data", str(data_copy), "--lang", lang])
            assert result.exit_code == 3
            assert result.stderr.splitlines()[0] == f"{report}:{line}: status: {message}"
    assert not out.exists()


def test_a_proposed_organisation_is_refused_until_reviewed(data_copy: Path) -> None:
    organisations = data_copy / "organisations.yaml"
    before = organisations.read_text(encoding="utf-8")
    proposal = "\nfundacja-nowa:\n  status: draft\n  name: {pl: Fundacja Nowa}\n  type: foundation\n"
    proposal += "  krs: null\n  wikidata: null\n"
    organisations.write_text(before + proposal, encoding="utf-8")
    line = len(before.splitlines()) + 3
    result = CliRunner().invoke(main, ["validate", "--data", str(data_copy), "--lang", "en"])
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"{organisations}:{line}: fundacja-nowa.status: a draft made by `civicgraph draft`: review it, then remove "
        "status: draft",
        "Error: 1 problem in the source data; nothing was written",
    ]
