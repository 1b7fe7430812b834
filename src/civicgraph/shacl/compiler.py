"""Compiling a shapes graph into :class:`~civicgraph.shacl.shapes.Shape` objects.

Anything outside the implemented subset of SHACL Core is refused, naming the shape and the term."""

from __future__ import annotations

from collections.abc import Collection

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from civicgraph.shacl.constraints.cardinality import MaxCountConstraint, MinCountConstraint
from civicgraph.shacl.constraints.logical import OrConstraint, XoneConstraint
from civicgraph.shacl.constraints.other import HasValueConstraint, InConstraint
from civicgraph.shacl.constraints.property_pair import EqualsConstraint, LessThanConstraint
from civicgraph.shacl.constraints.shape_based import NodeConstraint, QualifiedCountConstraint
from civicgraph.shacl.constraints.string_based import (
    LanguageInConstraint,
    MinLengthConstraint,
    PatternConstraint,
    UniqueLangConstraint,
)
from civicgraph.shacl.constraints.value_range import MinInclusiveConstraint
from civicgraph.shacl.constraints.value_type import NODE_KINDS, ClassConstraint, DatatypeConstraint, NodeKindConstraint
from civicgraph.shacl.index import SUBCLASS_OF
from civicgraph.shacl.paths import (
    REPEATS,
    AlternativePath,
    InversePath,
    Path,
    PredicatePath,
    RepeatPath,
    SequencePath,
    path_predicates,
    path_text,
    read_path,
)
from civicgraph.shacl.regex import InvalidPattern, compile_pattern
from civicgraph.shacl.shapes import (
    SEVERITIES,
    CompiledShapes,
    Constraint,
    Shape,
    unsupported,
)
from civicgraph.shacl.terms import term_from_rdflib
from civicgraph.shacl.unsupported import UnsupportedShapes
from civicgraph.shacl.xsd import WELL_TYPED
from civicgraph.util.iris import RDF_TYPE

_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
# Parameters of a shape that produce no result of their own.
_DESCRIPTIVE = (SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message, SH.severity)
_STRUCTURE = (SH.path, SH.property, SH.deactivated, *_TARGETS, *_DESCRIPTIVE)
# The constraint parameters this engine implements, with their compilers below.
_CONSTRAINT_PARAMETERS = (
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minInclusive, SH.minLength, SH.pattern,
    SH.flags, SH.languageIn, SH.uniqueLang, SH["in"], SH.hasValue, SH.equals, SH.lessThan, SH.lessThanOrEquals,
    SH.node, SH["or"], SH.xone, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
)  # fmt: skip
SHAPE_PARAMETERS = frozenset((*_STRUCTURE, *_CONSTRAINT_PARAMETERS))
# SHACL terms that may appear on nodes other than shapes: the structure of property paths.
_PATH_PARAMETERS = frozenset((SH.inversePath, SH.alternativePath, *REPEATS))
_WHOLE_INTEGERS = {
    XSD.integer, XSD.int, XSD.long, XSD.negativeInteger, XSD.nonNegativeInteger, XSD.nonPositiveInteger,
    XSD.positiveInteger, XSD.short, XSD.unsignedByte, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
}  # fmt: skip


def compile_shapes(graph: Graph) -> CompiledShapes:
    """Compile every shape of ``graph``; raises UnsupportedShapes for anything outside the implemented subset."""
    return _Compiler(graph).run()


