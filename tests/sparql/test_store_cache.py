"""The cached query stores of ``civicgraph query``: found again without reading the graph, never answering for
another graph, removing only what they wrote, and shared by commands running at once."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicgraph.sparql.library import OxigraphEngine, QueryDataError, Solutions
from civicgraph.sparql.storecache import (
    CACHEDIR_TAG,
    MARKER,
    CachedStore,
    CacheUnusable,
    NotAStoreCache,
    StoreCache,
    open_engine,
    release_digest,
)

from ..conftest import ROOT

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ASK_LABEL = "SELECT ?label WHERE { <https://example.org/thing> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def graph_text(label: str) -> bytes:
    """A one-triple graph whose only label is ``label`` (labels of one length give files of one size)."""
    return f'<https://example.org/thing> <{LABEL}> "{label}" .\n'.encode()


def label_in(engine: OxigraphEngine) -> str:
    result = engine.run(ASK_LABEL)
    assert isinstance(result, Solutions)
    return str(result.rows[0]["label"].value)


def answer(cached: CachedStore) -> str:
    return label_in(OxigraphEngine(cached.store))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[StoreCache]:
    # racy_seconds=0: remember a file just written (the tests write them a moment before reading them)
    yield StoreCache(tmp_path / "cache", racy_seconds=0)


def write(path: Path, label: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(graph_text(label))
    return path


def write_later_than(path: Path, data: bytes, earlier: Path) -> None:
    """Write ``data`` to ``path`` so that its status-change time is later than ``earlier``'s (the file system's
    clock has ticks of a few milliseconds: two files written in one tick have equal times)."""
    path.write_bytes(data)
    while path.stat().st_ctime_ns <= earlier.stat().st_ctime_ns:
        time.sleep(0.005)
        path.write_bytes(data)


def checksums_line(path: Path) -> bytes:
    return f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n".encode()


# -- found again, never stale ------------------------------------------------------------------------------------


def test_the_second_open_neither_reads_nor_parses_the_graph(cache: StoreCache, tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    first = cache.open(graph)
    assert (first.built, first.digest_from, answer(first)) == (True, "hashed", "first")
    second = cache.open(graph)
    # not built again (the file was not parsed) and the digest came from the remembered file, not from reading it
    assert (second.built, second.digest_from, answer(second)) == (False, "seen", "first")
    assert [name for name, _used in cache.stores()] == [first.name]


def test_a_file_changed_just_before_it_was_read_is_not_remembered(tmp_path: Path) -> None:
    """A second change within the file system's clock tick would leave the same times: such a file is read again."""
    cache = StoreCache(tmp_path / "cache")  # remembers files changed more than RACY_SECONDS before they were read
    graph = write(tmp_path / "graph.nt", "first")
    assert cache.open(graph).built
    again = cache.open(graph)
    assert (again.built, again.digest_from, answer(again)) == (False, "hashed", "first")
    old = time.time() - 60
    os.utime(graph, (old, old))  # the status-change time is now: still too recent
    assert cache.open(graph).digest_from == "hashed"


