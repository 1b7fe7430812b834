"""Each local government's block of the graph, kept beside a release, is taken again only for the records it was
built from (``civicgraph.graph.kept``); the graph that takes kept blocks is the graph a fresh build makes, after a
report is changed, added or removed, the base IRI changes, or the file is damaged."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.graph import build as build_module
from civicgraph.graph.build import BuiltGraph, build_graph, ntriples_form, subject_digest
from civicgraph.graph.kept import BlockStore
from civicgraph.graph.terms import Lit
from civicgraph.source.cache import ReportCache
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset, Report
from tests.conftest import BASE, add_poznan_2022, add_second_member
from tests.source.problems import edit_once

POZNAN_2023 = Path("reports/3064011/2023")
POZNAN_2022 = Path("reports/3064011/2022")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The passage of Poznań 2023 printing the variant name organisations.yaml records for metropolia-poznan.
PRINTED = "ze Stowarzyszeniem Metropolia Poznań"


@pytest.fixture
def three_reports(data_copy: Path) -> Path:
    """Poznań 2023 and 2022 and the made-up member 3099011's 2023 report; Poznań 2023's membership of the
    metropolis cites the passage that prints the metropolis's variant name, so that the passage is a subject both
    Poznań's block and the printed names make."""
    add_poznan_2022(data_copy)
    add_second_member(data_copy)
    edit_once(data_copy / POZNAN_2023 / "report.yaml", "quote: Metropolia Poznań;", f"quote: {PRINTED}")
    return data_copy


@pytest.fixture
def blocks_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The local governments whose blocks digested builds (those that keep and take blocks) build from now on,
    rather than take; the editions' graphs, not digested, are left out."""
    built: list[str] = []
    member_block = build_module._Builder.member_block

    def counted(self: build_module._Builder, teryt: str, reports: tuple[Report, ...], digested: bool) -> object:
        if digested:
            built.append(teryt)
        return member_block(self, teryt, reports, digested)

    monkeypatch.setattr(build_module._Builder, "member_block", counted)
    return built


def built_keeping(data: Path, beside: Path, full: bool = False) -> tuple[Dataset, BuiltGraph]:
    """A read and a build with the reports and the blocks kept in ``beside``, as ``civicgraph build`` keeps them."""
    cache = ReportCache(beside / ".dist.reports.pickle")
    dataset = read_dataset(data, cache)
    store = BlockStore(beside / ".dist.graph-blocks", cache.record_digests, dataset.settings.base_iri, full)
    built = build_graph(dataset, digested=True, kept=store)
    store.save()
    store.keep()
    return dataset, built


def facts(built: BuiltGraph) -> tuple[object, ...]:
    """All a build gives: the triples in both orders, the digests, the prefixes and the source lines."""
    return built.plain, built.plain_in_lines, built.digests, built.prefixes, built.sources


def fresh(dataset: Dataset) -> tuple[object, ...]:
    return facts(build_graph(dataset, digested=True))


def test_a_second_build_takes_every_block_and_gives_the_graph_of_a_fresh_build(
    three_reports: Path, tmp_path: Path, blocks_built: list[str]
) -> None:
    _, first = built_keeping(three_reports, tmp_path)
    assert blocks_built == ["3064011", "3099011"]
    blocks_built.clear()
    written = (tmp_path / ".dist.graph-blocks").stat()

    dataset, second = built_keeping(three_reports, tmp_path)

    assert blocks_built == []
    kept = (tmp_path / ".dist.graph-blocks").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # holds them: not rewritten
    assert facts(second) == fresh(dataset) == facts(first)
    evidence = "https://w3id.org/civicgraph/ontology#evidence"
    printed_name = f"{BASE}report/3064011/2023/printed-name/metropolia-poznan/1"
    passage = next(o for s, p, o in second.plain if s == printed_name and p == evidence)
    citing = {s for s, p, o in second.plain if o == passage and p == evidence}
    assert citing == {f"{BASE}membership/3064011/metropolia-poznan", printed_name}


