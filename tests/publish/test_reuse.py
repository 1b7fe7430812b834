"""A build into an earlier release takes the editions that would come out the same from it, and the release is
byte for byte the one a full build writes: after a report is changed, removed or added, after a line is inserted
above the records, and when the earlier release's files or record do not fit."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli import build as build_module
from civicgraph.cli.main import main
from civicgraph.graph import splice as splice_module
from civicgraph.graph.splice import DoesNotFit, Syntax
from civicgraph.publish import catalog as catalog_module
from civicgraph.publish import checksums as checksums_module
from civicgraph.publish import danegovpl as danegovpl_module
from civicgraph.publish import editions as editions_module
from civicgraph.publish import graph_files as graph_files_module
from civicgraph.publish import orchestrator as orchestrator_module
from civicgraph.publish import tables as tables_module
from civicgraph.publish import void as void_module
from civicgraph.publish.release import GraphChange
from civicgraph.publish.reuse import Entry, Reuse, code_digest, key_of, record_path
from civicgraph.util import digests
from tests.conftest import FIXTURES, add_extra_member, add_poznan_2022, add_second_member

POZNAN_2023 = "editions/3064011-2023.ttl"
POZNAN_2022 = "editions/3064011-2022.ttl"
SECOND_2023 = "editions/3099011-2023.ttl"
POZNAN_PAGE, SECOND_PAGE = "site/member/3064011.html", "site/member/3099011.html"
POZNAN_2023_PAGE, POZNAN_2022_PAGE = "site/report/3064011/2023.en.html", "site/report/3064011/2022.en.html"
ZMP_PAGE, UMP_PAGE = "site/organisation/zmp.en.html", "site/organisation/ump.en.html"
METROPOLIS_PAGE, SPEO_PAGE = "site/organisation/metropolia-poznan.en.html", "site/organisation/speo.html"
COUNTY_PAGE = "site/member/3021.html"  # Poznań County: named by Poznań 2023 as a participant, no report of its own


def build(data: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def inode(path: Path) -> int:
    return path.stat().st_ino


def identity(path: Path) -> tuple[int, int]:
    """A file's inode and modification time: a file taken and then written over in place keeps its inode."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def taken_line(reused: int, editions: int, out: Path) -> str:
    return (
        f"editions taken from the earlier release in {out.resolve()}, as they would come out the same: "
        f"{reused} of {editions}\n"
    )


@pytest.fixture
def three_reports(data_copy: Path) -> Path:
    """Poznań 2023 and 2022 and the made-up member 3099011's 2023 report."""
    add_poznan_2022(data_copy)
    add_second_member(data_copy)
    return data_copy


