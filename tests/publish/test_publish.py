"""The published files: three serializations of one graph, deterministic, canonical, independent-parser-proof."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from civicgraph.graph.build import BuiltGraph, build_graph, canonical_decimal
from civicgraph.publish import catalog as catalog_module
from civicgraph.publish import editions as editions_module
from civicgraph.publish import orchestrator as orchestrator_module
from civicgraph.publish import plan as plan_module
from civicgraph.publish import release as release_module
from civicgraph.publish import void as void_module
from civicgraph.publish.checksums import RELEASE, write_checksums, write_release_info
from civicgraph.publish.danegovpl import write_danegovpl
from civicgraph.publish.editions import write_editions
from civicgraph.publish.graph_files import copy_ontology_and_shapes
from civicgraph.publish.orchestrator import publish
from civicgraph.publish.release import Release
from civicgraph.publish.tables import write_tables
from civicgraph.publish.void import write_void
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset, Settings
from civicgraph.util.errors import ExitCode, Failure, Message
from civicgraph.util.folders import replacing

from ..conftest import DATA, ROOT

GRAPH_FILES = ("graph.ttl", "graph.nt", "graph.jsonld")


def _oxigraph_triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
    return {str(q.triple) for q in ox.parse(path=str(path), format=fmt)}


def test_the_three_files_are_isomorphic_with_the_built_graph(dist: Path, built: BuiltGraph) -> None:
    for name in GRAPH_FILES:
        parsed = Graph().parse(dist / name)
        assert isomorphic(parsed, built.graph), name


def test_an_independent_parser_reads_the_same_triples(dist: Path) -> None:
    """Oxigraph (Rust) parses all three files to exactly the same set of triples."""
    turtle = _oxigraph_triples(dist / "graph.ttl", ox.RdfFormat.TURTLE)
    ntriples = _oxigraph_triples(dist / "graph.nt", ox.RdfFormat.N_TRIPLES)
    jsonld = _oxigraph_triples(dist / "graph.jsonld", ox.RdfFormat.JSON_LD)
    assert turtle == ntriples == jsonld


def test_ntriples_are_sorted_and_have_no_blank_nodes(dist: Path) -> None:
    lines = (dist / "graph.nt").read_bytes().splitlines()
    assert lines == sorted(lines)
    assert not [line for line in lines if line.startswith(b"_:") or b" _:" in line]


def test_turtle_declares_only_the_prefixes_it_uses(dist: Path) -> None:
    text = (dist / "graph.ttl").read_text(encoding="utf-8")
    declared = [line.split()[1].rstrip(":") for line in text.splitlines() if line.startswith("@prefix")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    assert declared, "expected prefixes"
    for prefix in declared:
        assert f"{prefix}:" in body, f"unused prefix {prefix}"


def test_jsonld_is_nested_with_language_maps(dist: Path) -> None:
    document = json.loads((dist / "graph.jsonld").read_text(encoding="utf-8"))
    nodes = {node["id"]: node for node in document["@graph"]}
    zmp = nodes["organisation/zmp"]
    assert zmp["prefLabel"] == {"pl": "Związek Miast Polskich", "en": "Association of Polish Cities"}
    zit = nodes["activity/3064011/2023/zit-projects"]
    figures = {figure["id"]: figure for figure in zit["hasFigure"]}
    total = figures["activity/3064011/2023/zit-projects/figure/total-value"]
    assert total["value"] == "1400000000"
    assert total["currency"] == "PLN"
    assert total["hedge"] == "cgv:hedge/nearly"


def test_literals_survive_a_round_trip_through_oxigraph(dist: Path) -> None:
    """A store rewrites decimals to canonical form; ours already are, so the graph comes back unchanged."""
    store = ox.Store()
    store.load(path=str(dist / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    dumped = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert to_isomorphic(Graph().parse(data=dumped, format="nt")) == to_isomorphic(Graph().parse(dist / "graph.nt"))


def test_canonical_decimal_forms() -> None:
    from decimal import Decimal

    assert canonical_decimal(Decimal("47740.00")).lexical == "47740"
    assert canonical_decimal(Decimal("1.4E+9")).lexical == "1400000000"
    assert canonical_decimal(Decimal("0.50")).lexical == "0.5"
    assert canonical_decimal(Decimal("0")).lexical == "0"


def _build(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "civicgraph", "build", "--data", str(DATA), "--out", str(out)],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    first = _build(tmp_path / "a", "1")
    second = _build(tmp_path / "b", "4242")
    assert first.keys() == second.keys()
    assert {"graph.ttl", "graph.nt", "graph.jsonld", "context.jsonld"} <= first.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_publishing_lets_go_of_the_index_and_never_makes_oxigraph_triples_of_the_whole_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once no writer reads it, publish() lets the graph's index go (memory for the writers after it); and the
    writers hand Oxigraph's serializers triples made as they write, so the built graph's list of Oxigraph triples
    (0.45 GB for a national year) is never made."""
    dataset = read_dataset(DATA)
    built = build_graph(dataset)
    indexes: list[weakref.ref[release_module.GraphIndex]] = []
    index_of = release_module.GraphIndex.of

    def remembered(triples: Any, base: str, grouped_now: bool = True) -> release_module.GraphIndex:
        index = index_of(triples, base, grouped_now)
        if triples is built.plain:  # not the ontology's or the shapes' index
            indexes.append(weakref.ref(index))
        return index

    monkeypatch.setattr(release_module.GraphIndex, "of", remembered)
    publish(dataset, built, tmp_path / "dist")

    gc.collect()
    assert len(indexes) == 1 and indexes[0]() is None
    assert "triples" not in vars(built)  # the cached property was never asked for