def change_poznan_2022_title(data: Path) -> None:
    report = data / POZNAN_2022 / "report.yaml"
    text = report.read_text(encoding="utf-8")
    start = text.index("\n", text.index("\ntitle:\n") + 1) + 1
    end = text.index("\n", start)
    assert text[start:end].startswith("  pl: ")
    report.write_text(text[:start] + "  pl: Raport za rok 2022 (poprawiony)" + text[end:], encoding="utf-8")


def set_poznan_2022_aside(data: Path) -> None:
    shutil.move(data / POZNAN_2022, data.parent / "poznan-2022")


def put_poznan_2022_back(data: Path) -> None:
    shutil.move(data.parent / "poznan-2022", data / POZNAN_2022)


@pytest.mark.parametrize(
    ("before", "edit"),
    [
        (None, change_poznan_2022_title),
        (None, lambda data: shutil.rmtree(data / POZNAN_2022)),
        (set_poznan_2022_aside, put_poznan_2022_back),
    ],
    ids=["changed", "removed", "added"],
)
def test_a_changed_removed_or_added_report_builds_only_its_local_governments_block_again(
    before: Callable[[Path], None] | None,
    edit: Callable[[Path], None],
    three_reports: Path,
    tmp_path: Path,
    blocks_built: list[str],
) -> None:
    if before is not None:
        before(three_reports)
    built_keeping(three_reports, tmp_path)
    blocks_built.clear()
    edit(three_reports)

    dataset, built = built_keeping(three_reports, tmp_path)

    assert blocks_built == ["3064011"]
    assert facts(built) == fresh(dataset)
    year_2022 = Lit("2022", "http://www.w3.org/2001/XMLSchema#gYear", None)
    report_2022 = (f"{BASE}report/3064011/2022", "https://w3id.org/civicgraph/ontology#reportYear", year_2022)
    assert (report_2022 in built.plain) == (three_reports / POZNAN_2022).is_dir()
    blocks_built.clear()
    assert facts(built_keeping(three_reports, tmp_path)[1]) == facts(built)  # the block made now was kept
    assert blocks_built == []


def test_blocks_built_for_another_base_iri_are_not_taken(
    three_reports: Path, tmp_path: Path, blocks_built: list[str]
) -> None:
    built_keeping(three_reports, tmp_path)
    blocks_built.clear()
    edit_once(three_reports / "civicgraph.yaml", BASE, "https://example.org/id/")

    dataset, built = built_keeping(three_reports, tmp_path)

    assert blocks_built == ["3064011", "3099011"]
    assert facts(built) == fresh(dataset)
    assert built.plain[0][0].startswith("https://example.org/id/")


def test_full_takes_no_block_and_keeps_every_one(three_reports: Path, tmp_path: Path, blocks_built: list[str]) -> None:
    built_keeping(three_reports, tmp_path)
    blocks_built.clear()

    built_keeping(three_reports, tmp_path, full=True)
    assert blocks_built == ["3064011", "3099011"]
    blocks_built.clear()
    built_keeping(three_reports, tmp_path)
    assert blocks_built == []


def test_a_damaged_file_is_ignored_and_a_damaged_block_built_anew(
    three_reports: Path, tmp_path: Path, blocks_built: list[str]
) -> None:
    kept = tmp_path / ".dist.graph-blocks"
    built_keeping(three_reports, tmp_path)
    whole = pickle.loads(kept.read_bytes())
    key, _ = whole["blocks"]["3099011"]
    whole["blocks"]["3099011"] = (key, b"not a block")
    damaged = pickle.dumps(whole)
    blocks_built.clear()
    kept.write_bytes(b"\x00 not a pickle")

    dataset, built = built_keeping(three_reports, tmp_path)
    assert blocks_built == ["3064011", "3099011"]
    assert facts(built) == fresh(dataset)

    kept.write_bytes(damaged)
    blocks_built.clear()
    dataset, built = built_keeping(three_reports, tmp_path)
    assert blocks_built == ["3099011"]
    assert facts(built) == fresh(dataset)


