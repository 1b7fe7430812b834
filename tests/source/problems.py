"""Problems of a data folder: edits that make them, the problems read, and the problems compared with their message
in both languages (``Problem`` equality looks at the English only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.source.reader import read_dataset
from civicgraph.util.errors import InputError, Problem


def edit_once(path: Path, old: str, new: str) -> int:
    """Replace ``old``, which must occur once in the file, by ``new``; the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def problems_of(data: Path) -> list[Problem]:
    """The problems reading the data folder raises (it must raise them)."""
    with pytest.raises(InputError) as caught:
        read_dataset(data)
    return caught.value.problems


def stated(problems: list[Problem]) -> list[tuple[Path, int | None, str, str, str | None]]:
    """Each problem as file, line, field, English and Polish message."""
    return [(p.file, p.line, p.field, p.message, p.polish) for p in problems]