def assert_same_as_full(data: Path, out: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    build(data, full, "--full")
    assert tree(out) == tree(full)


def test_a_changed_report_is_written_anew_and_the_others_taken(three_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    before = {name: inode(out / name) for name in (POZNAN_2023, POZNAN_2022, SECOND_2023)}
    report = three_reports / "reports" / "3099011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    title = "Raport o stanie Gminy Przykładowej za 2023 rok"
    assert text.count(title) == 1
    report.write_text(text.replace(title, "Raport o stanie gminy za rok 2023"), encoding="utf-8")

    output = build(three_reports, out)

    assert output.endswith(taken_line(2, 3, out))
    assert inode(out / POZNAN_2023) == before[POZNAN_2023]
    assert inode(out / POZNAN_2022) == before[POZNAN_2022]
    assert inode(out / SECOND_2023) != before[SECOND_2023]
    assert '"Raport o stanie gminy za rok 2023"@pl' in (out / SECOND_2023).read_text(encoding="utf-8")
    assert_same_as_full(three_reports, out, tmp_path)


def test_build_keys_the_editions_in_another_process_while_it_builds_the_graph(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``civicgraph build`` has a forked child key the editions while it builds the graph; the editions' writer
    takes those keys instead of making its own. Made in this process instead (too few reports to fork for), the
    keys are the same: a build into that release takes every edition."""
    keyed_in: list[int] = []
    key = editions_module.edition_key

    def recorded(dataset: Any, report: Any) -> str:
        keyed_in.append(os.getpid())  # a forked child appends to its own copy of the list
        return key(dataset, report)

    monkeypatch.setattr(editions_module, "edition_key", recorded)
    monkeypatch.setattr(editions_module, "workers", lambda: 2)
    monkeypatch.setattr(editions_module, "SHARED_FROM", 1)
    out = tmp_path / "dist"
    build(three_reports, out, "--full")
    assert keyed_in == []  # the three keys came from the child
    assert editions_module._KEYS_MADE._kept is None  # taken by the writer, not kept for the next build

    monkeypatch.setattr(editions_module, "SHARED_FROM", 64)
    assert build(three_reports, out).endswith(taken_line(3, 3, out))
    assert keyed_in == [os.getpid()] * 3


def test_editions_written_ahead_while_the_graph_is_built_are_not_written_again(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build (or ``--full``) has the keying child write editions from the records into the staging folder
    while the graph is built; the editions' writer writes only the others. Here the build waits until the child has
    begun the last of the three (its order's), so it writes all three: the writer cuts none from the graph, and the
    release is the one a build without the child writes."""
    without_child = tmp_path / "without"
    build(three_reports, without_child)  # three reports: too few to fork for
    monkeypatch.setattr(editions_module, "workers", lambda: 2)
    monkeypatch.setattr(editions_module, "SHARED_FROM", 1)
    build_graph = build_module.build_graph

    def built_once_all_are_begun(dataset: Any, **options: Any) -> Any:
        waited = 0.0
        while not list(tmp_path.glob(".dist.staging-*/editions/3064011-2022.ttl")) and waited < 60:
            time.sleep(0.01)
            waited += 0.01
        return build_graph(dataset, **options)

    def never_cut(*_args: Any) -> Any:
        raise AssertionError("an edition written ahead was cut from the graph again")

    monkeypatch.setattr(build_module, "build_graph", built_once_all_are_begun)
    monkeypatch.setattr(editions_module, "edition_triples", never_cut)
    out = tmp_path / "dist"

    build(three_reports, out)

    assert tree(out) == tree(without_child)
    assert editions_module._WRITTEN_AHEAD._kept is None  # taken by the writer, not kept for the next build


def test_pages_are_taken_when_what_they_show_is_unchanged(three_reports: Path, tmp_path: Path) -> None:
    """A change to 3099011's report rewrites its pages and those of the two organisations it names (ZMP and the
    Metropolis); Poznań's member and report pages and the pages of the organisations only Poznań names are
    taken."""
    out = tmp_path / "dist"
    build(three_reports, out)
    pages = (
        *(POZNAN_PAGE, POZNAN_2023_PAGE, POZNAN_2022_PAGE, SECOND_PAGE, "site/report/3099011/2023.html"),
        *(ZMP_PAGE, "site/organisation/zmp.ttl", METROPOLIS_PAGE, UMP_PAGE, "site/organisation/ump.jsonld", SPEO_PAGE),
    )
    before = {name: inode(out / name) for name in pages}
    report = three_reports / "reports" / "3099011" / "2023" / "report.yaml"
    title = "Raport o stanie Gminy Przykładowej za 2023 rok"
    report.write_text(report.read_text(encoding="utf-8").replace(title, "Raport za rok 2023"), encoding="utf-8")

    build(three_reports, out)

    after = {name: inode(out / name) for name in pages}
    taken = {name for name in pages if after[name] == before[name]}
    assert taken == {
        *(POZNAN_PAGE, POZNAN_2023_PAGE, POZNAN_2022_PAGE),
        *(UMP_PAGE, "site/organisation/ump.jsonld", SPEO_PAGE),
    }
    assert_same_as_full(three_reports, out, tmp_path)


def add_member_in_lower_silesia(data: Path) -> None:
    """A copy of 3099011 and its 2023 report as 0299011, a local government of voivodeship 02."""
    fixture = FIXTURES / "second-member"
    members = (fixture / "members.yaml").read_text(encoding="utf-8").replace('"3099011"', '"0299011"')
    with (data / "members.yaml").open("a", encoding="utf-8") as appended:
        appended.write("\n" + members.replace("Gmina Przykładowa", "Gmina Dolnośląska"))
    shutil.copytree(fixture / "reports" / "3099011", data / "reports" / "0299011")
    report = data / "reports" / "0299011" / "2023" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace('member: "3099011"', 'member: "0299011"'), "utf-8")


VOIVODESHIP_02 = "site/voivodeship/02"


def test_a_voivodeships_page_shows_its_local_governments_as_their_pages_do(three_reports: Path, tmp_path: Path) -> None:
    """A voivodeship's page lists its local governments as their pages show them, and is written by every build:
    renaming 0299011 shows on the page of voivodeship 02, and the release is the one ``--full`` writes."""
    add_member_in_lower_silesia(three_reports)
    out = tmp_path / "dist"
    build(three_reports, out)
    assert "Gmina Dolnośląska<" in (out / f"{VOIVODESHIP_02}.html").read_text(encoding="utf-8")
    members = three_reports / "members.yaml"
    members.write_text(members.read_text(encoding="utf-8").replace("Gmina Dolnośląska", "Gmina Dolna"), "utf-8")

    build(three_reports, out)

    assert "Gmina Dolna<" in (out / f"{VOIVODESHIP_02}.html").read_text(encoding="utf-8")
    assert "Gmina Dolnośląska" not in (out / f"{VOIVODESHIP_02}.html").read_text(encoding="utf-8")
    assert_same_as_full(three_reports, out, tmp_path)


def rename_second_member(data: Path) -> None:
    """Give 3099011 another English name."""
    members = data / "members.yaml"
    text = members.read_text(encoding="utf-8")
    assert text.count("en: Example Commune}") == 1
    members.write_text(text.replace("en: Example Commune}", "en: Sample Commune}"), encoding="utf-8")


def test_a_renamed_member_rewrites_the_pages_of_the_organisations_listing_it(
    three_reports: Path, tmp_path: Path
) -> None:
    """An organisation's page lists its members by name: renaming 3099011 rewrites the pages of ZMP and the
    Metropolis, which it belongs to; UMP's page (only Poznań's) is taken."""
    out = tmp_path / "dist"
    build(three_reports, out)
    pages = (ZMP_PAGE, METROPOLIS_PAGE, UMP_PAGE)
    before = {name: inode(out / name) for name in pages}
    rename_second_member(three_reports)

    build(three_reports, out)

    assert {name for name in pages if inode(out / name) == before[name]} == {UMP_PAGE}
    assert "Sample Commune" in (out / ZMP_PAGE).read_text(encoding="utf-8")
    assert_same_as_full(three_reports, out, tmp_path)


PERIOD_2023_PAGE, PERIOD_2022_PAGE = "site/period/2023.html", "site/period/2022.en.html"
MORE_THAN, NEARLY, EXACT = (f"site/vocab/hedge/{hedge}.html" for hedge in ("more-than", "nearly", "exact"))
VIEWS = (PERIOD_2023_PAGE, PERIOD_2022_PAGE, MORE_THAN, NEARLY, EXACT)


def test_a_period_or_concept_page_is_taken_when_nothing_it_shows_changed(three_reports: Path, tmp_path: Path) -> None:
    """A period's or a concept's page lists what links to it by name. A new title of 3099011's 2023 report rewrites
    the page of 2023, the report's period; 2022's page and the hedges' are taken. A new label of that report's
    figure "officials" (hedged "more than") rewrites the page of "more than"; those of "nearly" and "exact", which
    it does not link to, are taken. A build into a new folder makes no subject's digest, and the first build into
    the release knows no change yet: the third build is the first to take these pages."""
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)
    report = three_reports / "reports" / "3099011" / "2023" / "report.yaml"
    retitle = partial(replace_once, report, "Raport o stanie Gminy Przykładowej za 2023 rok", "Raport za rok 2023")

    assert taken_after(retitle, VIEWS, three_reports, out, tmp_path) == {PERIOD_2022_PAGE, MORE_THAN, NEARLY, EXACT}
    assert "Raport za rok 2023" in (out / PERIOD_2023_PAGE).read_text(encoding="utf-8")

    relabel = partial(replace_once, report, "Przeszkoleni urzędnicy", "Urzędnicy po szkoleniu")

    taken = taken_after(relabel, VIEWS, three_reports, out, tmp_path)
    assert taken == {PERIOD_2023_PAGE, PERIOD_2022_PAGE, NEARLY, EXACT}
    assert "Urzędnicy po szkoleniu" in (out / MORE_THAN).read_text(encoding="utf-8")


def test_a_report_added_or_removed_rewrites_the_pages_of_its_period_and_concepts(
    three_reports: Path, tmp_path: Path
) -> None:
    """3099041's 2023 report (tests/fixtures/extra-member) has one figure, hedged "exact": added, it rewrites the
    pages of 2023 and of "exact", which list what links to them, and 2022's and the other hedges' are taken.
    Poznań's 2022 report (tests/fixtures/poznan-2022) hedges its figures "exact": removed, it rewrites the page of
    "exact"; 2022 has no page any more, and the pages of 2023 and of the other hedges are taken."""
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)
    added = partial(add_extra_member, three_reports)

    assert taken_after(added, VIEWS, three_reports, out, tmp_path) == {PERIOD_2022_PAGE, MORE_THAN, NEARLY}
    assert "3099041" in (out / EXACT).read_text(encoding="utf-8")

    still_there = (PERIOD_2023_PAGE, MORE_THAN, NEARLY, EXACT)
    removed = partial(shutil.rmtree, three_reports / "reports" / "3064011" / "2022")

    assert taken_after(removed, still_there, three_reports, out, tmp_path) == {PERIOD_2023_PAGE, MORE_THAN, NEARLY}
    assert not (out / PERIOD_2022_PAGE).exists()
    assert "2022" not in (out / EXACT).read_text(encoding="utf-8")


