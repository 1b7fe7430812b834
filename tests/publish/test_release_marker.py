"""What proves a folder an earlier release, which a build replaces whole: a ``release.json`` that civicgraph wrote,
not merely a ``release.json`` and a ``SHA256SUMS`` listing every file (a folder of downloads has both).

Each refusal checks the exit code, the whole message and that every byte of the folder is still there.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.publish import checksums
from civicgraph.publish.checksums import RELEASE
from civicgraph.util.errors import ExitCode
from civicgraph.util.folders import FolderRefused, check_replaceable

NOT_CIVICGRAPHS = "release.json does not name civicgraph as the program that wrote it"
NOT_JSON = "release.json is not JSON"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(data: Path, out: Path, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--lang", lang, "--data", str(data), "--out", str(out)])
    return result.exit_code, result.output


def listed_folder(folder: Path, release_info: bytes) -> Path:
    """A folder of downloads: a file, a ``release.json`` with ``release_info``, and a ``SHA256SUMS`` listing both,
    as ``sha256sum`` writes it."""
    folder.mkdir()
    files = {"tool-1.0.iso": b"iso\n", "release.json": release_info}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    lines = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())
    (folder / "SHA256SUMS").write_text(lines, encoding="utf-8")
    return folder


def refused_because(folder: Path) -> str:
    with pytest.raises(FolderRefused) as refused:
        check_replaceable(folder, RELEASE)
    assert refused.value.exit_code == ExitCode.USAGE
    return refused.value.message.en


def test_a_folder_of_downloads_with_its_own_release_json_is_not_replaced(data_copy: Path, tmp_path: Path) -> None:
    downloads = listed_folder(tmp_path / "downloads", b"{}\n")
    before = tree(downloads)

    code, output = build(data_copy, downloads)

    assert code == ExitCode.USAGE == 2
    assert output == (
        f"Error: {downloads} is not empty and holds no earlier release ({NOT_CIVICGRAPHS}); nothing was removed. "
        "Give a new or empty folder with --out\n"
    )
    assert tree(downloads) == before


def test_the_refusal_says_why_in_polish_too(data_copy: Path, tmp_path: Path) -> None:
    downloads = listed_folder(tmp_path / "downloads", b'{"generator": "othertool 2.1"}\n')
    before = tree(downloads)

    code, output = build(data_copy, downloads, lang="pl")

    assert code == 2
    assert output == (
        f"Błąd: {downloads} nie jest pusty i nie zawiera wcześniejszego wyniku (wydanie: release.json nie podaje "
        "civicgraph jako programu, który go zapisał); niczego nie usunięto. Podaj w --out nowy albo pusty folder\n"
    )
    assert tree(downloads) == before


@pytest.mark.parametrize(
    ("release_info", "reason"),
    [
        (b"{}\n", NOT_CIVICGRAPHS),
        (b'{"generator": "othertool 2.1"}', NOT_CIVICGRAPHS),
        (b'{"generator": "civicgraph"}', NOT_CIVICGRAPHS),  # no version: not as write_release_info writes it
        (b'{"generator": "civicgraph 0.1.0 (patched)"}', NOT_CIVICGRAPHS),
        (b'{"generator": ["civicgraph 0.1.0"]}', NOT_CIVICGRAPHS),
        (b'["civicgraph 0.1.0"]', NOT_CIVICGRAPHS),
        (b'"civicgraph 0.1.0"', NOT_CIVICGRAPHS),
        (b'{"generator": "civicgraph 0.1.0"', NOT_JSON),
        (b"generator: civicgraph 0.1.0\n", NOT_JSON),
        (b'{"generator": "civicgraph 0.1.0", "note": "\x80"}', NOT_JSON),  # not UTF-8
        (b"[" * 200_000, NOT_JSON),  # deeper than the parser goes
        (b"", NOT_JSON),
    ],
)
def test_a_release_json_civicgraph_did_not_write_proves_nothing(
    tmp_path: Path, release_info: bytes, reason: str
) -> None:
    folder = listed_folder(tmp_path / "out", release_info)
    before = tree(folder)

    assert refused_because(folder) == (
        f"{folder} is not empty and holds no earlier release ({reason}); nothing was removed. "
        "Give a new or empty folder with --out"
    )
    assert tree(folder) == before


def test_a_release_json_larger_than_civicgraph_writes_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = json.dumps({"generator": "civicgraph 0.1.0", "editions": ["x" * 100]}).encode()
    folder = listed_folder(tmp_path / "out", info)
    monkeypatch.setattr(checksums, "_LARGEST_RELEASE_INFO", len(info) - 1)

    assert refused_because(folder) == (
        f"{folder} is not empty and holds no earlier release (release.json is larger than any civicgraph writes); "
        "nothing was removed. Give a new or empty folder with --out"
    )
    assert (folder / "tool-1.0.iso").read_bytes() == b"iso\n"


@pytest.mark.parametrize("generator", ["civicgraph 0.1.0", "civicgraph 0.0.9", "civicgraph 0+unknown"])
def test_a_release_any_version_of_civicgraph_wrote_may_be_replaced(tmp_path: Path, generator: str) -> None:
    """An earlier release may come from an earlier civicgraph, or one run from a source tree never installed."""
    folder = listed_folder(tmp_path / "out", json.dumps({"edition": "2023.1", "generator": generator}).encode())

    check_replaceable(folder, RELEASE)  # no refusal


def test_a_release_civicgraph_wrote_is_recognised_without_hashing_its_files(
    dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check runs on every build, into 43,811 files at a national year: it reads release.json and SHA256SUMS,
    and hashes nothing."""
    assert json.loads((dist / "release.json").read_text(encoding="utf-8"))["generator"].startswith("civicgraph ")

    def no_hashing(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a file was hashed to recognise a release")

    monkeypatch.setattr(hashlib, "sha256", no_hashing)
    monkeypatch.setattr(hashlib, "file_digest", no_hashing)
    check_replaceable(dist, RELEASE)  # no refusal


def test_a_real_release_is_still_replaced_by_the_next_build(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build(data_copy, out)[0] == 0
    first = tree(out)

    code, _output = build(data_copy, out)

    assert code == 0
    assert tree(out) == first
