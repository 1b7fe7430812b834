"""Problems compared with their message in both languages (``Problem`` equality looks at the English only)."""

from __future__ import annotations

from pathlib import Path

from civicgraph.util.errors import Problem


def stated(problems: list[Problem]) -> list[tuple[Path, int | None, str, str, str | None]]:
    """Each problem as file, line, field, English and Polish message."""
    return [(p.file, p.line, p.field, p.message, p.polish) for p in problems]