def test_the_sitemap_is_taken_while_it_lists_the_same_pages(three_reports: Path, tmp_path: Path) -> None:
    """sitemap.xml lists the path of every page, with the release date: a report's new title changes no path, and
    the sitemap is taken; a report added (3099041's 2023 report) adds the pages of its member and itself, and it is
    written anew."""
    out = tmp_path / "dist"
    build(three_reports, out)
    sitemap = out / "site" / "sitemap.xml"
    before = inode(sitemap)
    report = three_reports / "reports" / "3099011" / "2023" / "report.yaml"
    replace_once(report, "Raport o stanie Gminy Przykładowej za 2023 rok", "Raport za rok 2023")

    build(three_reports, out)

    assert inode(sitemap) == before
    add_extra_member(three_reports)

    build(three_reports, out)

    assert inode(sitemap) != before
    listed = sitemap.read_text(encoding="utf-8")
    assert "site/member/3099041.html</loc>" in listed and "site/report/3099041/2023.en.html</loc>" in listed
    assert_same_as_full(three_reports, out, tmp_path)


def taken_after(edit: Callable[[], object], pages: tuple[str, ...], data: Path, out: Path, tmp_path: Path) -> set[str]:
    """The ``pages`` a build into ``out`` took from the release there after ``edit`` of ``data``: those whose file is
    the one they had (taken files are linked, not copied). The release built is checked against ``--full``'s."""
    before = {name: inode(out / name) for name in pages}
    edit()
    build(data, out)
    assert_same_as_full(data, out, tmp_path)
    return {name for name in pages if inode(out / name) == before[name]}


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_one_year_changed_rewrites_every_page_of_the_member(three_reports: Path, tmp_path: Path) -> None:
    """A membership joins what the member's reports state across the years, and each report page shows it: a
    change to Poznań 2022 rewrites the 2023 report page too, and the member page."""
    out = tmp_path / "dist"
    build(three_reports, out)
    pages = (POZNAN_PAGE, POZNAN_2023_PAGE, POZNAN_2022_PAGE, SECOND_PAGE)
    before = {name: inode(out / name) for name in pages}
    report = three_reports / "reports" / "3064011" / "2022" / "report.yaml"
    title = "en: Test report of the City of Poznań for 2022 (constructed data)"
    report.write_text(report.read_text(encoding="utf-8").replace(title, f"{title}, corrected"), encoding="utf-8")

    assert build(three_reports, out).endswith(taken_line(2, 3, out))

    taken = {name for name in pages if inode(out / name) == before[name]}
    assert taken == {SECOND_PAGE}
    assert inode(out / POZNAN_2023) == inode(out / "site/report/3064011/2023.ttl")  # its edition, taken
    assert_same_as_full(three_reports, out, tmp_path)


def test_a_renamed_participant_rewrites_the_pages_of_the_reports_naming_it(three_reports: Path, tmp_path: Path) -> None:
    """Poznań County's name is shown where Poznań 2023 names it as a participant: renaming it in members.yaml
    rewrites Poznań 2023's edition, the pages of Poznań and the county's own page; 3099011's are taken."""
    out = tmp_path / "dist"
    build(three_reports, out)
    pages = (POZNAN_PAGE, POZNAN_2023_PAGE, COUNTY_PAGE, SECOND_PAGE)
    before = {name: inode(out / name) for name in pages}
    members = three_reports / "members.yaml"
    text = members.read_text(encoding="utf-8")
    assert text.count("en: Poznań County}") == 1
    members.write_text(text.replace("en: Poznań County}", "en: County of Poznań}"), encoding="utf-8")

    assert build(three_reports, out).endswith(taken_line(2, 3, out))

    taken = {name for name in pages if inode(out / name) == before[name]}
    assert taken == {SECOND_PAGE}
    assert "County of Poznań" in (out / POZNAN_2023_PAGE).read_text(encoding="utf-8")
    assert_same_as_full(three_reports, out, tmp_path)