class _Compiler:
    """Finds the shapes of a shapes graph as pyshacl does, refuses what this engine does not implement, and turns
    each shape into a ``Shape`` with its constraints (shared shapes compiled once, cycles refused)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.compiled: dict[Node, Shape] = {}
        self.compiling: list[Node] = []

    def run(self) -> CompiledShapes:
        nodes = self.shape_nodes()
        self.refuse_unknown_terms(nodes)
        for node in sorted(nodes, key=_node_order):
            self.shape(node)
        shapes = sorted(self.compiled.values(), key=lambda s: (not s.targeted, _node_order(s.node)))
        self.require_messages(shapes)
        predicates: set[str] = {RDF_TYPE, SUBCLASS_OF}
        for shape in shapes:
            if shape.path is not None:
                predicates.update(path_predicates(shape.path))
            predicates.update(shape.target_subjects_of)
            predicates.update(shape.target_objects_of)
            for constraint in shape.constraints:
                predicates.update(constraint.predicates())
        return CompiledShapes(shapes, frozenset(predicates))

    def shape_nodes(self) -> set[Node]:
        """What pyshacl treats as shapes: declared ones, subjects of targets and sh:property / sh:node, and values
        of the shape-expecting parameters."""
        g = self.graph
        nodes: set[Node] = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        for parameter in (*_TARGETS, SH.targetNode, SH.property, SH.node):
            nodes.update(g.subjects(parameter, None))
        for parameter in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
            nodes.update(g.objects(None, parameter))
        for parameter in (SH["and"], SH["or"], SH.xone):
            for members in g.objects(None, parameter):
                nodes.update(RdfList(g, members))
        return nodes

    def refuse_unknown_terms(self, shapes: set[Node]) -> None:
        """Every SHACL term of the graph must be one this engine implements, where it implements it."""
        for subject, predicate, obj in sorted(self.graph, key=lambda triple: tuple(map(_node_order, triple))):
            if predicate == RDF.type and str(obj).startswith(str(SH)) and obj not in (SH.NodeShape, SH.PropertyShape):
                raise UnsupportedShapes(f"{subject.n3()} is a {obj.n3()}: not implemented by civicgraph's engine")
            if not str(predicate).startswith(str(SH)) or predicate in _PATH_PARAMETERS:
                continue
            if subject not in shapes:
                raise UnsupportedShapes(f"{subject.n3()} uses {predicate.n3()} but is not a shape")
            if predicate not in SHAPE_PARAMETERS:
                raise UnsupportedShapes(
                    f"SHACL shape {_name(subject)}: {predicate.n3()} is not implemented by civicgraph's SHACL engine"
                    " (validate with --engine pyshacl, or implement it in civicgraph.shacl.engine)"
                )

    def shape(self, node: Node) -> Shape:
        compiled = self.compiled.get(node)
        if compiled is not None:
            return compiled
        if node in self.compiling:
            cycle = " → ".join(_name(n) for n in [*self.compiling[self.compiling.index(node) :], node])
            raise UnsupportedShapes(f"recursive shapes are not supported: {cycle}")
        if not isinstance(node, URIRef | BNode):
            raise UnsupportedShapes(f"{node.n3()} is used as a shape but is a literal")
        self.compiling.append(node)
        try:
            shape = self.new_shape(node)
            self.compiled[node] = shape
        finally:
            self.compiling.pop()
        return shape

    def new_shape(self, node: URIRef | BNode) -> Shape:
        g = self.graph
        paths = list(g.objects(node, SH.path))
        declared = set(g.objects(node, RDF.type))
        if len(paths) > 1 or (paths and SH.NodeShape in declared) or (not paths and SH.PropertyShape in declared):
            raise UnsupportedShapes(f"SHACL shape {_name(node)}: a property shape has exactly one sh:path")
        if any(t == RDFS.Class or (t, RDFS.subClassOf, RDFS.Class) in g for t in declared):
            # pyshacl targets the instances of a shape that is also a class ("implicit class target").
            raise UnsupportedShapes(f"SHACL shape {_name(node)} is a class: implicit class targets are not implemented")
        shape = Shape(
            node=node,
            path=read_path(g, paths[0]) if paths else None,
            severity=self.severity(node),
            messages=tuple(sorted((m for m in g.objects(node, SH.message) if isinstance(m, Literal)), key=_node_order)),
            deactivated=self.flag(node, SH.deactivated),
            target_classes=[term_from_rdflib(c) for c in sorted(g.objects(node, SH.targetClass), key=_node_order)],
            target_subjects_of=self.iris(node, SH.targetSubjectsOf),
            target_objects_of=self.iris(node, SH.targetObjectsOf),
        )
        if shape.path is not None:
            self.check_path(shape, shape.path)
        shape.constraints = self.constraints(shape)
        for member in sorted(g.objects(node, SH.property), key=_node_order):
            nested = self.shape(member)
            if nested.path is None:
                raise unsupported(shape, f"sh:property {_name(member)} is not a property shape (it has no sh:path)")
            shape.properties.append(nested)
        return shape

    def check_path(self, shape: Shape, path: Path) -> None:
        if isinstance(path, RepeatPath):
            raise unsupported(shape, f"the path {path_text(path)} is not implemented (sh:zeroOrMorePath and the like)")
        if isinstance(path, InversePath) and not isinstance(path.path, PredicatePath):
            raise unsupported(
                shape, f"the path {path_text(path)}: only the inverse of a single predicate is implemented"
            )
        if isinstance(path, SequencePath | AlternativePath):
            parts = path.steps if isinstance(path, SequencePath) else path.choices
            if len(parts) < 2:
                raise unsupported(shape, f"the path {path_text(path)} needs at least two members")
            for part in parts:
                self.check_path(shape, part)

    def severity(self, node: Node) -> URIRef:
        severities = list(self.graph.objects(node, SH.severity))
        if not severities:
            return SH.Violation
        if len(severities) > 1 or severities[0] not in SEVERITIES:
            raise UnsupportedShapes(f"SHACL shape {_name(node)}: one sh:severity of sh:Violation, sh:Warning, sh:Info")
        return URIRef(str(severities[0]))

    def flag(self, node: Node, parameter: URIRef) -> bool:
        values = list(self.graph.objects(node, parameter))
        if not values:
            return False
        if len(values) > 1 or not isinstance(values[0], Literal) or not isinstance(values[0].value, bool):
            raise UnsupportedShapes(f"SHACL shape {_name(node)}: {parameter.n3()} takes one boolean")
        return bool(values[0].value)

    def iris(self, node: Node, parameter: URIRef) -> list[str]:
        values = sorted(self.graph.objects(node, parameter), key=_node_order)
        if not all(isinstance(value, URIRef) for value in values):
            raise UnsupportedShapes(f"SHACL shape {_name(node)}: {parameter.n3()} takes IRIs")
        return [str(value) for value in values]

    def constraints(self, shape: Shape) -> list[Constraint]:
        g, node = self.graph, shape.node
        values = {p: sorted(g.objects(node, p), key=_node_order) for p in _CONSTRAINT_PARAMETERS}
        found: list[Constraint] = []
        found += [ClassConstraint(term_from_rdflib(c)) for c in values[SH["class"]]]
        if values[SH.datatype]:
            datatype = self.single_iri(shape, SH.datatype, values[SH.datatype])
            if str(datatype) not in WELL_TYPED:
                raise unsupported(shape, f"sh:datatype {datatype.n3()}: its lexical space is not implemented here")
            found.append(DatatypeConstraint(str(datatype)))
        if values[SH.nodeKind]:
            kind = self.single_iri(shape, SH.nodeKind, values[SH.nodeKind])
            if kind not in NODE_KINDS:
                raise unsupported(shape, f"sh:nodeKind {kind.n3()} is not a node kind")
            found.append(NodeKindConstraint(NODE_KINDS[kind]))
        if values[SH.minCount]:
            self.require_property_shape(shape, SH.minCount)
            found.append(MinCountConstraint(self.count(shape, SH.minCount, values[SH.minCount], {XSD.integer})))
        if values[SH.maxCount]:
            self.require_property_shape(shape, SH.maxCount)
            found.append(MaxCountConstraint(self.count(shape, SH.maxCount, values[SH.maxCount], {XSD.integer})))
        for minimum in values[SH.minInclusive]:
            if not isinstance(minimum, Literal):
                raise unsupported(shape, "sh:minInclusive takes a literal")
            found.append(MinInclusiveConstraint(minimum))
        if values[SH.minLength]:
            found.append(MinLengthConstraint(self.count(shape, SH.minLength, values[SH.minLength], _WHOLE_INTEGERS)))
        found += self.patterns(shape, values[SH.pattern], values[SH.flags])
        if values[SH.languageIn]:
            found.append(LanguageInConstraint(self.language_ranges(shape, values[SH.languageIn])))
        if values[SH.uniqueLang]:
            self.require_property_shape(shape, SH.uniqueLang)
            if self.flag(node, SH.uniqueLang):
                found.append(UniqueLangConstraint())
        if values[SH["in"]]:
            if len(values[SH["in"]]) > 1:
                raise unsupported(shape, "one sh:in list")
            found.append(InConstraint(frozenset(term_from_rdflib(v) for v in RdfList(g, values[SH["in"]][0]))))
        found += [HasValueConstraint(term_from_rdflib(v)) for v in values[SH.hasValue]]
        for parameter in (SH.equals, SH.lessThan, SH.lessThanOrEquals):
            for other in values[parameter]:
                if not isinstance(other, URIRef):
                    raise unsupported(shape, f"{parameter.n3()} takes a property IRI")
                if parameter == SH.equals:
                    found.append(EqualsConstraint(str(other)))
                else:
                    self.require_property_shape(shape, parameter)
                    found.append(LessThanConstraint(str(other), or_equal=parameter == SH.lessThanOrEquals))
        for nested in values[SH.node]:
            target = self.shape(nested)
            if target.path is not None:
                raise unsupported(shape, f"sh:node {_name(nested)} is a property shape")
            found.append(NodeConstraint(target))
        for members in values[SH["or"]]:
            found.append(OrConstraint(list({id(s): s for s in self.members(members)}.values())))
        found += [XoneConstraint(self.members(members)) for members in values[SH.xone]]
        found += self.qualified(shape, values)
        return found

    def require_property_shape(self, shape: Shape, parameter: URIRef) -> None:
        if shape.path is None:
            raise unsupported(shape, f"{parameter.n3()} is only allowed on a property shape")

    def single_iri(self, shape: Shape, parameter: URIRef, values: list[Node]) -> URIRef:
        if len(values) != 1 or not isinstance(values[0], URIRef):
            raise unsupported(shape, f"{parameter.n3()} takes one IRI")
        return values[0]

    def count(self, shape: Shape, parameter: URIRef, values: list[Node], datatypes: Collection[URIRef]) -> int:
        value = values[0]
        if (
            len(values) != 1
            or not isinstance(value, Literal)
            or value.datatype not in datatypes
            or value.ill_typed
            or not isinstance(value.value, int)
            or value.value < 0
        ):
            raise unsupported(shape, f"{parameter.n3()} takes one non-negative integer")
        return int(value.value)

    def patterns(self, shape: Shape, patterns: list[Node], flags: list[Node]) -> list[Constraint]:
        if flags and not patterns:
            raise unsupported(shape, "sh:flags without sh:pattern")
        if len(flags) > 1 or not all(isinstance(f, Literal) for f in flags):
            raise unsupported(shape, "at most one sh:flags literal")
        options = str(flags[0]) if flags else ""
        found: list[Constraint] = []
        for pattern in patterns:
            if not isinstance(pattern, Literal):
                raise unsupported(shape, "sh:pattern takes a literal")
            try:  # an XPath regular expression and flags (F&O 3.1 fn:matches), as SHACL 4.4.3 says
                found.append(PatternConstraint(compile_pattern(str(pattern), options)))
            except InvalidPattern as error:
                raise unsupported(shape, f"sh:pattern: {error}") from error
        return found

    def language_ranges(self, shape: Shape, lists: list[Node]) -> frozenset[str]:
        if len(lists) > 1:
            raise unsupported(shape, "one sh:languageIn list")
        ranges = list(RdfList(self.graph, lists[0]))
        if not all(isinstance(r, Literal) and isinstance(r.value, str) for r in ranges):
            raise unsupported(shape, "sh:languageIn lists string literals")
        return frozenset(str(r).lower() for r in ranges)

    def members(self, members: Node) -> list[Shape]:
        return [self.shape(member) for member in RdfList(self.graph, members)]

    def qualified(self, shape: Shape, values: dict[URIRef, list[Node]]) -> list[Constraint]:
        nested = values[SH.qualifiedValueShape]
        minimum, maximum = values[SH.qualifiedMinCount], values[SH.qualifiedMaxCount]
        if not nested:
            if minimum or maximum or values[SH.qualifiedValueShapesDisjoint]:
                raise unsupported(shape, "sh:qualifiedMinCount / sh:qualifiedMaxCount without sh:qualifiedValueShape")
            return []
        if shape.path is None:
            # pyshacl would skip it with a warning; silently skipping a constraint is what this engine never does.
            raise unsupported(shape, "sh:qualifiedValueShape is only allowed on a property shape")
        if not minimum and not maximum:
            raise unsupported(shape, "sh:qualifiedValueShape needs sh:qualifiedMinCount or sh:qualifiedMaxCount")
        for disjoint in values[SH.qualifiedValueShapesDisjoint]:
            if not (isinstance(disjoint, Literal) and disjoint.value is False):
                raise unsupported(shape, "sh:qualifiedValueShapesDisjoint true is not implemented")
        found: list[Constraint] = []
        for node in nested:
            target = self.shape(node)
            if maximum:
                bound = self.count(shape, SH.qualifiedMaxCount, maximum, _WHOLE_INTEGERS)
                found.append(QualifiedCountConstraint(target, bound, at_most=True))
            if minimum:
                bound = self.count(shape, SH.qualifiedMinCount, minimum, _WHOLE_INTEGERS)
                found.append(QualifiedCountConstraint(target, bound, at_most=False))
        return found

    def require_messages(self, shapes: list[Shape]) -> None:
        """A shape whose results reach the report must carry its own sh:message: pyshacl would otherwise write a
        generic English message from its own templates, which this engine does not reproduce."""
        reaching = [s for s in shapes if s.targeted]
        seen: set[int] = set()
        while reaching:
            shape = reaching.pop()
            if id(shape) in seen:
                continue
            seen.add(id(shape))
            if shape.constraints and not shape.messages:
                raise unsupported(shape, "its results reach the report, so it needs an sh:message")
            reaching.extend(shape.properties)


def _name(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else node.n3()


def _node_order(node: Node) -> tuple[int, str]:
    """A total order of rdflib terms (for stable compilation and error messages)."""
    return (0 if isinstance(node, URIRef) else 1 if isinstance(node, BNode) else 2, node.n3())
