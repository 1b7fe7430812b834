"""Shared fixtures: the real Poznań data, built once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.publish.orchestrator import publish
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset

from .wikidata_replay import ReplayServer, replay_server

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
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
    return publish(dataset, built, tmp_path_factory.mktemp("release") / "dist")


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
    """A writable copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def add_second_member(data: Path) -> None:
    """Add the made-up member 3099011 and its 2023 report (tests/fixtures/second-member) to a copy of data/."""
    fixture = FIXTURES / "second-member"
    with (data / "members.yaml").open("a", encoding="utf-8") as members:
        members.write("\n" + (fixture / "members.yaml").read_text(encoding="utf-8"))
    shutil.copytree(fixture / "reports" / "3099011", data / "reports" / "3099011")


def add_poznan_2022(data: Path) -> None:
    """Add the constructed second year of Poznań (tests/fixtures/poznan-2022) to a copy of data/."""
    shutil.copytree(FIXTURES / "poznan-2022" / "reports" / "3064011" / "2022", data / "reports" / "3064011" / "2022")
