"""SHACL property paths: read from a shapes or report graph, shown in SPARQL syntax, written back."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from civicgraph.shacl.unsupported import UnsupportedShapes


@dataclass(frozen=True)
class PredicatePath:
    iri: str


@dataclass(frozen=True)
class InversePath:
    path: Path


@dataclass(frozen=True)
class SequencePath:
    steps: tuple[Path, ...]


@dataclass(frozen=True)
class AlternativePath:
    choices: tuple[Path, ...]


@dataclass(frozen=True)
class RepeatPath:
    """sh:zeroOrMorePath (``*``), sh:oneOrMorePath (``+``) or sh:zeroOrOnePath (``?``): read and shown, not run."""

    path: Path
    operator: str


Path = PredicatePath | InversePath | SequencePath | AlternativePath | RepeatPath
REPEATS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def read_path(graph: Graph, node: Node) -> Path:
    """The SHACL property path at ``node`` (of a shapes graph, or of a report graph's sh:resultPath)."""
    if isinstance(node, URIRef):
        return PredicatePath(str(node))
    if not isinstance(node, BNode):
        raise UnsupportedShapes(f"{node.n3()} is not a SHACL property path")
    if graph.value(node, RDF.first) is not None:
        return SequencePath(tuple(read_path(graph, step) for step in RdfList(graph, node)))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InversePath(read_path(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(tuple(read_path(graph, choice) for choice in RdfList(graph, alternatives)))
    for predicate, operator in REPEATS.items():
        repeated = graph.value(node, predicate)
        if repeated is not None:
            return RepeatPath(read_path(graph, repeated), operator)
    raise UnsupportedShapes(f"{node.n3()} is not a SHACL property path")


def path_text(path: Path) -> str:
    """A path in SPARQL property-path syntax; a single predicate is just its IRI (as reports have always shown it).

    ``^<p>`` inverse, ``<p>/<q>`` sequence, ``<p>|<q>`` alternative, ``<p>*`` … — the same text for both engines,
    where pyshacl's report used to show a blank node with a random label.
    """
    if isinstance(path, PredicatePath):
        return path.iri
    return _path_sparql(path, nested=False)


def _path_sparql(path: Path, nested: bool) -> str:
    if isinstance(path, PredicatePath):
        return f"<{path.iri}>"
    if isinstance(path, InversePath):
        return "^" + _path_sparql(path.path, nested=True)
    if isinstance(path, RepeatPath):
        return _path_sparql(path.path, nested=True) + path.operator
    parts, separator = (path.steps, "/") if isinstance(path, SequencePath) else (path.choices, "|")
    text = separator.join(_path_sparql(part, nested=True) for part in parts)
    return f"({text})" if nested else text


def add_path(graph: Graph, path: Path, label: str) -> Node:
    """Write ``path`` into ``graph`` as SHACL (a report's sh:resultPath) and return its node; the blank nodes
    it needs are labelled ``label``, ``label-1`` … so that the same report is always the same graph."""
    labels = (f"{label}-{n}" if n else label for n in itertools.count())
    return _add_path(graph, path, lambda: BNode(next(labels)))


def _add_path(graph: Graph, path: Path, new_node: Callable[[], BNode]) -> Node:
    if isinstance(path, PredicatePath):
        return URIRef(path.iri)
    node = new_node()
    if isinstance(path, SequencePath):
        steps = [_add_path(graph, step, new_node) for step in path.steps]
        _add_list(graph, node, steps, new_node)
    elif isinstance(path, InversePath):
        graph.add((node, SH.inversePath, _add_path(graph, path.path, new_node)))
    elif isinstance(path, AlternativePath):
        choices = [_add_path(graph, choice, new_node) for choice in path.choices]
        head = new_node()
        _add_list(graph, head, choices, new_node)
        graph.add((node, SH.alternativePath, head))
    else:
        operator = {text: predicate for predicate, text in REPEATS.items()}[path.operator]
        graph.add((node, operator, _add_path(graph, path.path, new_node)))
    return node


def _add_list(graph: Graph, head: BNode, members: list[Node], new_node: Callable[[], BNode]) -> None:
    """An RDF list (rdf:first/rdf:rest) starting at ``head`` (rdflib's Collection labels its cells at random)."""
    cell: Node = head
    for index, member in enumerate(members):
        rest: Node = new_node() if index + 1 < len(members) else RDF.nil
        graph.add((cell, RDF.first, member))
        graph.add((cell, RDF.rest, rest))
        cell = rest


def path_predicates(path: Path) -> Iterator[str]:
    if isinstance(path, PredicatePath):
        yield path.iri
    elif isinstance(path, InversePath | RepeatPath):
        yield from path_predicates(path.path)
    else:
        for part in path.steps if isinstance(path, SequencePath) else path.choices:
            yield from path_predicates(part)
