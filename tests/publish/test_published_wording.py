"""Published data speaks of the data: no wording about how the software was made (a tracker's issue number, a
to-do note) in any file of a release — the graph, the catalogues, the tables, the site."""

from __future__ import annotations

import re
from pathlib import Path

# What talk of the making looks like in text: "issue 5", "(issue #12)", "ticket 3", "TODO", "FIXME".
MAKING = re.compile(r"\b(issue|ticket)\s*#?\d+|\bTODO\b|\bFIXME\b", re.IGNORECASE)


def test_no_file_of_a_release_speaks_of_how_the_software_was_made(dist: Path) -> None:
    found = []
    for path in sorted(dist.rglob("*")):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path.relative_to(dist)}: {match.group()!r}" for match in MAKING.finditer(text)]
    assert found == []


def test_the_pattern_finds_what_was_published_before() -> None:
    """The wording the release carried until it was removed (dct:creator of Poznań's Wikidata check)."""
    assert MAKING.search('dct:creator "civicgraph maintainers (issue 5)" ;') is not None
    assert MAKING.search("A training session, course or workshop") is None
