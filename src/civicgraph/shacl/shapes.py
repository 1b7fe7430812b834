"""Compiled shapes and the interface of their constraint components."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH

from civicgraph.graph.terms import Lit, Term
from civicgraph.shacl.index import DataIndex, Values
from civicgraph.shacl.paths import Path
from civicgraph.shacl.unsupported import UnsupportedShapes

VIOLATION, WARNING, INFO = SH.Violation, SH.Warning, SH.Info
SEVERITIES = (VIOLATION, WARNING, INFO)
# A test of one value node: whether it satisfies a constraint (one result per value node that does not).
Test = Callable[[Term], bool]
# A check of one focus node given its value nodes: one entry per validation result (the result's sh:value, or
# None for a result without one).
Check = Callable[[Term, Values], Sequence[Term | None]]
NO_RESULTS: tuple[Term | None, ...] = ()


class Run(Protocol):
    """What a constraint component asks of the validation it is bound to (:class:`civicgraph.shacl.engine.Run`)."""

    index: DataIndex

    def passes(self, shape: Shape) -> Test: ...

    def instances(self, cls: Term) -> frozenset[Term]: ...

    def number(self, literal: Lit) -> int | Decimal | None: ...

    def rdflib_literal(self, literal: Lit) -> Literal: ...


class Constraint:
    """One constraint component of a shape. Bound to a data index it is a ``test`` (of each value node on its
    own), a ``check`` (of all the value nodes of a focus node together) or, for sh:minCount and sh:maxCount, a
    ``count_range`` the number of value nodes must lie in (the commonest constraint, checked inline)."""

    component: URIRef  # the sh:sourceConstraintComponent of its results

    def test(self, run: Run, shape: Shape) -> Test | None:
        return None

    def check(self, run: Run, shape: Shape) -> Check | None:
        return None

    def count_range(self) -> tuple[int, float] | None:
        return None

    def predicates(self) -> Iterator[str]:
        """The data predicates it reads (besides the shape's path)."""
        return iter(())


@dataclass(eq=False)
class Shape:
    node: URIRef | BNode
    path: Path | None  # None for a node shape
    severity: URIRef
    messages: tuple[Literal, ...]
    deactivated: bool
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)  # sh:property
    target_classes: list[Term] = field(default_factory=list)
    target_subjects_of: list[str] = field(default_factory=list)
    target_objects_of: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.node) if isinstance(self.node, URIRef) else self.node.n3()

    @property
    def targeted(self) -> bool:
        return bool(self.target_classes or self.target_subjects_of or self.target_objects_of)


@dataclass(frozen=True)
class Finding:
    """One validation result; its shape gives the path, severity and messages."""

    focus: Term
    shape: Shape
    component: URIRef
    value: Term | None


@dataclass
class CompiledShapes:
    shapes: list[Shape]  # every shape, targeted ones first, in a stable order
    predicates: frozenset[str]  # every data predicate a path, target or constraint reads

    @property
    def targeted(self) -> list[Shape]:
        return [shape for shape in self.shapes if shape.targeted]


def unsupported(shape: Shape, text: str) -> UnsupportedShapes:
    return UnsupportedShapes(f"SHACL shape {shape.name}: {text}")


def remembered(test: Test) -> Test:
    """``test`` with its answer kept per node, for nodes many focus nodes share (classes, concepts)."""
    known: dict[Term, bool] = {}

    def remembered(value: Term) -> bool:
        answer = known.get(value)
        if answer is None:
            answer = known[value] = test(value)
        return answer

    return remembered
