"""Cardinality constraint components (SHACL 4.2): sh:minCount, sh:maxCount, checked inline by the engine."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib.namespace import SH

from civicgraph.shacl.shapes import Constraint

if TYPE_CHECKING:
    pass


@dataclass
class MinCountConstraint(Constraint):
    minimum: int
    component = SH.MinCountConstraintComponent

    def count_range(self) -> tuple[int, float]:
        return self.minimum, math.inf


@dataclass
class MaxCountConstraint(Constraint):
    maximum: int
    component = SH.MaxCountConstraintComponent

    def count_range(self) -> tuple[int, float]:
        return 0, self.maximum
