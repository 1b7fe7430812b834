"""A release is verifiable: SHA256SUMS over every file, an edition label, a build date that never comes from the
clock, and each member-year's part of the graph as files of its own."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from civicgraph.graph.build import BuiltGraph
from civicgraph.publish import catalog, checksums
from civicgraph.publish.catalog import write_catalog
from civicgraph.publish.checksums import files_facts, files_facts_meanwhile, hashed_ahead, write_checksums
from civicgraph.publish.plan import CATALOG_AP2_FILE, CATALOG_FILES
from civicgraph.publish.release import Release, build_date
from civicgraph.publish.reuse import Entry, Reuse
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.util import digests
from civicgraph.util.digests import FileFacts
from civicgraph.util.errors import Failure, InputError
from civicgraph.util.resources import shapes_files

BASE = "https://w3id.org/civicgraph/id/"


def test_sha256sums_lists_every_other_file_with_its_digest(dist: Path) -> None:
    lines = (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)  # the format `sha256sum --check` reads
        listed[name] = digest
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    assert [line.split("  ", 1)[1] for line in lines] == sorted(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest, name


def test_release_json_names_the_edition_and_date(dist: Path, dataset: Dataset) -> None:
    info = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    assert info["edition"] == "2023.1"  # data/civicgraph.yaml
    assert info["issued"] == build_date(dataset.settings).isoformat()
    # one edition per report of the data, by member and year; Poznań 2023 among them
    assert info["editions"] == [
        {"member": r.member, "year": r.year, "report": f"{BASE}report/{r.member}/{r.year}"} for r in dataset.reports
    ]
    assert {"member": "3064011", "year": 2023, "report": f"{BASE}report/3064011/2023"} in info["editions"]


def test_the_build_date_is_the_setting_unless_source_date_epoch_is_set(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_date(dataset.settings) == dataset.settings.build_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    assert build_date(dataset.settings) == date(2023, 11, 14)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(Failure, match="SOURCE_DATE_EPOCH"):
        build_date(dataset.settings)


def test_an_edition_file_holds_the_reports_part_of_the_graph(dist: Path) -> None:
    """(tests/publish/test_editions.py checks that editions validate alone and stay as they are when data is added.)"""
    edition = Graph().parse(dist / "editions" / "3064011-2023.ttl")
    # The report, all 16 memberships it names ("członkiem 16 krajowych organizacji i sieci") and their
    # organisations, and an activity with its nested figure are in.
    membership = URIRef("http://www.w3.org/ns/org#Membership")
    assert len(set(edition.subjects(None, membership))) == 16
    assert (URIRef(f"{BASE}report/3064011/2023"), None, None) in edition
    assert (URIRef(f"{BASE}organisation/metropolia-poznan"), None, None) in edition
    assert (URIRef(f"{BASE}activity/3064011/2023/zit-projects/figure/total-value"), None, None) in edition
    for other in ("editions/3064011-2023.nt", "editions/3064011-2023.jsonld"):
        assert isomorphic(Graph().parse(dist / other), edition), other


def test_publishing_settings_are_checked_with_file_and_line(data_copy: Path) -> None:
    settings = data_copy / "civicgraph.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("publish_url: https://w3id.org/civicgraph/", "publish_url: http://w3id.org/civicgraph/")
    text = text.replace("  email: null\n", "").replace(
        "  url: https://badam.poznan.pl/", "  page: https://badam.poznan.pl/"
    )
    settings.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    with pytest.raises(InputError) as caught:
        read_dataset(data_copy)
    found = {(p.line, p.field) for p in caught.value.problems}
    assert (lines.index("publish_url: http://w3id.org/civicgraph/") + 1, "publish_url") in found
    page_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("  page: "))
    assert (page_line, "contact.page") in found  # an unknown field, named where it is


# FIPS 180-2 test vectors (appendices B.1 and B.3 of SHA-256; A.1 and A.3 of SHA-1).
ABC = (
    b"abc",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "a9993e364706816aba3e25717850c26c9cd0d89d",
)
MILLION_A = (
    b"a" * 1_000_000,
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
)
MILLION_A_FACTS = (1_000_000, MILLION_A[1], MILLION_A[2])


def test_file_digests_from_a_forked_process_are_the_standards(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph
) -> None:
    release = Release(dataset, built, built.plain)
    (tmp_path / "editions").mkdir()
    (tmp_path / "abc.txt").write_bytes(ABC[0])
    (tmp_path / "editions" / "a.nt").write_bytes(MILLION_A[0] * 3)  # three million: over several read chunks
    (tmp_path / "empty.csv").write_bytes(b"")
    paths = ["abc.txt", "editions/a.nt", "empty.csv"]
    with files_facts_meanwhile(release, tmp_path, paths, minimum=1) as facts:  # minimum=1: always forked
        found = facts()
    assert (found["abc.txt"].size, found["abc.txt"].sha256, found["abc.txt"].sha1) == (3, ABC[1], ABC[2])
    assert found["editions/a.nt"].size == 3_000_000
    assert found["editions/a.nt"].sha256 == hashlib.sha256(MILLION_A[0] * 3).hexdigest()
    assert found["editions/a.nt"].sha1 == hashlib.sha1(MILLION_A[0] * 3).hexdigest()
    assert found["empty.csv"].sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert found["empty.csv"].sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709"


@pytest.fixture
def hashing_processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each spawned hashing process is sent, in the order the processes start."""
    sent: list[list[str]] = []
    real = checksums.spawned

    def recorded(work: Any, out: Path, files: list[tuple[str, Any]], threads: int) -> Any:
        sent.append([path for path, _stat in files])
        return real(work, out, files, threads)

    monkeypatch.setattr(checksums, "spawned", recorded)
    return sent


