"""The namespaces of the graph as rdflib namespaces (see docs/MODEL.md).

:mod:`civicgraph.util.iris` has them as strings."""

from __future__ import annotations

from rdflib import Namespace

from civicgraph.util import iris

CG = Namespace(iris.CG)
CGV = Namespace(iris.CGV)
CGSH = Namespace(iris.CGSH)
SCHEMA = Namespace(iris.SCHEMA)
OA = Namespace(iris.OA)
WD = Namespace(iris.WD)

# Prefixes offered to every serialization; writers emit only those a file uses (kept in util.iris as strings).
PREFIXES: dict[str, str] = iris.PREFIXES


def concept(scheme: str, notation: str) -> str:
    """IRI of a concept of one of civicgraph's SKOS schemes, e.g. ``concept("hedge", "nearly")``."""
    return f"{CGV}{scheme}/{notation}"