def test_a_graph_rewritten_with_the_same_size_and_mtime_is_answered_anew(cache: StoreCache, tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    assert answer(cache.open(graph)) == "first"
    before = graph.stat()
    graph.write_bytes(graph_text("other"))
    os.utime(graph, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or `touch -d` would leave it
    assert (graph.stat().st_size, graph.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again = cache.open(graph)
    assert (again.built, again.digest_from, answer(again)) == (True, "hashed", "other")


def test_a_release_graph_is_known_by_its_checksum_until_it_is_written_again(cache: StoreCache, tmp_path: Path) -> None:
    release = tmp_path / "dist"
    graph = write(release / "graph.nt", "first")
    checksums = release / "SHA256SUMS"
    write_later_than(checksums, b"0" * 64 + b"  other.ttl\n" + checksums_line(graph), graph)
    assert release_digest(graph, graph.stat()) == hashlib.sha256(graph_text("first")).hexdigest()

    opened = cache.open(graph)
    assert (opened.built, opened.digest_from, answer(opened)) == (True, "release", "first")
    # A copy of the release elsewhere is the same graph: found by its checksum, not built again.
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "graph.nt").write_bytes(graph.read_bytes())
    write_later_than(copy / "SHA256SUMS", checksums.read_bytes(), copy / "graph.nt")
    assert (cache.open(copy / "graph.nt").built, cache.open(copy / "graph.nt").digest_from) == (False, "release")

    # Replaced after the checksums were written, its modification time set back: the checksum no longer counts.
    before = graph.stat()
    graph.write_bytes(graph_text("other"))
    os.utime(graph, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert graph.stat().st_mtime_ns < checksums.stat().st_mtime_ns
    assert release_digest(graph, graph.stat()) is None
    replaced = cache.open(graph)
    assert (replaced.digest_from, answer(replaced)) == ("hashed", "other")


def test_a_checksum_written_before_the_graph_is_not_trusted(tmp_path: Path) -> None:
    checksums = tmp_path / "SHA256SUMS"
    checksums.write_bytes(b"f" * 64 + b"  graph.nt\n")
    graph = tmp_path / "graph.nt"
    write_later_than(graph, graph_text("first"), checksums)
    assert release_digest(graph, graph.stat()) is None


def test_a_graph_that_is_not_valid_rdf_leaves_no_store_behind(cache: StoreCache, tmp_path: Path) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_text('<https://example.org/thing> <p> "x" .\n', encoding="utf-8")  # a relative predicate IRI
    with pytest.raises(QueryDataError, match=r"graph\.nt: cannot read the graph: .*line 1"):
        cache.open(graph)
    assert sorted(path.name for path in cache.root.iterdir()) == [".lock", "CACHEDIR.TAG"]


# -- only what it wrote --------------------------------------------------------------------------------------------


def test_a_folder_without_marker_in_the_stores_place_is_not_trusted_nor_removed(
    cache: StoreCache, tmp_path: Path
) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    name = cache.open(graph).name
    assert cache.clear() == (1, [])
    foreign = cache.root / name
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CacheUnusable, match=f"{name}: not a store this cache wrote"):
        cache.open(graph)
    told: list[str] = []
    engine = open_engine(graph, "cached", cache.root, told.append)  # what the command does: load in memory
    assert label_in(engine) == "first"
    assert told == [
        f"{foreign}: not a store this cache wrote (no {MARKER}); left as it is; the graph is loaded in memory instead"
    ]
    assert cache.clear() == (0, [f"{name}: not a store this cache wrote"])
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "marker",
    [
        b"not json",
        b'{"civicgraph-store": 1, "name": "another-store", "complete": true}',
        b'{"civicgraph-store": 99, "name": "NAME", "complete": true}',
        b'{"civicgraph-store": 1, "name": "NAME", "complete": false}',
    ],
    ids=["not JSON", "naming another folder", "another layout", "of a build that did not finish"],
)
def test_a_marker_that_is_not_ours_for_this_folder_protects_nothing_and_loses_nothing(
    cache: StoreCache, tmp_path: Path, marker: bytes
) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    name = cache.open(graph).name
    cache.clear()
    foreign = cache.root / name
    (foreign / "oxigraph").mkdir(parents=True)
    (foreign / MARKER).write_bytes(marker.replace(b"NAME", name.encode()))
    with pytest.raises(CacheUnusable, match="is not one this cache wrote for it"):
        cache.open(graph)
    assert cache.clear() == (0, [f"{name}: not a store this cache wrote"])
    assert sorted(path.name for path in foreign.iterdir()) == [MARKER, "oxigraph"]


def test_a_corrupt_store_of_ours_is_removed_and_built_again(cache: StoreCache, tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    store = cache.root / cache.open(graph).name / "oxigraph"
    for file in store.iterdir():
        if file.name.startswith(("CURRENT", "MANIFEST")):
            file.write_bytes(b"garbage")
    again = cache.open(graph)
    assert (again.built, answer(again)) == (True, "first")


def test_a_build_killed_half_way_is_cleaned_up_by_the_next(cache: StoreCache, tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    name = cache.open(graph).name
    cache.clear()
    killed = cache.root / f".building-{name}-12345"
    (killed / "oxigraph").mkdir(parents=True)
    (killed / "oxigraph" / "000001.sst").write_bytes(b"half")
    (killed / MARKER).write_text(json.dumps({"civicgraph-store": 1, "name": name}), encoding="utf-8")
    unrelated = cache.root / ".building-something-else-1"
    unrelated.mkdir()
    assert cache.open(graph).built
    assert not killed.exists()
    assert unrelated.is_dir()


def test_at_most_max_stores_are_kept_and_one_in_use_is_never_removed(tmp_path: Path) -> None:
    cache = StoreCache(tmp_path / "cache", max_stores=2, racy_seconds=0)
    graphs = {label: write(tmp_path / f"{label}.nt", label) for label in ("aaaaa", "bbbbb", "ccccc", "ddddd")}
    in_use = cache.open(graphs["aaaaa"])
    used_b = cache.open(graphs["bbbbb"])
    used_b.close()
    # The last use of a store is its marker's modification time: a is the least recently used, b the next.
    os.utime(cache.root / in_use.name / MARKER, (1_000_000_000, 1_000_000_000))  # 2001
    os.utime(cache.root / used_b.name / MARKER, (1_100_000_000, 1_100_000_000))  # 2004
    cache.open(graphs["ccccc"]).close()
    names = {name for name, _used in cache.stores()}
    assert names == {in_use.name, cache.open(graphs["ccccc"]).name}  # b went instead of a, which is in use
    assert answer(in_use) == "aaaaa"
    in_use.close()
    cache.open(graphs["ddddd"]).close()
    assert len(cache.stores()) == 2


def test_clear_removes_the_stores_and_nothing_else(cache: StoreCache, tmp_path: Path) -> None:
    for label in ("aaaaa", "bbbbb"):
        cache.open(write(tmp_path / f"{label}.nt", label)).close()
    (cache.root / "someone-elses").mkdir()
    (cache.root / "README").write_text("keep", encoding="utf-8")
    in_use = cache.open(write(tmp_path / "ccccc.nt", "ccccc"))
    removed, left = cache.clear()
    assert (removed, left) == (2, [f"{in_use.name}: in use", "README: not a store this cache wrote",
                                   "someone-elses: not a store this cache wrote"])  # fmt: skip
    assert sorted(path.name for path in cache.root.iterdir()) == sorted(
        [".lock", "CACHEDIR.TAG", "README", "someone-elses", in_use.name]
    )


# -- only a folder that is a cache ------------------------------------------------------------------------------


def thesis_folder(tmp_path: Path) -> Path:
    """A person's folder: what the cache's tag and lock would hide from backups, or clutter."""
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.tex").write_text("\\documentclass{article}\n", encoding="utf-8")
    return folder


def test_a_folder_holding_other_files_is_not_taken_as_the_cache(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    folder = thesis_folder(tmp_path)
    before = tree(folder)
    with pytest.raises(NotAStoreCache) as refused:
        StoreCache(folder).open(graph)
    assert refused.value.message.en == (
        f"{folder}: not a civicgraph store cache (it holds other files and no CACHEDIR.TAG of civicgraph's); nothing "
        "was written in it (give --store-cache a new or empty folder, or use --store memory)"
    )
    with pytest.raises(NotAStoreCache, match="nothing in it was removed"):
        StoreCache(folder).clear()
    assert tree(folder) == before


def test_another_programs_cache_tag_does_not_make_a_folder_ours(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    folder = tmp_path / "pip-cache"
    folder.mkdir()
    (folder / "CACHEDIR.TAG").write_text(CACHEDIR_TAG.replace("civicgraph (query stores)", "pip"), encoding="ascii")
    before = tree(folder)
    with pytest.raises(NotAStoreCache):
        StoreCache(folder).open(graph)
    assert tree(folder) == before


def test_an_empty_folder_becomes_the_cache_and_clearing_one_writes_nothing(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    folder = tmp_path / "empty"
    folder.mkdir()
    assert StoreCache(folder).clear() == (0, [])
    assert list(folder.iterdir()) == []  # no lock file, no tag: clearing does not make a folder a cache
    opened = StoreCache(folder, racy_seconds=0).open(graph)
    assert (opened.built, answer(opened)) == (True, "first")
    assert (folder / "CACHEDIR.TAG").read_text(encoding="ascii") == CACHEDIR_TAG
    assert sorted(path.name for path in folder.iterdir()) == [".lock", "CACHEDIR.TAG", opened.name]
    # From now on it is known as a cache by its tag, also with a person's file added to it.
    (folder / "README").write_text("keep", encoding="utf-8")
    opened.close()
    assert StoreCache(folder).clear() == (1, ["README: not a store this cache wrote"])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the command --------------------------------------------------------------------------------------------------


def civicgraph(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """The command, with ``env`` set and neither cache variable inherited from the environment of the tests."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "CIVICGRAPH_STORE_CACHE")}
    return subprocess.Popen(
        [sys.executable, "-m", "civicgraph", *args],
        cwd=ROOT,
        env={**inherited, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def query(graph: Path, *extra: str) -> list[str]:
    return ["query", "-e", ASK_LABEL, "--data", str(graph), "--format", "csv", *extra]


def test_the_command_builds_once_then_answers_from_the_cache(tmp_path: Path) -> None:
    graph = write(tmp_path / "dist" / "graph.nt", "first")
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    runs = [civicgraph(*query(graph, "--store", "cached"), env=env).communicate(timeout=120) for _ in range(2)]
    assert [out for out, _err in runs] == ["label\nfirst\n"] * 2
    stores = tmp_path / "xdg" / "civicgraph" / "stores"
    assert runs[0][1] == f"{graph}: building its query store in {stores} (once for this graph)\n"
    assert runs[1][1] == ""
    assert sorted(path.name for path in graph.parent.iterdir()) == ["graph.nt"]  # nothing written beside the graph
    cleared = civicgraph("query", "--clear-store-cache", env=env).communicate(timeout=60)
    assert cleared == ("", f"{stores}: removed 1 cached store\n")


def test_a_small_graph_is_loaded_in_memory_unless_told(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    env = {"CIVICGRAPH_STORE_CACHE": str(tmp_path / "cache")}
    for store in ("auto", "memory"):
        assert civicgraph(*query(graph, "--store", store), env=env).communicate(timeout=60) == (
            "label\nfirst\n",
            "",
        )
    assert not (tmp_path / "cache").exists()


def test_a_command_waits_for_another_building_a_store(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    cache = tmp_path / "cache"
    cache.mkdir()
    with open(cache / ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a command building a store holds it
        waiting = civicgraph(*query(graph, "--store", "cached"), env={"CIVICGRAPH_STORE_CACHE": str(cache)})
        assert waiting.stderr is not None
        assert waiting.stderr.readline() == (
            f"waiting for another civicgraph command building a query store in {cache}\n"
        )
        assert waiting.poll() is None
    out, err = waiting.communicate(timeout=120)  # the lock is released: it goes on
    assert (waiting.returncode, out) == (0, "label\nfirst\n")
    assert err == f"{graph}: building its query store in {cache} (once for this graph)\n"


def test_two_commands_at_once_on_a_cold_cache_both_answer_and_build_once(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    env = {"CIVICGRAPH_STORE_CACHE": str(tmp_path / "cache")}
    both = [civicgraph(*query(graph, "--store", "cached"), env=env) for _ in range(2)]
    results = [process.communicate(timeout=120) for process in both]
    assert [process.returncode for process in both] == [0, 0]
    assert [out for out, _err in results] == ["label\nfirst\n"] * 2
    assert sum(err.count("building its query store") for _out, err in results) == 1
    assert len(StoreCache(tmp_path / "cache").stores()) == 1


def test_the_command_refuses_a_folder_that_is_not_a_cache_and_writes_nothing_in_it(tmp_path: Path) -> None:
    graph = write(tmp_path / "graph.nt", "first")
    folder = thesis_folder(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "members.yaml").write_text("{}\n", encoding="utf-8")
    before = tree(folder), tree(data)
    why = "it holds other files and no CACHEDIR.TAG of civicgraph's"
    used = civicgraph(*query(graph, "--store", "cached", "--store-cache", str(folder)), env={})
    assert (*used.communicate(timeout=60), used.returncode) == (
        "",
        f"Error: {folder}: not a civicgraph store cache ({why}); nothing was written in it (give --store-cache a new "
        "or empty folder, or use --store memory)\n",
        2,
    )
    cleared = civicgraph("query", "--clear-store-cache", env={"CIVICGRAPH_STORE_CACHE": str(data)})
    assert (*cleared.communicate(timeout=60), cleared.returncode) == (
        "",
        f"Error: {data}: not a civicgraph store cache ({why}); nothing in it was removed\n",
        2,
    )
    assert (tree(folder), tree(data)) == before  # no CACHEDIR.TAG, no .lock
