"""Where the package finds its first-class files: ontology, shapes and queries.

In a source checkout they are the top-level folders ``ontology/``, ``shapes/`` and ``queries/``; an installed
wheel carries the same files inside the package (``civicgraph/_files/``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/civicgraph (this module is in its util/)


@cache
def resource_dir(name: str) -> Path:
    """The folder ``name`` (``ontology``, ``shapes`` or ``queries``)."""
    for candidate in (_PACKAGE_DIR / "_files" / name, _PACKAGE_DIR.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"civicgraph's {name}/ folder is missing from this installation")


def ontology_file() -> Path:
    return resource_dir("ontology") / "civicgraph.ttl"


def vocabularies_file() -> Path:
    return resource_dir("ontology") / "vocabularies.ttl"


def shapes_files() -> list[Path]:
    return sorted(resource_dir("shapes").glob("*.ttl"))
