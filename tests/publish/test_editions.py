"""Each ``editions/{teryt}-{year}.*`` file is what its report states: it validates alone against the shapes, and its
bytes do not change when another year of the same member or another member is added to the data.

The data: a copy of data/ (Poznań 2023), then the constructed Poznań 2022 (tests/fixtures/poznan-2022) and the
made-up member 3099011 (tests/fixtures/second-member) added to it."""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.rdfio import read_graph
from civicgraph.graph.terms import PlainTriple, oxigraph_triples
from civicgraph.publish import editions as editions_module
from civicgraph.publish.editions import (
    edition_graph,
    edition_keys,
    edition_triples,
    made_keeping_vocabularies,
    write_editions,
)
from civicgraph.publish.plan import plan_key, plan_keys
from civicgraph.publish.release import GraphIndex, Release
from civicgraph.shacl.validate import validate_graph
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset

from ..conftest import BASE, ROOT, add_poznan_2022, add_second_member, poznan_2023_copy

EDITION_2023 = ("3064011-2023.ttl", "3064011-2023.nt", "3064011-2023.jsonld")
CG = "https://w3id.org/civicgraph/ontology#"
NOT_RECORDED = URIRef(f"{CG}notRecorded")
START_NOT_RECORDED = URIRef("https://w3id.org/civicgraph/vocab/recordable-field/start-date")
ZMP = URIRef(f"{BASE}membership/3064011/zmp")


def _editions(data: Path, out: Path) -> dict[str, bytes]:
    """The edition files written for the data folder, by name."""
    dataset = read_dataset(data)
    built = build_graph(dataset)
    out.mkdir()
    write_editions(Release(dataset, built, built.plain), out)
    return {path.name: path.read_bytes() for path in sorted((out / "editions").iterdir())}


@pytest.fixture(scope="module")
def three_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Poznań 2023 (data/), with Poznań 2022 and member 3099011 added: three reports."""
    data = poznan_2023_copy(tmp_path_factory.mktemp("three") / "data")
    add_poznan_2022(data)
    add_second_member(data)
    return data


def test_an_edition_does_not_change_when_a_year_and_a_member_are_added(
    data_copy: Path, three_reports: Path, tmp_path: Path
) -> None:
    alone = _editions(data_copy, tmp_path / "alone")
    assert sorted(alone) == sorted(EDITION_2023)
    with_more = _editions(three_reports, tmp_path / "more")
    added = ("3064011-2022.ttl", "3064011-2022.nt", "3064011-2022.jsonld")
    added += ("3099011-2023.ttl", "3099011-2023.nt", "3099011-2023.jsonld")
    assert sorted(with_more) == sorted([*EDITION_2023, *added])
    assert {name: with_more[name] for name in EDITION_2023} == alone


def test_an_edition_does_not_change_when_another_year_states_a_membership_start(
    three_reports: Path, tmp_path: Path
) -> None:
    """Poznań 2022 now says ZMP membership began in 2010: the whole graph has the start, 2022's edition has it,
    and 2023's edition, whose report does not say it, keeps "not recorded" — byte for byte as before."""
    before = _editions(three_reports, tmp_path / "before")
    data = tmp_path / "data"

    shutil.copytree(three_reports, data)
    report = data / "reports" / "3064011" / "2022" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("  zmp:\n", "  zmp:\n    start: 2010\n", 1), encoding="utf-8")
    after = _editions(data, tmp_path / "after")
    assert {name: after[name] for name in EDITION_2023} == {name: before[name] for name in EDITION_2023}
    assert after["3064011-2022.nt"] != before["3064011-2022.nt"]
    whole = build_graph(read_dataset(data)).graph
    assert (ZMP, NOT_RECORDED, START_NOT_RECORDED) not in whole
    edition_2023 = Graph().parse(tmp_path / "after" / "editions" / "3064011-2023.nt")
    assert (ZMP, NOT_RECORDED, START_NOT_RECORDED) in edition_2023
    edition_2022 = Graph().parse(tmp_path / "after" / "editions" / "3064011-2022.nt")
    assert (ZMP, NOT_RECORDED, START_NOT_RECORDED) not in edition_2022