def test_sha256sums_reads_none_of_the_files_taken(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SHA256SUMS takes the recorded digest of a file taken from the earlier release: it reads the pages written
    anew (the English home page among them), never Poznań's pages, taken as Poznań's reports are unchanged."""
    out = tmp_path / "dist"
    build(three_reports, out)
    edit_second_report(three_reports)
    read: list[str] = []
    real = checksums_module._sha256_of

    def recorded(path: str, size: int) -> str:
        read.append(path.partition(f"{os.sep}.dist.staging-")[2].partition(os.sep)[2].replace(os.sep, "/"))
        return real(path, size)

    monkeypatch.setattr(checksums_module, "_sha256_of", recorded)
    before = {name: inode(out / name) for name in (POZNAN_PAGE, POZNAN_2023_PAGE, POZNAN_2022_PAGE)}

    build(three_reports, out)

    assert {name: inode(out / name) for name in before} == before  # taken
    assert "site/index.en.html" in read
    assert not set(read) & set(before)
    assert_same_as_full(three_reports, out, tmp_path)


def test_a_removed_report_leaves_no_file_behind(three_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    shutil.rmtree(three_reports / "reports" / "3064011" / "2022")

    output = build(three_reports, out)

    assert output.endswith(taken_line(2, 2, out))
    assert not (out / POZNAN_2022).exists()
    assert not (out / "site" / "report" / "3064011" / "2022.rdf").exists()
    assert_same_as_full(three_reports, out, tmp_path)


@pytest.mark.parametrize("report", ["3099011/2023", "3064011/2022"])
def test_a_removed_report_is_cut_out_of_the_earlier_graph_files(
    three_reports: Path, tmp_path: Path, noted_changes: list[frozenset[str] | None], report: str
) -> None:
    """The second member's only report removed drops its subjects and changes none that is left: no block is made,
    and graph.ttl is still written from the earlier one, whose prefix lines are those of the graph left (it was
    written whole, and the change was not known). The change is known (the predicates of the triples removed), and
    the tables are written from the earlier release's too. Poznań's report of 2022 removed changes subjects that
    are left, whose blocks are made, as before."""
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)  # digests made and kept
    shutil.rmtree(three_reports / "reports" / report)

    build(three_reports, out)

    removed = noted_changes[-1]
    assert removed is not None and {TITLE, IS_PART_OF} <= removed  # of the report's own triples
    assert_same_as_full(three_reports, out, tmp_path)


def test_an_added_report_is_written_and_the_others_taken(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(data_copy, out)
    poznan = inode(out / POZNAN_2023)
    add_second_member(data_copy)

    output = build(data_copy, out)

    assert output.endswith(taken_line(1, 2, out))
    assert inode(out / POZNAN_2023) == poznan
    assert_same_as_full(data_copy, out, tmp_path)


CATALOG_FILES = ["catalog.dcat-ap-2.ttl", "catalog.jsonld", "catalog.nt", "catalog.rdf", "catalog.ttl"]


def spliced_by(module: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Each file the writer of ``module`` writes from the earlier release's, with the blocks made for it."""
    done: list[tuple[str, bytes]] = []
    real = module.splice_file

    def recorded(earlier: Path, made: bytes, syntax: Syntax, dropped: set[str], written: Any, into: Path) -> None:
        real(earlier, made, syntax, dropped, written, into)
        done.append((into.name, made))

    monkeypatch.setattr(module, "splice_file", recorded)
    return done


@pytest.fixture
def splices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    return spliced_by(catalog_module, monkeypatch)


@pytest.fixture
def graph_splices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    return spliced_by(graph_files_module, monkeypatch)


def retitle_second_report(data: Path, title: str) -> None:
    """Give the made-up member's report another Polish title (the line after ``title:``)."""
    report = data / "reports" / "3099011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    start = text.index("\n", text.index("\ntitle:\n") + 1) + 1
    end = text.index("\n", start)
    assert text[start:end].startswith("  pl: ")
    report.write_text(text[:start] + f"  pl: {title}" + text[end:], encoding="utf-8")


def edit_second_report(data: Path) -> None:
    retitle_second_report(data, "Raport za rok 2023")


# The period of 2022, which the catalogue describes where it is first named: only Poznań 2022's dataset names it.
PERIOD_2022 = "<https://w3id.org/civicgraph/id/period/2022> a dct:PeriodOfTime"


@pytest.mark.parametrize(
    ("change", "made", "copied", "period_2022"),
    [
        # Poznań 2022's dataset is copied, and the period it alone names still described.
        (edit_second_report, "dataset-3099011-2023", "dataset-3064011-2023", True),
        # Poznań 2023's page links to 2022 no more: its part is made anew.
        (
            lambda data: shutil.rmtree(data / "reports" / "3064011" / "2022"),
            "dataset-3064011-2023",
            "dataset-3099011-2023",
            False,
        ),
        (lambda data: shutil.rmtree(data / "reports" / "3099011" / "2023"), None, "dataset-3064011-2022", True),
    ],
    ids=["changed", "removed", "removed-with-its-member's-only-report"],
)
def test_the_catalogue_is_written_from_the_earlier_one_with_only_what_changed_made(
    three_reports: Path,
    tmp_path: Path,
    splices: list[tuple[str, bytes]],
    change: Any,
    made: str | None,
    copied: str,
    period_2022: bool,
) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    assert splices == []  # no earlier release
    change(three_reports)

    build(three_reports, out)

    assert sorted(name for name, _made in splices) == CATALOG_FILES
    turtle = dict(splices)["catalog.ttl"].decode()
    assert f"#{copied}> a dcat:Dataset" not in turtle  # copied from the earlier file
    assert "#dataset-all> a dcat:Dataset" in turtle  # the whole graph's dataset is made in every build
    if made is not None:
        assert f"#{made}> a dcat:Dataset" in turtle
    assert (PERIOD_2022 in turtle) is period_2022  # a period is no part: made in every build that names it
    assert_same_as_full(three_reports, out, tmp_path)


def test_an_added_report_is_catalogued_in_the_earlier_catalogue(
    data_copy: Path, tmp_path: Path, splices: list[tuple[str, bytes]]
) -> None:
    out = tmp_path / "dist"
    build(data_copy, out)
    add_second_member(data_copy)

    build(data_copy, out)

    turtle = dict(splices)["catalog.ttl"].decode()
    assert "#dataset-3099011-2023> a dcat:Dataset" in turtle
    assert "#series-3099011> a dcat:DatasetSeries" in turtle
    assert "#dataset-3064011-2023> a dcat:Dataset" not in turtle
    assert_same_as_full(data_copy, out, tmp_path)


def test_a_catalogue_file_changed_in_the_earlier_release_is_written_whole(
    three_reports: Path, tmp_path: Path, splices: list[tuple[str, bytes]]
) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    with (out / "site" / "catalog.rdf").open("ab") as file:
        file.write(b"<!-- edited by hand -->\n")
    edit_second_report(three_reports)

    build(three_reports, out)

    assert splices == []
    assert not (out / "site" / "catalog.rdf").read_bytes().endswith(b"<!-- edited by hand -->\n")
    assert_same_as_full(three_reports, out, tmp_path)


def test_an_earlier_catalogue_that_does_not_fit_its_note_is_written_whole(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note that leaves the catalogue node out of the subjects to drop (and the files recorded with that note's
    digest): the node's block is found where a new one goes, and nothing of the earlier files is used."""
    out = tmp_path / "dist"
    build(three_reports, out)
    record = record_path(out)
    recorded = json.loads(record.read_text(encoding="utf-8"))
    note = recorded["noted"]["catalog"]
    note["others"].remove("https://w3id.org/civicgraph/id/catalog")
    for name in ("catalog.ttl", "catalog.jsonld", "catalog.dcat-ap-2.ttl", "site/catalog.nt", "site/catalog.rdf"):
        recorded["files"][name]["key"] = catalog_module._note_key(note)
    record.write_text(json.dumps(recorded, separators=(",", ":")), encoding="utf-8")
    edit_second_report(three_reports)
    refusals: list[str] = []
    real = catalog_module.splice_file

    def refused(*args: Any) -> None:
        try:
            real(*args)
        except DoesNotFit as error:
            refusals.append(str(error))
            raise

    monkeypatch.setattr(catalog_module, "splice_file", refused)

    build(three_reports, out)

    assert refusals == [
        "https://w3id.org/civicgraph/id/catalog has a block in the earlier serialization, and it was not to be dropped"
    ]
    assert_same_as_full(three_reports, out, tmp_path)


def jsonld_ids(jsonld: bytes) -> list[str]:
    """The ids of graph.jsonld's top-level nodes, one a line after its context and "@graph":[, before ]}."""
    return [json.loads(line.removesuffix(","))["id"] for line in jsonld.decode().splitlines()[2:-1]]


def jsonld_id_of(iri: str) -> str:
    """A node's id in graph.jsonld: its IRI relative to the base."""
    return iri.strip("<>").removeprefix("https://w3id.org/civicgraph/id/")


SECOND_REPORT_IRI = "<https://w3id.org/civicgraph/id/report/3099011/2023>"
POZNAN_REPORT_IRI = "<https://w3id.org/civicgraph/id/report/3064011/2023>"


@pytest.mark.parametrize(
    ("change", "made", "copied"),
    [
        (
            lambda data: retitle_second_report(data, "Raport za rok 2023, wersja druga"),
            SECOND_REPORT_IRI,
            POZNAN_REPORT_IRI,
        ),
        (lambda data: shutil.rmtree(data / "reports" / "3064011" / "2022"), None, SECOND_REPORT_IRI),
    ],
    ids=["changed", "removed"],
)
def test_the_graph_files_are_written_from_the_earlier_ones_once_their_digests_are_kept(
    three_reports: Path,
    tmp_path: Path,
    graph_splices: list[tuple[str, bytes]],
    change: Any,
    made: str | None,
    copied: str,
) -> None:
    """A first build into a new folder makes no digests; a build into it makes them, and the next one splices."""
    out = tmp_path / "dist"
    build(three_reports, out)
    assert not (tmp_path / ".dist.graph-digests").exists()
    retitle_second_report(three_reports, "Raport za rok 2023")
    build(three_reports, out)
    assert graph_splices == []  # no digests of the earlier release yet
    assert (tmp_path / ".dist.graph-digests").is_file()
    change(three_reports)

    build(three_reports, out)

    assert sorted(name for name, _made in graph_splices) == ["graph.jsonld", "graph.nt", "graph.ttl"]
    lines = dict(graph_splices)["graph.nt"].decode().splitlines()
    assert not [line for line in lines if line.startswith(f"{copied} ")]  # copied from the earlier file
    nodes = jsonld_ids(dict(graph_splices)["graph.jsonld"])
    assert jsonld_id_of(copied) not in nodes
    if made is not None:
        assert [line for line in lines if line.startswith(f"{made} <http://purl.org/dc/terms/title> ")]
        assert jsonld_id_of(made) in nodes
    assert_same_as_full(three_reports, out, tmp_path)


def test_unchanged_graph_files_are_taken(three_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)  # digests made and kept
    before = {name: inode(out / name) for name in ("graph.nt", "graph.ttl", "graph.jsonld")}

    build(three_reports, out)

    assert {name: inode(out / name) for name in before} == before
    assert_same_as_full(three_reports, out, tmp_path)


TABLES = ("memberships.csv", "activities.csv", "figures.csv")
SCHEMA_URL, DERIVED_FROM = "http://schema.org/url", "http://www.w3.org/ns/prov#wasDerivedFrom"
TITLE, PREF_LABEL = "http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel"
IS_PART_OF = "http://purl.org/dc/terms/isPartOf"


@pytest.fixture
def noted_changes(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str] | None]:
    """The predicates each build's graph files noted as changed (``Release.change``), as the tables read them."""
    noted: list[frozenset[str] | None] = []
    taken_first = orchestrator_module._TAKEN_HERE_FIRST
    take = taken_first[tables_module.write_tables]

    def noting(release: Any, out: Path) -> None:
        noted.append(release.change.predicates)
        take(release, out)

    monkeypatch.setitem(taken_first, tables_module.write_tables, noting)
    return noted


def relabel_second_figure(data: Path) -> None:
    report = data / "reports" / "3099011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    assert text.count("pl: Przeszkoleni urzędnicy\n") == 1
    report.write_text(text.replace("pl: Przeszkoleni urzędnicy\n", "pl: Urzędnicy po szkoleniu\n"), encoding="utf-8")


def change_poznan_url(data: Path) -> None:
    report = data / "reports" / "3064011" / "2023" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    url = next(line for line in text.splitlines() if line.startswith("url: "))
    report.write_text(text.replace(url, url + "?v=2"), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "predicates", "written"),
    [
        # A report's URL: the report's schema:url and its text's prov:wasDerivedFrom; no table reads either.
        (change_poznan_url, {SCHEMA_URL, DERIVED_FROM}, set()),
        # A report's title, dct:title: read by activities.csv (for the activities' titles), written anew.
        (edit_second_report, {TITLE}, {"activities.csv"}),
        # A figure's label, skos:prefLabel: shown in figures.csv, and read by memberships.csv (for the names).
        (relabel_second_figure, {PREF_LABEL}, {"figures.csv", "memberships.csv"}),
    ],
    ids=["url", "title", "figure label"],
)
def test_a_table_none_of_whose_predicates_changed_is_taken(
    three_reports: Path,
    tmp_path: Path,
    noted_changes: list[frozenset[str] | None],
    change: Any,
    predicates: set[str],
    written: set[str],
) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)  # digests made and kept: no change known before
    assert noted_changes == [None, None]
    before = {name: identity(out / name) for name in TABLES}
    change(three_reports)

    build(three_reports, out)

    assert noted_changes[-1] == predicates
    assert {name for name in TABLES if identity(out / name) != before[name]} == written  # taken: not rewritten
    assert_same_as_full(three_reports, out, tmp_path)
    if change is relabel_second_figure:
        assert "Urzędnicy po szkoleniu" in (out / "figures.csv").read_text(encoding="utf-8-sig")


