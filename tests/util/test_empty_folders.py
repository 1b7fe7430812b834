"""Empty folders are someone's too: no kind of folder civicgraph replaces writes one, so a folder with nothing in it
but folders, inside a release or on its own, is refused and named, never removed.

The refusals check the exit code, the whole message and that the folders are still there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.publish.checksums import RELEASE
from civicgraph.util.errors import ExitCode
from civicgraph.util.folders import Below, FolderRefused, check_replaceable, entries_below


def build(data: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--lang", "en", "--data", str(data), "--out", str(out)])
    return result.exit_code, result.output


def folders_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# -- what is below a folder -------------------------------------------------------------------------------------


def test_of_each_tree_of_empty_folders_only_the_outermost_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes" / "2024" / "q1").mkdir(parents=True)
    (tmp_path / "notes" / "2025").mkdir()
    (tmp_path / "site" / "report" / "02").mkdir(parents=True)
    (tmp_path / "site" / "report" / "02" / "2023.ttl").write_text("x")
    (tmp_path / "site" / "empty").mkdir()
    (tmp_path / "site" / "report" / "03").mkdir()

    assert entries_below(tmp_path) == Below(
        files=["site/report/02/2023.ttl"],
        others=[],
        empty_folders=["notes/", "site/empty/", "site/report/03/"],
    )


def test_a_folder_with_a_file_or_a_link_at_any_depth_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c" / "deep.txt").write_text("x")
    (tmp_path / "l" / "m").mkdir(parents=True)
    os.symlink(tmp_path / "nowhere", tmp_path / "l" / "m" / "dangling")
    os.symlink(tmp_path / "a", tmp_path / "to-a-folder")  # a link, not a folder: never followed

    assert entries_below(tmp_path) == Below(["a/b/c/deep.txt"], ["l/m/dangling", "to-a-folder"], [])


def test_an_empty_folder_has_nothing_below_it(tmp_path: Path) -> None:
    assert entries_below(tmp_path) == Below([], [], [])


# -- refusals ---------------------------------------------------------------------------------------------------


def test_an_empty_folder_inside_an_earlier_release_is_refused_and_kept(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(data_copy, out)[0] == 0
    (out / "my-notes").mkdir()
    before = files_in(out), folders_in(out)

    code, output = build(data_copy, out)

    assert code == ExitCode.USAGE == 2
    assert output == (
        f"Error: {out} holds an earlier release and 1 file(s) or folder(s) it did not write (my-notes/); "
        "nothing was removed. Move them away or give another --out\n"
    )
    assert (out / "my-notes").is_dir()
    assert (files_in(out), folders_in(out)) == before


def test_empty_folders_are_named_beside_the_files_the_release_did_not_write(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(data_copy, out)[0] == 0
    (out / "notes" / "2024" / "q1").mkdir(parents=True)
    (out / "site" / "drafts").mkdir()
    (out / "site" / "todo.md").write_text("mine\n", encoding="utf-8")
    before = files_in(out), folders_in(out)

    code, output = build(data_copy, out)

    assert code == 2
    assert output == (
        f"Error: {out} holds an earlier release and 3 file(s) or folder(s) it did not write (notes/, site/drafts/, "
        "site/todo.md); nothing was removed. Move them away or give another --out\n"
    )
    assert (files_in(out), folders_in(out)) == before


def test_a_folder_holding_only_empty_folders_is_not_empty(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "projects"
    (out / "next-year" / "drafts").mkdir(parents=True)

    code, output = build(data_copy, out)

    assert code == 2
    assert output == (
        f"Error: {out} is not empty and holds no earlier release (no release.json and SHA256SUMS); nothing was "
        "removed. Give a new or empty folder with --out\n"
    )
    assert folders_in(out) == ["next-year", "next-year/drafts"]


def test_a_synthetic_data_folder_keeps_an_empty_folder_too(tmp_path: Path) -> None:
    out = tmp_path / "synthetic"
    assert CliRunner().invoke(main, ["synth", "--out", str(out), "--members", "3"]).exit_code == 0
    (out / "reports" / "drafts").mkdir()

    result = CliRunner().invoke(main, ["synth", "--out", str(out), "--members", "3", "--force"])

    assert result.exit_code == 2
    assert "and 1 file(s) or folder(s) it did not write (reports/drafts/); nothing was removed" in result.output
    assert (out / "reports" / "drafts").is_dir()


# -- why the rule refuses nothing a build wrote -----------------------------------------------------------------


def test_a_release_holds_no_empty_folder(dist: Path) -> None:
    """SHA256SUMS lists files only, so a folder the release wrote empty could not be told from one made in it by
    hand: no writer makes one (each folder is made for the files written into it; the reader refuses data with no
    report, so editions/ and site/voivodeship/ always hold some)."""
    assert entries_below(dist).empty_folders == []
    check_replaceable(dist, RELEASE)  # no refusal


def test_the_outermost_empty_folder_is_named_once_however_deep_the_tree(tmp_path: Path) -> None:
    (tmp_path / "release.json").write_text('{"generator": "civicgraph 0.1.0"}', encoding="utf-8")
    (tmp_path / "SHA256SUMS").write_text("ab  release.json\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "c" / "d").mkdir(parents=True)

    with pytest.raises(FolderRefused) as refused:
        check_replaceable(tmp_path, RELEASE)

    assert refused.value.exit_code == ExitCode.USAGE
    assert refused.value.message.en == (
        f"{tmp_path} holds an earlier release and 1 file(s) or folder(s) it did not write (a/); nothing was "
        "removed. Move them away or give another --out"
    )
    assert refused.value.message.pl == (
        f"{tmp_path} zawiera wcześniejszy wynik (wydanie) i pliki lub foldery, których nie zapisał (liczba: 1; a/); "
        "niczego nie usunięto. Przenieś je albo podaj inny --out"
    )
    assert (tmp_path / "a" / "b" / "c" / "d").is_dir()
