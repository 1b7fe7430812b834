"""Logical constraint components (SHACL 4.6): sh:or, sh:xone."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.namespace import SH

from civicgraph.shacl.shapes import Constraint, Run, Shape, Test


@dataclass
class OrConstraint(Constraint):
    members: list[Shape]
    component = SH.OrConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        members = [run.passes(member) for member in self.members]
        return lambda value: any(conforms(value) for conforms in members)


@dataclass
class XoneConstraint(Constraint):
    members: list[Shape]
    component = SH.XoneConstraintComponent

    def test(self, run: Run, shape: Shape) -> Test:
        members = [run.passes(member) for member in self.members]
        return lambda value: sum(conforms(value) for conforms in members) == 1