def correct_second_figure(data: Path) -> None:
    """3099011's "officials": more than 125 officials trained, not 120 (value, quotes and source text)."""
    report = data / "reports" / "3099011" / "2023"
    for name, old, new, times in [
        ("report.yaml", "value: 120\n", "value: 125\n", 1),
        ("report.yaml", "ponad 120 urzędników", "ponad 125 urzędników", 2),  # the figure's quote and the activity's
        ("source.txt", "ponad 120 urzędników", "ponad 125 urzędników", 1),
    ]:
        text = (report / name).read_text(encoding="utf-8")
        assert text.count(old) == times, (name, old)
        (report / name).write_text(text.replace(old, new), encoding="utf-8")


def test_a_table_is_written_from_the_earlier_one_with_the_rows_reaching_a_change_made_anew(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3099011's figure "officials" corrected from 120 to 125, in its quote and in the activity's: the three
    tables read the quotes and are written again, each from the earlier release's. Only the rows that read what
    changed are made: the figure's (its value, words and passage) and its activity's (its quote), and the energy
    purchase's and its figure's, whose quote holds the words just after the corrected ones (oa:prefix); no
    membership's. The other rows are copied, and the tables are those a full build writes."""
    made: list[tuple[str, str]] = []
    cells = tables_module._cells

    def noting(index: Any, table: Any, iri: str) -> list[str]:
        made.append((table.file, iri))
        return cells(index, table, iri)

    monkeypatch.setattr(tables_module, "_cells", noting)
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)  # digests made and kept: the change is known from here on
    before = {name: identity(out / name) for name in TABLES}
    made.clear()
    correct_second_figure(three_reports)

    build(three_reports, out)

    activity = "https://w3id.org/civicgraph/id/activity/3099011/2023/"
    training, purchase = f"{activity}officials-training", f"{activity}energy-purchase"
    assert sorted(made) == [
        ("activities.csv", purchase),
        ("activities.csv", training),
        ("figures.csv", f"{purchase}/figure/cost"),
        ("figures.csv", f"{training}/figure/officials"),
    ]
    assert all(identity(out / name) != before[name] for name in TABLES)  # all three written
    assert ",125,person," in (out / "figures.csv").read_text(encoding="utf-8-sig")
    assert_same_as_full(three_reports, out, tmp_path)


