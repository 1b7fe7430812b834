"""The Polish name of a member in the genitive and locative, typed once in members.yaml (``forms``), read as they
are; a half-typed entry is bad input with its own located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.source.reader import read_dataset
from civicgraph.source.records import NameForms
from civicgraph.util.errors import InputError, Problem


def _members_with(data: Path, old: str, new: str) -> int:
    """members.yaml with ``old`` (occurring once) replaced by ``new``; the 1-based line where ``new`` starts."""
    path = data / "members.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def test_forms_are_read_as_typed_and_optional(data_copy: Path) -> None:
    _members_with(
        data_copy,
        "  forms: {genitive: Powiatu Poznańskiego, locative: Powiecie Poznańskim}\n",
        "",
    )
    members = read_dataset(data_copy).members
    # The title of the 2023 report: "Raport o stanie Miasta Poznania za 2023 rok".
    assert members["3064011"].forms == NameForms("Miasta Poznania", "Mieście Poznaniu")
    assert members["3021"].forms is None


def test_forms_without_the_locative_are_bad_input(data_copy: Path) -> None:
    line = _members_with(
        data_copy,
        "  forms: {genitive: Miasta Poznania, locative: Mieście Poznaniu}\n",
        "  forms: {genitive: Miasta Poznania}\n",
    )
    with pytest.raises(InputError) as caught:
        read_dataset(data_copy)
    assert caught.value.problems == [
        Problem(data_copy / "members.yaml", line, "3064011.forms.locative", "missing field")
    ]