def test_every_edition_validates_alone(three_reports: Path, tmp_path: Path) -> None:
    files = _editions(three_reports, tmp_path / "out")
    for name in files:
        report = validate_graph(read_graph(tmp_path / "out" / "editions" / name))
        assert report.violations == [], name
    # 3099011's report gives no English title (tests/fixtures/second-member): a warning, in its edition only
    assert [
        r.focus for r in validate_graph(read_graph(tmp_path / "out" / "editions" / "3099011-2023.ttl")).warnings
    ] == [f"{BASE}report/3099011/2023"]


def test_the_validate_command_accepts_an_edition_file(three_reports: Path, tmp_path: Path) -> None:
    _editions(three_reports, tmp_path / "out")
    edition = tmp_path / "out" / "editions" / "3064011-2023.ttl"
    result = subprocess.run(
        [sys.executable, "-m", "civicgraph", "validate", "--lang", "en", "--graph", str(edition)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout == "The data conforms to the SHACL shapes.\n"


def test_the_three_files_of_an_edition_hold_the_same_graph(three_reports: Path, tmp_path: Path) -> None:
    _editions(three_reports, tmp_path / "out")
    folder = tmp_path / "out" / "editions"
    turtle = Graph().parse(folder / "3064011-2022.ttl")
    assert isomorphic(Graph().parse(folder / "3064011-2022.nt"), turtle)
    assert isomorphic(Graph().parse(folder / "3064011-2022.jsonld"), turtle)


def test_the_cut_from_the_whole_graph_is_the_report_built_alone(three_reports: Path) -> None:
    """The files are written from the whole graph's triples (fast); an edition is defined as its report's records
    built alone. Same triples, same order, for every report."""
    dataset = read_dataset(three_reports)
    built = build_graph(dataset)
    index = GraphIndex.of(built.plain, dataset.settings.base_iri)
    for report in dataset.reports:
        assert edition_triples(index, dataset, report) == edition_graph(dataset, report).plain, report.year


def test_an_edition_names_no_other_report(three_reports: Path, tmp_path: Path) -> None:
    _editions(three_reports, tmp_path / "out")
    text = (tmp_path / "out" / "editions" / "3064011-2023.nt").read_text(encoding="utf-8")
    assert "report/3064011/2022" not in text
    assert "3099011" not in text
    edition_2022 = Graph().parse(tmp_path / "out" / "editions" / "3064011-2022.nt")
    reported_in = {o for s, o in edition_2022.subject_objects(URIRef(f"{CG}reportedIn"))}
    assert reported_in == {URIRef(f"{BASE}report/3064011/2022")}
    # the 15 memberships the constructed 2022 text lists ("15 krajowych organizacji i sieci"), SPEO not among them
    memberships = set(
        edition_2022.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef("http://www.w3.org/ns/org#Membership")
        )
    )
    assert len(memberships) == 15 and URIRef(f"{BASE}membership/3064011/speo") not in memberships


def test_an_edition_carries_the_concepts_it_uses_and_no_others(data_copy: Path, tmp_path: Path) -> None:
    _editions(data_copy, tmp_path / "out")
    edition = Graph().parse(tmp_path / "out" / "editions" / "3064011-2023.nt")
    hedge = "https://w3id.org/civicgraph/vocab/hedge/"
    skos = "http://www.w3.org/2004/02/skos/core#"
    # Poznań 2023 prints "blisko", "ponad" and exact figures, never "około" (about)
    used = {str(o) for o in edition.objects(None, URIRef(f"{CG}hedge"))}
    assert used == {f"{hedge}exact", f"{hedge}nearly", f"{hedge}more-than"}
    listed = {
        str(o)
        for o in edition.objects(URIRef("https://w3id.org/civicgraph/vocab/hedge"), URIRef(f"{skos}hasTopConcept"))
    }
    assert listed == used
    assert (URIRef(f"{hedge}about"), None, None) not in edition
    assert (URIRef(f"{hedge}nearly"), URIRef(f"{skos}notation"), None) in edition


def test_the_vocabularies_oxigraph_triples_are_made_once_and_kept_for_the_next_edition(
    dataset: Dataset, built: BuiltGraph
) -> None:
    index = GraphIndex.of(built.plain, dataset.settings.base_iri)
    triples = edition_triples(index, dataset, dataset.reports[0])
    kept: dict[PlainTriple, ox.Triple] = {}
    first = made_keeping_vocabularies(triples, kept)
    assert first == list(oxigraph_triples(triples))  # the same triples, in the same order
    vocabulary = [t for t in triples if t[0].startswith("https://w3id.org/civicgraph/vocab/")]
    assert vocabulary, "the edition describes the concepts it uses: else this test proves nothing"
    assert sorted(kept) == sorted(vocabulary)
    again = made_keeping_vocabularies(triples, kept)
    assert again == first
    reused = [a is f for a, f, t in zip(again, first, triples, strict=True)]
    assert reused == [t in kept for t in triples]  # the kept ones are the very objects; the others made anew


def _files_below(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_editions_written_ahead_from_the_records_are_those_cut_from_the_graph(
    three_reports: Path, tmp_path: Path
) -> None:
    """``civicgraph build``'s keying child writes editions from the records while the graph is built
    (:func:`editions._written_until_told`); the editions' writer writes the others from the graph. Told nothing, the
    child writes every edition, from the last: the same bytes, edition files and report pages' RDF/XML alike."""
    dataset = read_dataset(three_reports)
    built = build_graph(dataset)
    (tmp_path / "cut").mkdir()
    write_editions(Release(dataset, built, built.plain), tmp_path / "cut")
    (tmp_path / "ahead").mkdir()  # the staging folder, made before the build
    ours, theirs = multiprocessing.Pipe()

    written = editions_module._written_until_told(dataset, tmp_path / "ahead", theirs)

    assert written == {("3064011", 2022), ("3064011", 2023), ("3099011", 2023)}
    assert _files_below(tmp_path / "ahead") == _files_below(tmp_path / "cut")
    assert sorted(_files_below(tmp_path / "ahead")) == [
        "editions/3064011-2022.jsonld",
        "editions/3064011-2022.nt",
        "editions/3064011-2022.ttl",
        "editions/3064011-2023.jsonld",
        "editions/3064011-2023.nt",
        "editions/3064011-2023.ttl",
        "editions/3099011-2023.jsonld",
        "editions/3099011-2023.nt",
        "editions/3099011-2023.ttl",
        "site/report/3064011/2022.rdf",
        "site/report/3064011/2023.rdf",
        "site/report/3099011/2023.rdf",
    ]
    ours.close()


def test_editions_are_written_ahead_only_until_the_build_ends(three_reports: Path, tmp_path: Path) -> None:
    """The end of the block is looked for before each edition: once it has come, no edition is begun."""
    dataset = read_dataset(three_reports)
    ours, theirs = multiprocessing.Pipe()
    ours.send(editions_module._BLOCK_ENDED)
    (tmp_path / "ahead").mkdir()

    assert editions_module._written_until_told(dataset, tmp_path / "ahead", theirs) == set()
    assert [p for p in (tmp_path / "ahead").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("into_earlier", [True, False])
def test_the_keying_child_sends_every_editions_key_and_the_editions_it_wrote(
    three_reports: Path, tmp_path: Path, into_earlier: bool
) -> None:
    """The child that keys the editions sends, in one message, their keys (the ones the editions' writer would
    make) and the editions it wrote ahead: none here, into an earlier release (no folder) or in a first build whose
    block had ended before the first edition (:func:`test_editions_are_written_ahead_only_until_the_build_ends`)."""
    dataset = read_dataset(three_reports)
    ahead = None if into_earlier else tmp_path / "ahead"
    if ahead is not None:
        ahead.mkdir()
    ours, theirs = multiprocessing.Pipe()
    ours.send(editions_module._BLOCK_ENDED)

    editions_module._keyed_and_written_ahead(dataset, ahead, theirs)
    keys, written = ours.recv()

    assert keys == edition_keys(dataset)
    assert written == set()  # the block had ended before the first edition
    assert ours.poll() is False  # one message, nothing else


def test_the_plans_keys_name_each_planned_dataset_and_series_and_are_kept_for_their_release(
    three_reports: Path,
) -> None:
    """dane.gov.pl's file, the site's catalogue page and the catalogue's parts are declared with the plan's keys:
    one per report's dataset and one of all, one per local government's series; kept for the release they were made
    for, made anew for another (how often a build makes them: test_publish's
    test_the_plans_keys_are_made_once_per_release_and_shared)."""
    dataset = read_dataset(three_reports)
    built = build_graph(dataset)
    release = Release(dataset, built, built.plain)

    made = plan_keys(release)

    assert sorted(made.datasets) == ["3064011-2022", "3064011-2023", "3099011-2023", "all"]
    assert sorted(made.series) == ["3064011", "3099011"]
    assert plan_keys(release) is made
    assert plan_key(release) == made.whole
    assert plan_keys(Release(dataset, built, built.plain)) is not made  # another release keys its own