def test_the_graph_files_note_the_subjects_that_changed_and_what_they_refer_to(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3099011's figure "officials" relabelled: it is the one subject whose triples changed, none is new, and the
    IRIs its triples refer to (the same before and now) are noted: its types, unit, hedge, activity and evidence."""
    noted: list[GraphChange] = []
    taken_first = orchestrator_module._TAKEN_HERE_FIRST
    take = taken_first[tables_module.write_tables]

    def noting(release: Any, out: Path) -> None:
        noted.append(dataclasses.replace(release.change))
        take(release, out)

    monkeypatch.setitem(taken_first, tables_module.write_tables, noting)
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)
    relabel_second_figure(three_reports)

    build(three_reports, out)

    change = noted[-1]
    id_, activity = "https://w3id.org/civicgraph/id/", "activity/3099011/2023/officials-training"
    assert change.subjects == {f"{id_}{activity}/figure/officials"}
    assert change.added == frozenset()
    assert change.referred == {
        "http://schema.org/QuantitativeValue",
        "https://w3id.org/civicgraph/ontology#Figure",
        "https://w3id.org/civicgraph/vocab/unit/person",
        "https://w3id.org/civicgraph/vocab/hedge/more-than",
        f"{id_}{activity}",
        f"{id_}report/3099011/2023/text/chars/164-184",  # "ponad 120 urzędników" in its source.txt
    }
    assert noted[0].digests_key is None and change.digests_key not in (None, noted[1].digests_key)


def test_into_an_earlier_release_void_is_written_once_by_the_validating_process(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validated alongside (into an earlier release, with two cores), the graph's validating process writes VoID
    once it has validated: the triples are counted once, by another process, and the release is the one a full
    build writes."""
    monkeypatch.setattr(build_module, "workers", lambda: 2)
    counted_by = tmp_path / "counted-by"
    tally = void_module.Tally.of

    def recorded(triples: Any) -> Any:
        with counted_by.open("a") as pids:
            pids.write(f"{os.getpid()}\n")
        return tally(triples)

    monkeypatch.setattr(void_module.Tally, "of", recorded)
    out = tmp_path / "dist"
    build(three_reports, out)  # a first build: validated before publishing
    assert counted_by.read_text().split() == [str(os.getpid())]
    counted_by.unlink()
    edit_second_report(three_reports)

    build(three_reports, out)

    counted = counted_by.read_text().split()
    assert len(counted) == 1 and counted != [str(os.getpid())]
    assert_same_as_full(three_reports, out, tmp_path)


def test_into_an_earlier_release_the_graph_files_are_hashed_ahead_of_the_catalogue(
    three_reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an earlier release, the graph files written anew are hashed by a spawned process from the graph files'
    writer's end on (the minimum lowered to the fixture's size), and the catalogue reads none of them again; a first
    build hashes nothing ahead. The release is the one a full build writes."""
    monkeypatch.setattr(checksums_module, "HASHED_AHEAD_MINIMUM", 0)
    monkeypatch.setattr(checksums_module, "workers", lambda: 2)
    spawned_with: list[list[str]] = []
    read_here: list[str] = []
    spawned, file_facts = checksums_module.spawned, digests.file_facts

    def recorded_spawn(work: Any, out: Path, files: list[tuple[str, Any]], threads: int) -> Any:
        spawned_with.append([path for path, _stat in files])
        return spawned(work, out, files, threads)

    def recorded_read(out: Path, relative: str) -> Any:  # in this process: a spawned one imports its own
        read_here.append(relative)
        return file_facts(out, relative)

    monkeypatch.setattr(checksums_module, "spawned", recorded_spawn)
    monkeypatch.setattr(digests, "file_facts", recorded_read)
    out = tmp_path / "dist"
    build(three_reports, out)
    assert spawned_with == []
    assert {"graph.nt", "graph.ttl", "graph.jsonld"} <= set(read_here)
    read_here.clear()
    edit_second_report(three_reports)

    build(three_reports, out)

    assert spawned_with == [["graph.nt", "graph.ttl", "graph.jsonld"]]
    assert SECOND_2023 in read_here  # written anew, hashed by the catalogue
    assert not {"graph.nt", "graph.ttl", "graph.jsonld"} & set(read_here)
    assert_same_as_full(three_reports, out, tmp_path)


def test_no_table_is_taken_when_the_change_is_not_known(three_reports: Path, tmp_path: Path) -> None:
    """A build into a release with no digests kept (its first build into a new folder) knows no change: every
    table is written, though none would differ."""
    out = tmp_path / "dist"
    build(three_reports, out)
    before = {name: inode(out / name) for name in TABLES}
    change_poznan_url(three_reports)

    build(three_reports, out)

    assert all(inode(out / name) != before[name] for name in TABLES)
    assert_same_as_full(three_reports, out, tmp_path)


DANEGOVPL_FILES = ("danegovpl.xml", "danegovpl.md5")
CATALOG_PAGES = ("site/catalog.html", "site/catalog.en.html")


@pytest.mark.parametrize(
    ("files", "change", "taken", "shown", "shown_in"),
    [
        # No planned dataset shows a report's URL.
        (DANEGOVPL_FILES, change_poznan_url, True, "„Raport za rok 2023”", "danegovpl.xml"),
        # The report's dataset's description quotes its title.
        (DANEGOVPL_FILES, edit_second_report, False, "„Raport za rok 2023”", "danegovpl.xml"),
        (CATALOG_PAGES, change_poznan_url, True, "Sample Commune", "site/catalog.en.html"),
        # The member's datasets' titles name it.
        (CATALOG_PAGES, rename_second_member, False, "Sample Commune", "site/catalog.en.html"),
    ],
    ids=["danegovpl-url", "danegovpl-title", "catalogue-page-url", "catalogue-page-member-name"],
)
def test_a_file_listing_the_planned_datasets_is_taken_when_they_are_unchanged(
    three_reports: Path, tmp_path: Path, files: tuple[str, ...], change: Any, taken: bool, shown: str, shown_in: str
) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)  # the first build into a new folder keys nothing: no earlier release to take from
    before = {name: identity(out / name) for name in files}
    change(three_reports)

    build(three_reports, out)

    assert {name: identity(out / name) == before[name] for name in before} == dict.fromkeys(before, taken)
    assert (shown in (out / shown_in).read_text(encoding="utf-8")) is not taken
    assert_same_as_full(three_reports, out, tmp_path)


def test_a_first_build_keys_no_danegovpl_file(three_reports: Path, tmp_path: Path) -> None:
    """With no earlier release to take from, the plan is not keyed (0.12 s a national year): the next build writes
    the file again, though nothing changed."""
    out = tmp_path / "dist"
    build(three_reports, out)
    before = {name: identity(out / name) for name in ("danegovpl.xml", *CATALOG_PAGES)}

    build(three_reports, out)

    assert all(identity(out / name) != before[name] for name in before)
    assert_same_as_full(three_reports, out, tmp_path)


@pytest.fixture
def harvester_documents(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The identifiers of the datasets of each harvester document made, in its order."""
    made: list[list[str]] = []
    real = danegovpl_module.harvester_document

    def recorded(release: Any, datasets: Any = None) -> Any:
        document = real(release, datasets)
        made.append([dataset.findtext(f"{{{danegovpl_module.NAMESPACE}}}extIdent") for dataset in document])
        return document

    monkeypatch.setattr(danegovpl_module, "harvester_document", recorded)
    return made


def remove_second_report(data: Path) -> None:
    shutil.rmtree(data / "reports" / "3099011" / "2023")


@pytest.mark.parametrize(
    ("before", "change", "made"),
    [
        # The whole graph's dataset lists every report in its description: made again with the new one's.
        ([add_poznan_2022], add_second_member, ["civicgraph-all", "civicgraph-3099011-2023"]),
        ([add_poznan_2022, add_second_member], remove_second_report, ["civicgraph-all"]),
    ],
    ids=["added", "removed"],
)
def test_the_danegovpl_file_is_written_from_the_earlier_one_with_only_the_changed_datasets_made(
    data_copy: Path,
    tmp_path: Path,
    harvester_documents: list[list[str]],
    before: list[Callable[[Path], None]],
    change: Callable[[Path], None],
    made: list[str],
) -> None:
    for edit in before:
        edit(data_copy)
    out = tmp_path / "dist"
    build(data_copy, out)
    build(data_copy, out)  # the first build into a new folder notes nothing: no earlier release to take from
    harvester_documents.clear()
    change(data_copy)

    build(data_copy, out)

    assert harvester_documents == [made]
    assert_same_as_full(data_copy, out, tmp_path)


@pytest.mark.parametrize("damage", ["file", "note"])
def test_a_danegovpl_file_that_does_not_fit_its_note_is_written_whole(
    three_reports: Path, tmp_path: Path, harvester_documents: list[list[str]], damage: str
) -> None:
    """A file changed since its build wrote it, or a note of one dataset fewer than the file holds: nothing of
    the earlier file is used."""
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)
    if damage == "file":
        harvester = out / "danegovpl.xml"
        written = harvester.read_bytes()
        assert written.count("Poznań".encode()) > 1
        harvester.write_bytes(written.replace("Poznań".encode(), b"Poznan"))
    else:
        record = record_path(out)
        recorded = json.loads(record.read_text(encoding="utf-8"))
        del recorded["noted"]["danegovpl"]["datasets"][-1]
        record.write_text(json.dumps(recorded, separators=(",", ":")), encoding="utf-8")
    harvester_documents.clear()
    edit_second_report(three_reports)

    build(three_reports, out)

    assert harvester_documents == [
        ["civicgraph-all", "civicgraph-3064011-2022", "civicgraph-3064011-2023", "civicgraph-3099011-2023"]
    ]
    assert_same_as_full(three_reports, out, tmp_path)


