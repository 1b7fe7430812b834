"""Shared fixtures: the real Poznań data, built once per test session.

``CIVICGRAPH_TEST_DATA`` names another data folder to run the suite against — data/ with an edition or a member
added, say: tests of the shipped Poznań facts must hold whatever else the data holds
(``tests/test_extra_edition.py`` runs them so).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset

from .wikidata_replay import ReplayServer, replay_server

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CIVICGRAPH_TEST_DATA") or ROOT / "data")
SOURCE_TEXT = DATA / "reports" / "3064011" / "2023" / "source.txt"
FIXTURES = ROOT / "tests" / "fixtures"
BASE = "https://w3id.org/civicgraph/id/"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return read_dataset(DATA)


@pytest.fixture(scope="session")
def built(dataset: Dataset) -> BuiltGraph:
    return build_graph(dataset)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset, built: BuiltGraph) -> Path:
    """A release of the real data, written once for the tests that read dist/ files."""
    return publish(dataset, built, tmp_path_factory.mktemp("release") / "dist").folder


@pytest.fixture(scope="session")
def wikidata_server() -> Iterator[ReplayServer]:
    """The loopback server replaying recorded Wikidata responses (tests/fixtures/wikidata/)."""
    with replay_server() as running:
        yield running


@pytest.fixture
def replay(wikidata_server: ReplayServer) -> ReplayServer:
    """The replay server, with its scripted failures and request log reset for this test."""
    wikidata_server.reset()
    return wikidata_server


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ with Poznań 2023 as its only report, whatever other reports data/ holds, that a
    test may break: tests of behaviour start from it."""
    return poznan_2023_copy(tmp_path / "data")


def poznan_2023_copy(target: Path) -> Path:
    """``target``: data/'s settings, of its reports only Poznań 2023, and of its members and organisations those
    that report names."""
    target.mkdir()
    shutil.copyfile(DATA / "civicgraph.yaml", target / "civicgraph.yaml")
    shutil.copytree(SOURCE_TEXT.parent, target / "reports" / "3064011" / "2023")
    report = yaml.compose((SOURCE_TEXT.parent / "report.yaml").read_text(encoding="utf-8"))
    assert isinstance(report, yaml.MappingNode)
    named = {scalar.value for scalar in _scalars(report)}
    for name in ("members.yaml", "organisations.yaml"):
        (target / name).write_text(_entries_named(DATA / name, named), encoding="utf-8")
    return target


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)


def _entries_named(path: Path, named: set[str]) -> str:
    """The text of a YAML file keyed by TERYT codes or organisation keys, with only the entries whose key is among
    ``named`` (and the comment before the first entry)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    root = yaml.compose(text)
    assert isinstance(root, yaml.MappingNode)
    starts = [key.start_mark.line for key, _value in root.value] + [len(lines)]
    kept = lines[: starts[0]]
    for (key, _value), start, end in zip(root.value, starts, starts[1:], strict=False):
        if key.value in named:
            kept += lines[start:end]
    return "".join(kept)


def add_second_member(data: Path) -> None:
    """Add the made-up member 3099011 and its 2023 report (tests/fixtures/second-member) to a copy of data/."""
    fixture = FIXTURES / "second-member"
    with (data / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (fixture / "members.yaml").read_text(encoding="utf-8"))
    shutil.copytree(fixture / "reports" / "3099011", data / "reports" / "3099011")


def add_extra_member(data: Path) -> None:
    """Add the made-up member 3099041 and its 2023 report (tests/fixtures/extra-member) to a copy of data/."""
    fixture = FIXTURES / "extra-member"
    with (data / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (fixture / "members.yaml").read_text(encoding="utf-8"))
    shutil.copytree(fixture / "reports" / "3099041", data / "reports" / "3099041")


def add_poznan_2022(data: Path) -> None:
    """Add the constructed second year of Poznań (tests/fixtures/poznan-2022) to a copy of data/."""
    shutil.copytree(FIXTURES / "poznan-2022" / "reports" / "3064011" / "2022", data / "reports" / "3064011" / "2022")