def record(reuse: Reuse, name: str, sha256: str, sha1: str) -> None:
    """Note the file ``name`` of ``reuse``'s folder as the earlier build recorded it, with made-up digests (which no
    reading gives), and declare it with the key it was recorded with."""
    assert reuse.folder is not None
    stat = os.stat(reuse.folder / name)
    reuse.earlier[name] = Entry("key", stat.st_size, stat.st_mtime_ns, stat.st_ino, sha256, sha1)
    reuse.declare(name, key="key")


@pytest.mark.parametrize(
    ("recorded_for", "sent"),
    [(["kept.txt"], [["new.txt"]]), (["kept.txt", "new.txt"], [])],
    ids=["one-file-new", "every-file-recorded"],
)
def test_the_hashing_process_is_sent_only_the_files_no_facts_were_recorded_for(
    tmp_path: Path,
    dataset: Dataset,
    built: BuiltGraph,
    hashing_processes: list[list[str]],
    recorded_for: list[str],
    sent: list[list[str]],
) -> None:
    """A file taken from the earlier release, still as its build recorded it, gets the recorded facts without being
    read (made-up digests here, which no reading gives); the spawned process is sent only the other files, and none
    is spawned when there are none. The facts come in the order of the paths asked for."""
    (tmp_path / "kept.txt").write_bytes(ABC[0])
    (tmp_path / "new.txt").write_bytes(MILLION_A[0])
    reuse = Reuse(tmp_path)
    for name in recorded_for:
        record(reuse, name, f"sha256-{name}", f"sha1-{name}")
    paths = ["new.txt", "kept.txt"]

    with files_facts_meanwhile(Release(dataset, built, built.plain, reuse), tmp_path, paths, minimum=1) as facts:
        found = facts()

    assert list(found) == paths
    assert found["kept.txt"] == FileFacts("kept.txt", 3, "sha256-kept.txt", "sha1-kept.txt")
    new = found["new.txt"]
    if "new.txt" in recorded_for:
        assert new == FileFacts("new.txt", 1_000_000, "sha256-new.txt", "sha1-new.txt")
    else:
        assert (new.size, new.sha256, new.sha1) == MILLION_A_FACTS
    assert hashing_processes == sent