def test_kept_blocks_are_taken_only_by_a_digested_build(three_reports: Path, tmp_path: Path) -> None:
    dataset = read_dataset(three_reports)
    store = BlockStore(tmp_path / ".dist.graph-blocks", {}, dataset.settings.base_iri)
    with pytest.raises(ValueError, match="a build that takes them is a digested one"):
        build_graph(dataset, kept=store)


def test_a_subject_both_a_block_and_the_rest_make_holds_the_triples_of_both_once(three_reports: Path) -> None:
    """The passage a printed name cites is such a subject, with the same triples from both; a triple only the rest
    adds (here a comment on Poznań's 2023 report) is there too, in its place, and counts in the digest."""
    dataset = read_dataset(three_reports)
    builder = build_module._Builder(dataset)
    reports = tuple(r for r in dataset.reports if r.member == "3064011")
    block = builder.member_block("3064011", reports, digested=True)
    builder.take(block)
    report = f"{BASE}report/3064011/2023"
    comment = Lit("poprawiony", "http://www.w3.org/2001/XMLSchema#string", None)
    builder.add(report, "http://www.w3.org/2000/01/rdf-schema#comment", comment)
    digests: dict[str, bytes] = {}

    triples = builder.sorted_triples(digests)

    of_block = next(prepared[1] for run in block.runs for prepared in run.subjects() if prepared[0] == report)
    added = (report, "http://www.w3.org/2000/01/rdf-schema#comment", comment)
    expected = sorted([*of_block, added], key=lambda t: (t[1] != RDF_TYPE, t[1], ntriples_form(t[2])))
    assert [t for t in triples if t[0] == report] == expected
    assert digests[report] == subject_digest([(p != RDF_TYPE, p, ntriples_form(o)) for _s, p, o in expected])


def build_into(data: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output


def test_a_build_into_an_earlier_release_keeps_the_blocks_and_the_next_takes_them(
    three_reports: Path, tmp_path: Path, blocks_built: list[str]
) -> None:
    out, full = tmp_path / "dist", tmp_path / "full"
    build_into(three_reports, out)
    build_into(three_reports, out)
    assert blocks_built == ["3064011", "3099011"]  # by the second build: the first, not digested, keeps none
    assert (tmp_path / ".dist.graph-blocks").is_file()
    blocks_built.clear()
    change_poznan_2022_title(three_reports)

    build_into(three_reports, out)

    assert blocks_built == ["3064011"]
    build_into(three_reports, full, "--full")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        p.relative_to(full): p.read_bytes() for p in full.rglob("*") if p.is_file()
    }


def test_the_partial_file_of_a_killed_build_is_removed_by_the_next_and_nothing_else(
    three_reports: Path, tmp_path: Path
) -> None:
    """A build killed between writing the blocks aside and putting them in place leaves its partial file, named by
    its process; the next build removes it, and leaves a file that only looks alike."""
    built_keeping(three_reports, tmp_path)
    left = tmp_path / ".dist.graph-blocks.123456"
    left.write_bytes((tmp_path / ".dist.graph-blocks").read_bytes())
    alike = [tmp_path / ".dist.graph-blocks.123456.notes", tmp_path / ".dist.graph-blocks.old"]
    for path in alike:
        path.write_text("mine\n", encoding="utf-8")
    change_poznan_2022_title(three_reports)

    built_keeping(three_reports, tmp_path)

    assert not left.exists()
    assert [path.read_text(encoding="utf-8") for path in alike] == ["mine\n", "mine\n"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".dist.graph-blocks")) == [
        ".dist.graph-blocks",
        ".dist.graph-blocks.123456.notes",
        ".dist.graph-blocks.old",
    ]
