"""A SHACL Core engine for civicgraph's shapes that follows the specifications, in time linear in the graph.

pyshacl evaluates every shape node by node through rdflib look-ups: six minutes on a national graph of a million
triples, growing faster than the graph. This engine compiles the shapes graph once into Python objects and checks
them against an index of the data built in one pass over the triples (predicate → subject → objects, and the
reverse where a shape needs it). A targeted shape is checked over all its focus nodes at once; a helper shape
(sh:node, sh:or, sh:xone, sh:qualifiedValueShape) is checked once per distinct node and remembered, so the many
activities that point to the same concept cost one check of that concept.

Only the SHACL Core subset that civicgraph's shapes use is implemented (``SHAPE_PARAMETERS``). Any other SHACL
construct — a parameter, path kind, target or declaration, a datatype whose lexical space is not implemented, a
pattern that is not an XPath regular expression — stops compilation with ``UnsupportedShapes`` naming the shape and
the term, so that a shape edit can never pass unchecked.

Where SHACL defers to another standard, this engine follows that standard, not one engine's reading of it:

* sh:datatype: a literal is well-typed when its lexical form, as written, is in the XSD 1.1 lexical space of its
  datatype (``civicgraph.shacl.xsd``): ``"1E3"^^xsd:decimal`` and ``"23"^^xsd:gYear`` are ill-typed;
* sh:pattern and sh:flags: XPath's fn:matches (``civicgraph.shacl.regex``): ``$`` is the end of the string;
* sh:minInclusive, sh:lessThan: SPARQL's operators — an IRI, a blank node or an ill-typed literal cannot be
  compared, and that is a result (SHACL 4.3, 4.5);
* sh:languageIn: SPARQL's langMatches; nested shapes conform when they give no result of any severity (SHACL 2.3);
* in RDF 1.1 ``"x"`` and ``"x"^^xsd:string`` are the same literal, and so they are here (the engine reads Oxigraph
  terms).

pyshacl departs from these in named places (rdflib's Python reading of literals, Python's regular expressions, IRIs
compared as strings, a blank node under sh:lessThan stopping the validation, nested warnings passing under
allow_warnings) and Apache Jena in others (whitespace collapsed before the lexical check, Java's regular
expressions, XSD 1.0's anyURI): docs/validation.md lists them, and tests/shacl/test_three_engines.py keeps the
list true. Elsewhere the results are pyshacl's and Jena's, field for field."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef

from civicgraph.graph.terms import Lit, PlainTriple, Term
from civicgraph.shacl.compare import ORDERED_NUMBERS, xsd_number
from civicgraph.shacl.index import EMPTY, DataIndex, Neighbours, Values
from civicgraph.shacl.paths import AlternativePath, InversePath, Path, PredicatePath, SequencePath
from civicgraph.shacl.shapes import (
    Check,
    CompiledShapes,
    Finding,
    Shape,
    Test,
    remembered,
)
from civicgraph.shacl.terms import term_to_rdflib
from civicgraph.util import parallel
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.iris import RDF_TYPE


@dataclass
class _Bound:
    """A shape bound to one data index: its value nodes, tests and checks as plain closures."""

    values: Callable[[Term], Values]
    objects: Neighbours | None  # for a single-predicate path: its index, looked up directly in the hot loop
    counts: list[tuple[URIRef, int, float]]  # (component, fewest, most) value nodes
    tests: list[tuple[URIRef, Test]]
    checks: list[tuple[URIRef, Check]]


class Run:
    """One validation of one data index against compiled shapes, remembering what it learns about nodes."""

    def __init__(self, shapes: CompiledShapes, index: DataIndex) -> None:
        self.shapes = shapes
        self.index = index
        self._bound: dict[int, _Bound] = {}
        self._passes: dict[int, Test] = {}
        self._instances: dict[Term, frozenset[Term]] = {}
        self._literals: dict[Lit, Literal] = {}
        self._numbers: dict[Lit, int | Decimal | None] = {}

    def close(self) -> None:
        """Drop the bound closures: they refer back to the run, a cycle that would keep the index alive until the
        cyclic garbage collector next runs a full collection."""
        self._bound.clear()
        self._passes.clear()

    def findings(self, work: Sequence[tuple[Shape, list[Term]]]) -> list[Finding]:
        """The results of the shapes of ``work``, each on the focus nodes given with it."""
        found: list[Finding] = []
        for shape, focus_nodes in work:
            found.extend(self.validate(shape, focus_nodes))
        return found

    def focus_nodes(self, shape: Shape) -> list[Term]:
        nodes: dict[Term, None] = {}
        if shape.target_classes:
            instances = self.index.subjects(RDF_TYPE)
            for cls in shape.target_classes:
                for subclass in self.index.subclasses(cls):
                    nodes.update(dict.fromkeys(instances.get(subclass, EMPTY)))
        for predicate in shape.target_subjects_of:
            nodes.update(dict.fromkeys(self.index.objects(predicate)))
        for predicate in shape.target_objects_of:
            nodes.update(dict.fromkeys(self.index.subjects(predicate)))
        return list(nodes)

    def validate(self, shape: Shape, focus_nodes: Sequence[Term]) -> list[Finding]:
        """The results of ``shape`` for each focus node, and those of its property shapes (sh:property).

        Set at a time: each constraint runs over all the focus nodes in one tight loop.
        """
        if shape.deactivated or not focus_nodes:
            return []
        if shape.path is None:
            return self._validate_node_shape(shape, focus_nodes)
        return self._validate_property_shape(shape, focus_nodes)

    # Both loops below first ask, in one pass at C speed (map, all, any, min, max), whether every focus node
    # passes a constraint, as in valid data nearly all do, and only then look for the ones that do not. Tests and
    # checks are pure functions of their arguments, so asking twice gives the same answers.

    def _validate_node_shape(self, shape: Shape, focus_nodes: Sequence[Term]) -> list[Finding]:
        bound = self.bind(shape)
        found: list[Finding] = []
        for component, test in bound.tests:  # the only value node of a node shape is the focus node itself
            if not all(map(test, focus_nodes)):
                found += [Finding(focus, shape, component, focus) for focus in focus_nodes if not test(focus)]
        if bound.checks:
            alone = [(focus,) for focus in focus_nodes]
            for component, check in bound.checks:
                if any(map(check, focus_nodes, alone)):
                    for focus in focus_nodes:
                        found += [Finding(focus, shape, component, value) for value in check(focus, (focus,))]
        for nested in shape.properties:
            found.extend(self.validate(nested, focus_nodes))
        return found

    def _validate_property_shape(self, shape: Shape, focus_nodes: Sequence[Term]) -> list[Finding]:
        bound = self.bind(shape)
        values_of_each: list[Values]
        if bound.objects is not None:
            values_of_each = list(map(bound.objects.get, focus_nodes, itertools.repeat(EMPTY)))
        else:
            values_of_each = list(map(bound.values, focus_nodes))
        found: list[Finding] = []
        if bound.counts:
            counts = list(map(len, values_of_each))
            least, most_found = min(counts), max(counts)
            for component, fewest, most in bound.counts:
                if not fewest <= least <= most_found <= most:
                    found += [
                        Finding(f, shape, component, None)
                        for f, n in zip(focus_nodes, counts, strict=True)
                        if not fewest <= n <= most
                    ]
        if bound.tests:
            every_value = list(itertools.chain.from_iterable(values_of_each))
            for component, test in bound.tests:
                if not all(map(test, every_value)):
                    for focus, values in zip(focus_nodes, values_of_each, strict=True):
                        found += [Finding(focus, shape, component, value) for value in values if not test(value)]
        for component, check in bound.checks:
            if any(map(check, focus_nodes, values_of_each)):
                for focus, values in zip(focus_nodes, values_of_each, strict=True):
                    found += [Finding(focus, shape, component, result) for result in check(focus, values)]
        for nested in shape.properties:
            for values in values_of_each:  # pyshacl validates it once per focus node's value nodes
                found.extend(self.validate(nested, values))
        return found

    def passes(self, shape: Shape) -> Test:
        """Whether a node conforms to ``shape`` nested in another shape's constraint (sh:node, sh:or, …).

        SHACL 2.3: a node conforms to a shape when validating it against the shape gives no result, whatever the
        results' severity (pyshacl run with allow_warnings lets a nested sh:Warning shape conform inside sh:or,
        sh:xone and sh:qualifiedValueShape: docs/validation.md). The answer is remembered per node.
        """
        known = self._passes.get(id(shape))
        if known is None:
            known = self._passes[id(shape)] = _always if shape.deactivated else self._passing(shape)
        return known

    def _passing(self, shape: Shape) -> Test:
        bound = self.bind(shape)
        values_of = bound.values
        counts = [(fewest, most) for _component, fewest, most in bound.counts]
        tests = [test for _component, test in bound.tests]
        checks = [check for _component, check in bound.checks]
        nested = [self.passes(member) for member in shape.properties]

        def passing(node: Term) -> bool:
            values = values_of(node)
            for fewest, most in counts:
                if not fewest <= len(values) <= most:
                    return False
            for test in tests:
                for value in values:
                    if not test(value):
                        return False
            for check in checks:
                if check(node, values):
                    return False
            for member in nested:
                for value in values:
                    if not member(value):
                        return False
            return True

        if shape.path is None and not counts and not checks and not nested and len(tests) == 1:
            return tests[0]  # e.g. cgsh:PolishText, a single sh:languageIn: nothing worth remembering
        return remembered(passing)

    def bind(self, shape: Shape) -> _Bound:
        bound = self._bound.get(id(shape))
        if bound is None:
            counts: list[tuple[URIRef, int, float]] = []
            tests: list[tuple[URIRef, Test]] = []
            checks: list[tuple[URIRef, Check]] = []
            for constraint in shape.constraints:
                count_range, test = constraint.count_range(), constraint.test(self, shape)
                if count_range is not None:
                    counts.append((constraint.component, *count_range))
                elif test is not None:
                    tests.append((constraint.component, test))
                else:
                    check = constraint.check(self, shape)
                    assert check is not None, f"{type(constraint).__name__} binds to nothing"
                    checks.append((constraint.component, check))
            values = (lambda node: (node,)) if shape.path is None else self.path(shape.path)
            objects = self.index.objects(shape.path.iri) if isinstance(shape.path, PredicatePath) else None
            bound = self._bound[id(shape)] = _Bound(values, objects, counts, tests, checks)
        return bound

    def path(self, path: Path) -> Callable[[Term], Values]:
        if isinstance(path, PredicatePath):
            return _lookup(self.index.objects(path.iri))
        if isinstance(path, InversePath):
            assert isinstance(path.path, PredicatePath)  # checked when the shapes were compiled
            return _lookup(self.index.subjects(path.path.iri))
        if isinstance(path, SequencePath):
            steps = [self.path(step) for step in path.steps]

            def follow(node: Term) -> Values:
                reached: Values = (node,)
                for step in steps:
                    reached = list(dict.fromkeys(value for at in reached for value in step(at)))
                return reached

            return follow
        assert isinstance(path, AlternativePath)  # repeat paths are refused when the shapes are compiled
        choices = [self.path(choice) for choice in path.choices]
        return lambda node: list(dict.fromkeys(value for choice in choices for value in choice(node)))

    def instances(self, cls: Term) -> frozenset[Term]:
        """The nodes of class ``cls``: rdf:type/rdfs:subClassOf* ``cls``, as pyshacl follows it (a literal is never
        one: it has no rdf:type)."""
        known = self._instances.get(cls)
        if known is None:
            of_class = self.index.subjects(RDF_TYPE)
            classes = self.index.subclasses(cls)
            known = self._instances[cls] = frozenset(
                itertools.chain.from_iterable(of_class.get(c, EMPTY) for c in classes)
            )
        return known

    def number(self, literal: Lit) -> int | Decimal | None:
        """The value of a well-typed xsd:integer or xsd:decimal literal (see ``xsd_number``), else None."""
        if literal.datatype not in ORDERED_NUMBERS:
            return None
        try:
            return self._numbers[literal]
        except KeyError:
            number = self._numbers[literal] = xsd_number(literal)
            return number

    def rdflib_literal(self, literal: Lit) -> Literal:
        """The literal as rdflib reads it, for what pyshacl decides with rdflib: ill-typed forms, values, order."""
        known = self._literals.get(literal)
        if known is None:
            converted = term_to_rdflib(literal)
            assert isinstance(converted, Literal)
            known = self._literals[literal] = converted
        return known


def _always(_node: Term) -> bool:
    return True


def _lookup(neighbours: Neighbours) -> Callable[[Term], Values]:
    get = neighbours.get
    return lambda node: get(node, EMPTY)


def validate(
    triples: Iterable[PlainTriple], shapes: CompiledShapes, only: Collection[Term] | None = None
) -> list[Finding]:
    """Validate the data triples (plain terms, IRIs interned: :mod:`civicgraph.graph.terms`) against compiled shapes:
    every result, in no particular order; ``only``: the results of these focus nodes alone (given the triples their
    validation reads, :mod:`civicgraph.shacl.scoped`).

    A large graph is validated by two processes against the same index (a forked child sees the parent's), each
    taking the next piece of work (a shape and a run of its focus nodes) as it finishes one; the results are the
    same as from one.
    """
    with paused_cycle_collector():
        run = Run(shapes, DataIndex(triples, shapes.predicates))
        try:
            work = [(shape, run.focus_nodes(shape)) for shape in shapes.targeted]
            if only is not None:
                work = [(shape, [node for node in nodes if node in only]) for shape, nodes in work]
            if parallel.workers() < 2 or sum(len(nodes) for _shape, nodes in work) < PARALLEL_MINIMUM:
                return run.findings(work)
            pieces = _pieces(work)
            dealer = parallel.Dealer()

            def our_share() -> list[Finding]:
                found: list[Finding] = []
                while (number := dealer.deal()) < len(pieces):
                    found += run.findings([pieces[number]])
                return found

            with parallel.forked(lambda channel: channel.send(sendable(shapes, our_share()))) as channel:
                found = our_share()
                return found + received(shapes, channel.recv())
        finally:
            run.close()


# Focus nodes (summed over the targeted shapes) from which two processes validate faster than one. Measured on
# synthetic data: at 5,000 (10 times Poznań) a fork costs more than it saves; at 48,000 (100 times) two processes
# checked them in 0.20 s against one's 0.28 s; at 283,000 (national) in 1.6 s against 2.6 s.
PARALLEL_MINIMUM = 20_000
# Focus nodes of one shape per piece of work the two processes deal out: a few hundred pieces at national size.
PIECE = 2_000


def _pieces(work: list[tuple[Shape, list[Term]]]) -> list[tuple[Shape, list[Term]]]:
    """The work cut into pieces: each shape with a run of at most PIECE of its focus nodes.

    The results of a shape for one focus node never depend on its other focus nodes (SHACL Core has no constraint
    across focus nodes), so the pieces, however shared, give exactly the results of the whole. Runs, not every
    other node: the index holds the nodes in the order of the triples, so a piece reads one part of memory.
    """
    return [(shape, nodes[start : start + PIECE]) for shape, nodes in work for start in range(0, len(nodes), PIECE)]


# A finding as the child sends it, and as a validation keeps it for the next (:mod:`civicgraph.shacl.scoped`): the
# shape by its place in CompiledShapes.shapes (the child's shapes are the parent's, forked; the next validation's
# are compiled by the same code from the same shapes), the terms as they are.
SentFinding = tuple[int, Term, URIRef, Term | None]


def sendable(shapes: CompiledShapes, findings: list[Finding]) -> list[SentFinding]:
    place = {id(shape): number for number, shape in enumerate(shapes.shapes)}
    return [(place[id(f.shape)], f.focus, f.component, f.value) for f in findings]


def received(shapes: CompiledShapes, sent: list[SentFinding]) -> list[Finding]:
    return [Finding(focus, shapes.shapes[number], component, value) for number, focus, component, value in sent]
