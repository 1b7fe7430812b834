"""`civicgraph draft` with an organisations.yaml or members.yaml it cannot read: one located line per problem,
exit code 3, no traceback and nothing written, as `civicgraph validate` reports the same files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicgraph.cli.main import main
from civicgraph.draft.registry import read_registry
from civicgraph.util.errors import InputError

TEXT = "Miasto jest członkiem Związku Miast Polskich oraz Fundacji Nowych Pomysłów.\n"
SUMMARY_OF_ONE = "Error: 1 problem in the source data; nothing was written"


def files_of(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def draft(data: Path, text: Path, *more: str) -> Any:
    return CliRunner().invoke(
        main, ["draft", str(text), "--member", "3064011", "--year", "2025", "--data", str(data), *more]
    )


def validate(data: Path) -> Any:
    return CliRunner().invoke(main, ["validate", "--data", str(data), "--lang", "en"])


@pytest.fixture
def text(tmp_path: Path) -> Path:
    given = tmp_path / "raport-2025.txt"
    given.write_text(TEXT, encoding="utf-8")
    return given


def test_malformed_organisations_yaml_is_located_not_a_traceback(data_copy: Path, text: Path) -> None:
    organisations = data_copy / "organisations.yaml"
    lines = len(organisations.read_text(encoding="utf-8").splitlines())
    with organisations.open("a", encoding="utf-8") as file:
        file.write("x: [\n")
    before = files_of(data_copy)
    # The parser reaches the end of the file, the line after `x: [`, still looking for the list's first item.
    problem = f"{organisations}:{lines + 2}: malformed YAML: did not find expected node content"

    for more in ((), ("--stdout",)):
        result = draft(data_copy, text, *more)
        assert result.exit_code == 3, result.output
        assert result.stderr.splitlines() == [problem, SUMMARY_OF_ONE]
        assert result.stdout == ""
    assert files_of(data_copy) == before
    assert validate(data_copy).stderr.splitlines() == [problem, SUMMARY_OF_ONE]


def test_organisations_yaml_that_is_not_utf8_is_located(data_copy: Path, text: Path) -> None:
    organisations = data_copy / "organisations.yaml"
    lines = organisations.read_bytes().splitlines(keepends=True)
    organisations.write_bytes(b"".join(lines[:4]) + b"# caf\xe9 (Latin-1)\n" + b"".join(lines[4:]))
    before = files_of(data_copy)
    problem = f"{organisations}:5: the file is not UTF-8 text; save it as UTF-8"

    result = draft(data_copy, text)

    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [problem, SUMMARY_OF_ONE]
    assert files_of(data_copy) == before
    assert validate(data_copy).stderr.splitlines() == [problem, SUMMARY_OF_ONE]


def test_problems_in_both_files_are_said_together(data_copy: Path, text: Path) -> None:
    members, organisations = data_copy / "members.yaml", data_copy / "organisations.yaml"
    members.write_bytes(members.read_bytes() + b'"3064011": {name: [\n')
    organisations.write_bytes(b"\xff" + organisations.read_bytes())
    member_lines = len(members.read_bytes().splitlines())
    before = files_of(data_copy)

    result = draft(data_copy, text)

    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        f"{members}:{member_lines + 1}: malformed YAML: did not find expected node content",
        f"{organisations}:1: the file is not UTF-8 text; save it as UTF-8",
        "Error: 2 problems in the source data; nothing was written",
    ]
    assert files_of(data_copy) == before


@pytest.mark.parametrize("content", [b"", b"# organisations, none recorded yet\n"], ids=["empty", "comments"])
def test_an_organisations_yaml_without_entries_yet_is_drafted_into(data_copy: Path, text: Path, content: bytes) -> None:
    organisations = data_copy / "organisations.yaml"
    organisations.write_bytes(content)

    result = draft(data_copy, text)

    assert result.exit_code == 0, result.output
    assert organisations.read_bytes().startswith(content)
    assert "\nzwiazek-miast-polskich:\n" in organisations.read_text(encoding="utf-8")  # proposed: none recorded


def test_keys_are_read_as_typed(tmp_path: Path) -> None:
    members, organisations = tmp_path / "members.yaml", tmp_path / "organisations.yaml"
    # Unquoted, YAML 1.1 reads 0201011 as an octal number (66057); the drafter takes the code as typed.
    members.write_text("0201011:\n  name: {pl: Gmina Bolesławiec}\n  kind: urban-commune\n", encoding="utf-8")
    organisations.write_text("zmp:\n  name: {pl: Związek Miast Polskich, en: null}\n", encoding="utf-8")
    registry = read_registry(organisations, members)
    assert list(registry.members) == ["0201011"]
    assert registry.members["0201011"].kind == "urban-commune"
    assert registry.organisations["zmp"].english is None


def test_a_missing_file_is_no_entries_yet(tmp_path: Path) -> None:
    registry = read_registry(tmp_path / "organisations.yaml", tmp_path / "members.yaml")
    assert (registry.organisations, registry.members) == ({}, {})


def test_read_registry_raises_the_located_problems(tmp_path: Path) -> None:
    organisations = tmp_path / "organisations.yaml"
    organisations.write_text("zmp:\n  name: {pl: Związek\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_registry(organisations, tmp_path / "members.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{organisations}:3: malformed YAML: did not find expected ',' or '}}'"
    ]