def test_files_hashed_ahead_are_not_read_again_unless_written_since(
    tmp_path: Path,
    dataset: Dataset,
    built: BuiltGraph,
    monkeypatch: pytest.MonkeyPatch,
    hashing_processes: list[list[str]],
) -> None:
    """Files hashed ahead by a spawned process (:func:`hashed_ahead`) give the catalogue their facts: the standards'
    digests, without its own hashing process reading them. A file written again after its hashing began (another
    size: another identity) is read again by the catalogue's process, which gives the digests of what it holds now.
    A file whose facts the earlier build recorded is sent to neither process."""
    monkeypatch.setattr(checksums, "HASHED_AHEAD_MINIMUM", 0)
    monkeypatch.setattr(checksums, "workers", lambda: 2)
    (tmp_path / "ahead.nt").write_bytes(MILLION_A[0])
    (tmp_path / "rewritten.ttl").write_bytes(MILLION_A[0])
    (tmp_path / "kept.txt").write_bytes(ABC[0])
    (tmp_path / "later.csv").write_bytes(ABC[0])
    reuse = Reuse(tmp_path)
    record(reuse, "kept.txt", "sha256-kept", "sha1-kept")
    release = Release(dataset, built, built.plain, reuse)
    paths = ["ahead.nt", "kept.txt", "later.csv", "rewritten.ttl"]

    with hashed_ahead(release, tmp_path, ["ahead.nt", "kept.txt", "rewritten.ttl"]):
        (tmp_path / "rewritten.ttl").write_bytes(ABC[0])
        with files_facts_meanwhile(release, tmp_path, paths, minimum=1) as facts:
            found = facts()

    assert hashing_processes == [["ahead.nt", "rewritten.ttl"], ["later.csv", "rewritten.ttl"]]
    assert list(found) == paths
    assert (found["ahead.nt"].size, found["ahead.nt"].sha256, found["ahead.nt"].sha1) == MILLION_A_FACTS
    assert found["kept.txt"] == FileFacts("kept.txt", 3, "sha256-kept", "sha1-kept")
    for name in ("later.csv", "rewritten.ttl"):
        assert (found[name].size, found[name].sha256, found[name].sha1) == (3, ABC[1], ABC[2]), name