def test_publishing_may_let_go_of_the_built_graph_and_still_counts_its_triples(tmp_path: Path) -> None:
    """``keep_built=False`` (as ``civicgraph build`` publishes): the built graph's triples and source lines are
    emptied once the last writer that reads them is done; release.json still counts every triple of graph.nt."""
    dataset = read_dataset(DATA)
    kept, let_go = build_graph(dataset), build_graph(dataset)
    made = list(kept.plain)

    publish(dataset, kept, tmp_path / "kept")
    publish(dataset, let_go, tmp_path / "let-go", keep_built=False)

    assert kept.plain == made and kept.sources  # by default the caller's graph is left as it was
    assert let_go.plain == [] and let_go.plain_in_lines == [] and let_go.sources == {}
    published = len((tmp_path / "let-go" / "graph.nt").read_bytes().splitlines())
    assert let_go.size == kept.size == published == len(made)
    for folder in ("kept", "let-go"):
        assert json.loads((tmp_path / folder / "release.json").read_text(encoding="utf-8"))["triples"] == published
    assert (tmp_path / "kept" / "catalog.ttl").read_bytes() == (tmp_path / "let-go" / "catalog.ttl").read_bytes()


def test_a_build_that_ends_holds_its_graph_only_into_a_release_it_reuses(tmp_path: Path) -> None:
    """``ends=True`` (as ``civicgraph build`` publishes, its process ending without freeing what it holds): into a
    new folder the built graph is let go as without it; into the earlier release, whose files the writers reuse,
    it is held to the end. The release is the same either way."""
    dataset = read_dataset(DATA)
    first, again = build_graph(dataset), build_graph(dataset)
    made = list(first.plain)

    publish(dataset, first, tmp_path / "dist", keep_built=False, ends=True)
    released = _files(tmp_path / "dist")
    publish(dataset, again, tmp_path / "dist", keep_built=False, ends=True)

    assert first.plain == [] and first.sources == {}  # a new folder: let go
    assert again.plain == made and again.sources  # into the release it replaced: held
    assert _files(tmp_path / "dist") == released


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_writers_dealt_with_the_editions_write_what_they_write_alone(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """publish() hands the work of VoID, the tables and dane.gov.pl to the editions' writer, which deals it with
    its own: the files are those the writers write one after the other, also when every edition is taken from the
    earlier release (the jobs alone, done by this process, as in_parallel does any work of fewer items than it
    shares, at any size of graph) and when no editions' writer follows."""
    alone = tmp_path / "alone"
    alone.mkdir()
    for writer in (write_void, write_tables, write_danegovpl, write_editions):
        writer(Release(dataset, built, built.plain), alone)
    expected = _files(alone)
    assert {"void.ttl", "memberships.csv", "danegovpl.xml", "editions/3064011-2023.nt"} <= expected.keys()

    dealt: list[tuple[int, list[str], int]] = []  # editions, the jobs dealt with them, fewest items to fork for
    deal = editions_module.in_parallel

    def recorded(items: Any, work: Any, besides: Any = (), minimum: int = 64) -> None:
        dealt.append((len(items), [job.func.__name__ for job in besides], minimum))
        deal(items, work, besides=besides, minimum=minimum)

    monkeypatch.setattr(editions_module, "in_parallel", recorded)
    # in the order of WRITERS: a writer that is not dealt (the ontology's copy) between VoID and the editions
    writers = [write_void, copy_ontology_and_shapes, write_tables, write_danegovpl, write_editions]
    writers += [write_release_info, write_checksums]
    jobs = ["write_void", "write_tables", "write_danegovpl"]
    first = publish(dataset, built, tmp_path / "dealt", writers=writers)
    written = {name: data for name, data in _files(first.folder).items() if name in expected}
    assert first.editions_reused == 0 and written == expected
    # every edition taken from the earlier release, from a graph of a national year's size: the jobs alone, done by
    # this process, as in_parallel does with fewer items than it shares
    made = Release.__post_init__

    def national(release: Release) -> None:
        made(release)
        object.__setattr__(release, "size", 1_041_469)

    monkeypatch.setattr(Release, "__post_init__", national)
    again = publish(dataset, built, tmp_path / "dealt", writers=writers)
    written = {name: data for name, data in _files(again.folder).items() if name in expected}
    editions = len(dataset.reports)
    assert again.editions_reused == editions and written == expected
    assert dealt == [(editions, jobs, 64), (0, jobs, 64)]

    publish(dataset, built, tmp_path / "void-only", writers=[write_void])
    assert (tmp_path / "void-only" / "void.ttl").read_bytes() == expected["void.ttl"]


def test_a_writer_run_alongside_is_left_to_the_caller_and_waited_for_before_the_catalogue(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``civicgraph build`` has VoID written by the process that validated the graph, into its staging folder:
    publish() does not write it too, and waits for it once the files it describes are written and before the
    catalogue and SHA256SUMS, which read every file. The release is the one publish() writes alone."""
    tallies: list[int] = []
    tally = void_module.Tally.of
    monkeypatch.setattr(void_module.Tally, "of", lambda triples: (tallies.append(len(triples)), tally(triples))[1])
    waits: list[tuple[bool, bool]] = []
    out = tmp_path / "dist"
    with replacing(out, RELEASE) as staging:

        def written_elsewhere() -> None:
            waits.append(((staging / "site" / "index.html").is_file(), (staging / "catalog.ttl").exists()))
            write_void(Release(dataset, built, built.plain), staging)

        publish(dataset, built, out, staging=staging, alongside={write_void: written_elsewhere})
    assert waits == [(True, False)]  # once, after the site and before the catalogue
    assert tallies == [built.size]  # VoID made once: by the caller
    assert _files(out) == _files(dist)


def test_the_catalogue_lets_go_of_the_index_and_triples_once_its_files_are_being_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the site (the last writer to read them) leaves is let go of inside the catalogue's writer, after it
    started hashing its files in another process: not before, while the other core would have nothing to do."""
    dataset = read_dataset(DATA)
    built = build_graph(dataset)
    events: list[str] = []
    hashing = catalog_module.files_facts_meanwhile
    forget = orchestrator_module.forget_index

    @contextmanager
    def recorded_hashing(*args: Any, **kwargs: Any) -> Any:
        with hashing(*args, **kwargs) as facts:
            events.append("hashing")
            yield facts

    def recorded_forget(release: Release) -> None:
        events.append("index let go")
        forget(release)

    monkeypatch.setattr(catalog_module, "files_facts_meanwhile", recorded_hashing)
    monkeypatch.setattr(orchestrator_module, "forget_index", recorded_forget)
    monkeypatch.setattr(BuiltGraph, "let_go", lambda graph: events.append("triples let go"))
    publish(dataset, built, tmp_path / "dist", keep_built=False)
    assert events[:3] == ["hashing", "index let go", "triples let go"]  # (SHA256SUMS's turn lets go of nothing)


def test_the_catalogues_plan_is_made_once_per_release(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VoID, the site, the catalogue and dane.gov.pl read the plan; it is made once, before the writers fork."""
    made: list[int] = []
    planned = plan_module.planned

    def counted(data: Dataset) -> Any:
        made.append(id(data))
        return planned(data)

    monkeypatch.setattr(plan_module, "planned", counted)
    publish(dataset, built, tmp_path / "dist")
    assert len(made) == 1
    publish(dataset, built, tmp_path / "other")  # another release: planned again
    assert len(made) == 2


def test_the_plans_keys_are_made_once_per_release_and_shared(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an earlier release, dane.gov.pl's file, the site's catalogue page and the catalogue's parts are declared
    with the plan's keys: made once, in the building process, for each release."""
    made: list[int] = []
    keyed = plan_module.plan_keys_of

    def counted(settings: Settings, planned: plan_module.Plan) -> plan_module.PlanKeys:
        made.append(len(planned[0]))
        return keyed(settings, planned)

    monkeypatch.setattr(plan_module, "plan_keys_of", counted)
    publish(dataset, built, tmp_path / "dist")  # a first build: the catalogue's parts alone read them
    publish(dataset, built, tmp_path / "dist")  # into it: the three of them
    datasets = 1 + len(dataset.reports)  # the whole graph's and each report's
    assert made == [datasets, datasets]  # keyed once in each build


def _refused() -> None:
    raise Failure(Message("graf narusza kształty SHACL", "the graph violates the shapes"), ExitCode.VIOLATIONS)


def test_the_validation_is_awaited_once_before_the_editions_and_its_failure_abandons_the_release(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph
) -> None:
    """``civicgraph build`` validates the graph in another process while the graph files are written, and publish()
    waits for it before the editions: a graph that violates the shapes gets no release and leaves ``out`` as it
    was, no staging folder besides it."""
    out = tmp_path / "dist"
    publish(dataset, built, out, writers=[copy_ontology_and_shapes, write_release_info, write_checksums])
    earlier = _files(out)
    seen: list[list[str]] = []  # what the staging folder held each time the validation was awaited

    def staged() -> list[str]:
        [staging] = tmp_path.glob(".dist.staging-*")
        return sorted(p.relative_to(staging).as_posix() for p in staging.iterdir())

    def failing() -> None:
        seen.append(staged())
        _refused()

    writers = [copy_ontology_and_shapes, write_void, write_editions, write_release_info, write_checksums]
    with pytest.raises(Failure) as raised:
        publish(dataset, built, out, writers=writers, validated=failing)
    assert raised.value.exit_code == ExitCode.VIOLATIONS
    assert seen == [["ontology", "shapes"]]  # after the writer before the editions; VoID is dealt with them
    assert _files(out) == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist"]

    passing: list[list[str]] = []
    publish(dataset, built, out, writers=writers, validated=lambda: passing.append(staged()))
    assert passing == [["ontology", "shapes"]]
    assert {"void.ttl", "editions/3064011-2023.nt", "release.json"} <= _files(out).keys()

    without_editions: list[list[str]] = []  # awaited before the release replaces the earlier one
    writers = [write_void, write_release_info, write_checksums]
    publish(dataset, built, out, writers=writers, validated=lambda: without_editions.append(staged()))
    assert without_editions == [["SHA256SUMS", "release.json", "void.ttl"]]


def test_a_writer_that_fails_before_the_validation_is_awaited_gives_way_to_its_failure(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph
) -> None:
    """A graph that violates the shapes may make a writer fail: the violation is what the person needs to read."""

    def broken_writer(release: Release, out: Path) -> None:
        raise ValueError("a writer's own error")

    calls: list[str] = []

    def failing() -> None:
        calls.append("validated")
        _refused()

    with pytest.raises(Failure, match=r"^the graph violates the shapes$") as raised:
        publish(dataset, built, tmp_path / "dist", writers=[broken_writer, write_editions], validated=failing)
    assert isinstance(raised.value.__context__, ValueError)
    with pytest.raises(ValueError, match=r"^a writer's own error$"):
        publish(dataset, built, tmp_path / "dist", writers=[broken_writer], validated=lambda: calls.append("valid"))
    assert calls == ["validated", "valid"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock"]


def test_the_graph_index_is_made_before_the_validation_is_awaited(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editions read the index first: made while the validation ends in the other process, and made once."""
    calls: list[str] = []
    indexes: list[object] = []
    made = orchestrator_module.graph_index

    def recorded(release: Release) -> Any:
        calls.append("index")
        indexes.append(made(release))
        return indexes[-1]

    monkeypatch.setattr(orchestrator_module, "graph_index", recorded)
    monkeypatch.setattr(editions_module, "graph_index", recorded)
    publish(dataset, built, tmp_path / "dist", writers=[write_editions], validated=lambda: calls.append("validated"))
    assert calls == ["index", "validated", "index"]
    assert indexes[0] is indexes[1]  # the editions' writer finds it made
    assert (tmp_path / "dist" / "editions" / "3064011-2023.nt").is_file()
