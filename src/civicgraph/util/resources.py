"""Where the package finds its first-class files: ontology, shapes and queries.

In a source checkout they are the top-level folders ``ontology/``, ``shapes/`` and ``queries/``; an installed
wheel carries the same files inside the package (``civicgraph/_files/``).
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path

import pyoxigraph

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


@cache
def code_digest() -> str:
    """SHA-256 over civicgraph's own files (code, templates, ontology, shapes, vocabularies) and the versions of
    pyoxigraph and Python: what a build keeps for the next (the files it wrote, the reports it read) is never used
    by other code, even at the same version number."""
    digest = hashlib.sha256(f"pyoxigraph {pyoxigraph.__version__}\npython {sys.version}\n".encode())
    # the package, and the ontology (vocabularies, JSON-LD context) and shapes, which a checkout keeps beside it
    for folder in (_PACKAGE_DIR, resource_dir("ontology"), resource_dir("shapes")):
        files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for file in files:
            digest.update(f"{folder.name}/{file.relative_to(folder).as_posix()}\n".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