def test_nothing_is_hashed_ahead_below_the_minimum(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below :data:`HASHED_AHEAD_MINIMUM` bytes no process is started: the catalogue's own hashing reads the file."""
    monkeypatch.setattr(checksums, "HASHED_AHEAD_MINIMUM", 1_000_001)
    monkeypatch.setattr(checksums, "workers", lambda: 2)
    (tmp_path / "graph.nt").write_bytes(MILLION_A[0])
    release = Release(dataset, built, built.plain)
    spawned_with: list[Any] = []
    monkeypatch.setattr(checksums, "spawned", lambda *args: spawned_with.append(args))

    with hashed_ahead(release, tmp_path, ["graph.nt"]):
        found = files_facts(release, tmp_path, ["graph.nt"])

    assert spawned_with == []
    assert release.hashed_ahead == []
    assert (found["graph.nt"].size, found["graph.nt"].sha256, found["graph.nt"].sha1) == MILLION_A_FACTS


def test_sha256sums_hashes_again_a_file_changed_after_the_catalogue(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph
) -> None:
    release = Release(dataset, built, built.plain)
    (tmp_path / "kept.txt").write_bytes(ABC[0])
    (tmp_path / "changed.txt").write_bytes(ABC[0])
    files_facts(release, tmp_path, ["kept.txt", "changed.txt"])  # as the catalogue hashes them
    (tmp_path / "changed.txt").write_bytes(MILLION_A[0])
    write_checksums(release, tmp_path)
    assert (tmp_path / "SHA256SUMS").read_text(encoding="utf-8") == f"{MILLION_A[1]}  changed.txt\n{ABC[1]}  kept.txt\n"


def test_a_catalogue_written_by_two_processes_has_the_same_bytes(
    dist: Path, tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large catalogue's DCAT-AP 2 Turtle, N-Triples and RDF/XML are written by a forked child (the threshold
    lowered here to Poznań's size): the files are those of the release written by one process."""
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    names = [*CATALOG_FILES, CATALOG_AP2_FILE, *(f"site/catalog.{suffix}" for suffix in ("ttl", "jsonld", "nt", "rdf"))]
    for name in names:
        (copy / name).unlink()
    monkeypatch.setattr(catalog, "_FORK_MINIMUM", 0)
    write_catalog(Release(dataset, built, built.plain), copy)
    for name in names:
        assert (copy / name).read_bytes() == (dist / name).read_bytes(), name


@pytest.mark.parametrize("size", [0, 1, 5000, digests.CHUNK, digests.CHUNK * 2 + 3])
def test_a_files_sha256_is_read_to_its_end_whatever_size_it_was_said_to_have(tmp_path: Path, size: int) -> None:
    """SHA256SUMS reads a small file in one call, a large one in chunks; a size said too small (a file that grew
    since it was listed) still gives the digest of the whole file, as ``sha256sum`` does."""
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    (tmp_path / "file").write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert checksums._sha256_of(str(tmp_path / "file"), size) == expected
    assert checksums._sha256_of(str(tmp_path / "file"), max(size // 2 - 1, 0)) == expected


def test_sha256sums_reads_a_file_of_several_paths_once(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report page's edition files are hard links to its edition's: each file is read once, listed under every
    path; a copy with the same bytes is another file, read on its own. ``sha256sum --check`` agrees."""
    (tmp_path / "editions").mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "editions" / "a.nt").write_bytes(ABC[0])
    os.link(tmp_path / "editions" / "a.nt", tmp_path / "site" / "a.nt")
    (tmp_path / "copy.nt").write_bytes(ABC[0])
    read: list[str] = []
    sha256_of = checksums._sha256_of

    def recorded(path: str, size: int) -> str:
        read.append(Path(path).relative_to(tmp_path).as_posix())
        return sha256_of(path, size)

    monkeypatch.setattr(checksums, "_sha256_of", recorded)
    write_checksums(Release(dataset, built, built.plain), tmp_path)
    assert (tmp_path / "SHA256SUMS").read_text(encoding="utf-8") == (
        f"{ABC[1]}  copy.nt\n{ABC[1]}  editions/a.nt\n{ABC[1]}  site/a.nt\n"
    )
    assert sorted(read) == ["copy.nt", "editions/a.nt"]
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert check.returncode == 0, check.stdout


def test_sha256sums_lists_hidden_and_nested_files_and_follows_no_link_to_a_folder(
    tmp_path: Path, dataset: Dataset, built: BuiltGraph
) -> None:
    """Every file at any depth is listed by its path, ``.htaccess`` and the like too, sorted as text; a link to a
    file is listed with the file's digest (``sha256sum`` reads through it), a link to a folder is neither followed
    nor listed, as ``os.walk`` lists a folder."""
    (tmp_path / "site" / "report").mkdir(parents=True)
    (tmp_path / "site" / ".htaccess").write_bytes(ABC[0])
    (tmp_path / "site" / "report" / "a.nt").write_bytes(MILLION_A[0])
    (tmp_path / "site.txt").write_bytes(ABC[0])
    (tmp_path / "to-a.nt").symlink_to(tmp_path / "site" / "report" / "a.nt")
    (tmp_path / "to-site").symlink_to(tmp_path / "site", target_is_directory=True)
    write_checksums(Release(dataset, built, built.plain), tmp_path)
    assert (tmp_path / "SHA256SUMS").read_text(encoding="utf-8") == (
        f"{ABC[1]}  site.txt\n{ABC[1]}  site/.htaccess\n{MILLION_A[1]}  site/report/a.nt\n{MILLION_A[1]}  to-a.nt\n"
    )
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert check.returncode == 0, check.stdout


def test_the_sites_catalogue_files_are_the_releases_and_its_shapes_a_copy(dist: Path) -> None:
    """The catalogue's files under site/ are the release's own (hard links: one file, read once for SHA256SUMS);
    the shapes page's Turtle is a copy of the installed shapes, never a link that an edit of them would reach."""
    for name in CATALOG_FILES:
        assert (dist / "site" / name).stat().st_ino == (dist / name).stat().st_ino, name
    installed = shapes_files()[0]
    assert (dist / "site" / "shapes.ttl").read_bytes() == installed.read_bytes()
    assert (dist / "site" / "shapes.ttl").stat().st_ino != installed.stat().st_ino