@pytest.mark.parametrize("damage", ["graph.ttl", "graph.jsonld", "digests"])
def test_graph_files_that_do_not_fit_their_digests_are_written_whole(
    three_reports: Path, tmp_path: Path, graph_splices: list[tuple[str, bytes]], damage: str
) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)
    if damage.startswith("graph."):
        with (out / damage).open("ab") as file:
            file.write(b"\n")  # edited by hand
    else:
        digests = tmp_path / ".dist.graph-digests"
        digests.write_bytes(digests.read_bytes()[:-1] + b"\0")
    retitle_second_report(three_reports, "Raport za rok 2023")

    build(three_reports, out)

    assert graph_splices == []
    assert_same_as_full(three_reports, out, tmp_path)


def test_a_changed_base_iri_has_every_file_written_whole(
    three_reports: Path,
    tmp_path: Path,
    splices: list[tuple[str, bytes]],
    graph_splices: list[tuple[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every subject and every catalogue part changes: placing each block costs more than writing the files. (A
    file of fewer than a thousand subjects is spliced whatever changed, as that costs little: not here.)"""
    monkeypatch.setattr(splice_module, "_FEW", 0)
    out = tmp_path / "dist"
    build(three_reports, out)
    build(three_reports, out)  # the graph's digests kept
    settings = three_reports / "civicgraph.yaml"
    text = settings.read_text(encoding="utf-8")
    assert text.count("base_iri: https://w3id.org/civicgraph/id/\n") == 1
    settings.write_text(text.replace("/civicgraph/id/\n", "/civicgraph/graph/\n"), encoding="utf-8")

    build(three_reports, out)

    assert (splices, graph_splices) == ([], [])
    assert "<https://w3id.org/civicgraph/graph/member/3064011>" in (out / "graph.nt").read_text(encoding="utf-8")
    assert_same_as_full(three_reports, out, tmp_path)


def test_where_a_record_was_read_from_does_not_keep_an_edition_from_being_taken(
    three_reports: Path, tmp_path: Path
) -> None:
    """Lines inserted above every member and organisation move their records (file:line) but change no file."""
    out = tmp_path / "dist"
    build(three_reports, out)
    for name in ("members.yaml", "organisations.yaml"):
        path = three_reports / name
        path.write_text("# moved down by two lines\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")

    assert build(three_reports, out).endswith(taken_line(3, 3, out))
    assert_same_as_full(three_reports, out, tmp_path)


def test_full_takes_nothing(three_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    before = inode(out / POZNAN_2023)

    output = build(three_reports, out, "--full")

    assert "editions taken" not in output
    assert inode(out / POZNAN_2023) != before


def test_a_record_of_other_code_is_not_trusted(three_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    record = record_path(out)
    recorded = json.loads(record.read_text(encoding="utf-8"))
    assert recorded["code"] == code_digest()
    recorded["code"] = "0" * 64  # as another version of civicgraph would have written it
    record.write_text(json.dumps(recorded), encoding="utf-8")

    assert "editions taken" not in build(three_reports, out)
    assert_same_as_full(three_reports, out, tmp_path)


def test_a_record_of_another_release_is_not_trusted(three_reports: Path, tmp_path: Path) -> None:
    """The record names the SHA256SUMS of the release it describes. Here the files Poznań's editions were
    taken from are still there, unchanged, but beside the next release the record of the one before it is
    ignored whole."""
    out = tmp_path / "dist"
    build(three_reports, out)
    first_record = record_path(out).read_bytes()
    report = three_reports / "reports" / "3099011" / "2023" / "report.yaml"
    title = "Raport o stanie Gminy Przykładowej za 2023 rok"
    report.write_text(report.read_text(encoding="utf-8").replace(title, "Raport za rok 2023"), encoding="utf-8")
    assert build(three_reports, out).endswith(taken_line(2, 3, out))  # Poznań's two editions: the same inodes
    record_path(out).write_bytes(first_record)  # the record of the release before

    assert "editions taken" not in build(three_reports, out)
    assert_same_as_full(three_reports, out, tmp_path)


def test_a_file_changed_in_the_earlier_release_is_written_anew(three_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(three_reports, out)
    edited = out / "editions" / "3064011-2023.nt"
    with edited.open("a", encoding="utf-8") as file:
        file.write("# edited by hand\n")

    output = build(three_reports, out)

    assert output.endswith(taken_line(2, 3, out))
    assert not (out / "editions" / "3064011-2023.nt").read_text(encoding="utf-8").endswith("# edited by hand\n")
    assert_same_as_full(three_reports, out, tmp_path)


def test_an_edition_is_taken_whole_or_not_at_all(tmp_path: Path) -> None:
    """When one file of an edition cannot be taken, the links made for the others are undone: a file written
    afterwards must never reach the earlier release's file through a link."""
    earlier, staging = tmp_path / "earlier", tmp_path / "staging"
    (earlier / "editions").mkdir(parents=True)
    (staging / "editions").mkdir(parents=True)
    entries = {}
    for name, text in (("editions/a.ttl", "turtle\n"), ("editions/a.nt", "ntriples\n")):
        (earlier / name).write_text(text, encoding="utf-8")
        stat = (earlier / name).stat()
        entries[name] = Entry("k", stat.st_size, stat.st_mtime_ns, stat.st_ino, "-", None)
    os.utime(earlier / "editions/a.nt", ns=(0, 0))  # no longer the file its build wrote
    reuse = Reuse(earlier, entries)
    for name in entries:
        reuse.declare(name, key="k")

    assert reuse.take_all([], staging) is False  # nothing to take is no reason to skip writing
    assert reuse.take_all(["editions/a.ttl", "editions/a.nt"], staging) is False
    assert sorted(p.name for p in (staging / "editions").iterdir()) == []
    assert (earlier / "editions/a.ttl").read_text(encoding="utf-8") == "turtle\n"


def test_a_file_is_copied_where_the_file_system_refuses_a_hard_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """link(2) is refused where the release folder is a mount point of its own (EXDEV) or on a file system
    without hard links (EPERM): the file is then copied, the same bytes in a new inode."""
    earlier, staging = tmp_path / "earlier", tmp_path / "staging"
    (earlier / "editions").mkdir(parents=True)
    (staging / "editions").mkdir(parents=True)
    (earlier / "editions/a.nt").write_text("ntriples\n", encoding="utf-8")
    stat = (earlier / "editions/a.nt").stat()
    reuse = Reuse(earlier, {"editions/a.nt": Entry("k", stat.st_size, stat.st_mtime_ns, stat.st_ino, "-", None)})
    reuse.declare("editions/a.nt", key="k")

    def cross_device(source: str, target: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link", source, None, target)

    monkeypatch.setattr(os, "link", cross_device)

    assert reuse.take("editions/a.nt", staging) is True
    assert (staging / "editions/a.nt").read_text(encoding="utf-8") == "ntriples\n"
    assert (staging / "editions/a.nt").stat().st_ino != stat.st_ino


def test_a_key_does_not_depend_on_the_order_python_iterates_a_set_in() -> None:
    """Python orders a set of strings by their hashes, which change from process to process
    (``PYTHONHASHSEED``): the key of a set is computed in three processes with different seeds."""
    program = "from civicgraph.publish.reuse import key_of\nprint(key_of(frozenset(f'gmina-{n}' for n in range(40))))\n"
    keys = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1
    assert key_of({"Poznań"}) != key_of({"Gniezno"})
    assert key_of(["Poznań", "Gniezno"]) != key_of(["Gniezno", "Poznań"])


def test_synthetic_edits_in_a_row_give_what_a_full_build_gives(tmp_path: Path) -> None:
    """Counties and voivodeships named by communes as co-financers, memberships over two years: after each edit,
    in a row (a report's URL, a figure corrected, a report removed and added back, an organisation and a county
    renamed), the release built on the one before is the release a full build writes."""
    data, out = tmp_path / "data", tmp_path / "dist"
    synth = ["synth", "--out", str(data), "--members", "16", "--years", "2022,2023"]
    assert CliRunner().invoke(main, synth).exit_code == 0
    build(data, out)
    reports = sorted((data / "reports").glob("*/*/report.yaml"))
    named = [r for r in reports if "- member:" in r.read_text(encoding="utf-8")]
    assert named, "the synthetic data name co-financers"

    def replace_first(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    first_report = reports[0].read_text(encoding="utf-8")
    first_url = next(line for line in first_report.splitlines() if line.startswith("url:"))
    organisations = data / "organisations.yaml"
    english_name = next(
        line for line in organisations.read_text(encoding="utf-8").splitlines() if line.startswith("    en: ")
    )
    county = next(line for line in (data / "members.yaml").read_text(encoding="utf-8").splitlines() if "County" in line)
    removed = reports[-1].parent
    # the first report's membership fees corrected by a grosz, in its value, its quote and its source text (where
    # the groups of digits are parted by no-break spaces: only the last group is matched)
    fees = re.search(r"value: (\d+)\.(\d\d)\n    currency: PLN\n", first_report)
    assert fees is not None
    whole, grosze = fees.groups()
    corrected = f"{int(grosze) + 1:02d}" if grosze != "99" else "98"  # a grosz, within the złoty

    def correct_fees() -> None:
        replace_first(reports[0], f"value: {whole}.{grosze}\n", f"value: {whole}.{corrected}\n")
        for path in (reports[0], reports[0].parent / "source.txt"):
            replace_first(path, f"{whole[-3:]},{grosze}", f"{whole[-3:]},{corrected}")

    edits = [
        lambda: replace_first(reports[0], first_url, first_url + "?v=2"),
        correct_fees,
        lambda: shutil.move(removed, tmp_path / "removed"),
        lambda: shutil.move(tmp_path / "removed", removed),
        lambda: replace_first(organisations, english_name, english_name + " (renamed)"),
        lambda: replace_first(data / "members.yaml", county, county.replace("County", "District")),
    ]
    for number, edit in enumerate(edits):
        edit()
        output = build(data, out)
        assert "editions taken" in output, number
        full = tmp_path / f"full-{number}"
        build(data, full, "--full")
        assert tree(out) == tree(full), number


def test_the_code_digest_covers_the_vocabularies_and_the_json_ld_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edition files print the vocabularies' labels and are compacted against ontology/context.jsonld, which a
    checkout keeps outside the package: an edit there is other code, and nothing is taken."""
    from civicgraph.util import resources
    from civicgraph.util.resources import resource_dir

    installed = code_digest()
    ontology = tmp_path / "ontology"
    shutil.copytree(resource_dir("ontology"), ontology)
    shapes = resource_dir("shapes")
    folders = {"ontology": ontology, "shapes": shapes}
    monkeypatch.setattr(resources, "resource_dir", folders.__getitem__)
    code_digest.cache_clear()
    try:
        copied = code_digest()
        with (ontology / "vocabularies.ttl").open("a", encoding="utf-8") as vocabularies:
            vocabularies.write("# edited\n")
        code_digest.cache_clear()
        edited = code_digest()
    finally:
        code_digest.cache_clear()
    assert copied == installed  # the copy's files are the installed ones
    assert edited != copied
