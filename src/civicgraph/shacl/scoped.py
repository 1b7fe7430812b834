"""Validating a graph built into an earlier release: the focus nodes a change cannot reach keep the results the
earlier build's validation gave them, and only those it can reach are validated again.

A national publisher receives one new or corrected report at a time, and validating a national year's million
triples took 2.9–4.3 s of every build (6.6 s of work for the two cores), nearly all of it giving the same results
as before. The results of a focus node are a function of what its validation reads of the data
(:mod:`civicgraph.shacl.engine`):

- of each node a path step reaches from it (the focus node itself to begin with), the objects of a predicate, or,
  for an inverse path, the subjects of a predicate that have the node as object;
- of those nodes, their ``rdf:type`` (sh:class) and other predicates (sh:lessThan and the like), and whether they
  are focus nodes of a shape (class targets, sh:targetSubjectsOf, sh:targetObjectsOf);
- the ``rdfs:subClassOf`` triples (sh:class and class targets).

What changed is known from each subject's digest of its triples (:mod:`civicgraph.graph.subjects`): a subject
whose digest differs from the earlier build's, or that was added or is gone. So the reads that can give something
else now are those of the changed subjects, and of the objects of their triples, before and after, whose
predicate an inverse path reads. Following every path step backwards from those nodes, to a fixpoint, gives every
node whose validation may read what changed (for one report of a national year: 19 of 200,000 nodes). These, and
the objects of the changed subjects' sh:targetObjectsOf predicates (which may have become focus nodes or ceased to
be), are validated again, against what their validation reads: the triples of every node a path step reaches
from them, the triples an inverse path or a target reads from such a node as their object, and every
``rdfs:subClassOf`` triple. Every other focus node keeps its earlier results, which are what validating it again
would give. A changed ``rdfs:subClassOf`` triple changes the class of every instance: the whole graph is then
validated, as it is when more than 1 in 32 subjects changed, or when nothing fits below.

What the next build needs is kept beside the release (``.{folder}.validation``, once the release is written,
:func:`keep_validation`): a first line naming the code and the digest of the subjects' digests kept with the release
(``.{folder}.graph-digests``), and so the graph they are of; then, pickled, the results, by their shapes' places,
and the graph's triples whose predicate is read from its object, to find the objects of the changed subjects'
triples as they were. They are taken only by the same code (:func:`civicgraph.util.resources.code_digest`, which
covers the shapes), and only with the digests of the same graph; a file that does not unpickle whole, or holds
anything else, is ignored. The file is written and read only by civicgraph, beside a release of the same user, as
the blocks of the graph are (:mod:`civicgraph.graph.kept`).
"""

from __future__ import annotations

import pickle
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from pathlib import Path

from civicgraph.graph.subjects import DIGESTS_KEPT_AS, differing_subjects, digests_key, kept_digests, triples_of
from civicgraph.graph.terms import PlainTriple, Term
from civicgraph.shacl import engine
from civicgraph.shacl.index import SUBCLASS_OF
from civicgraph.shacl.paths import AlternativePath, InversePath, PredicatePath, SequencePath
from civicgraph.shacl.paths import Path as ShapePath
from civicgraph.shacl.report import ValidationReport
from civicgraph.shacl.shapes import CompiledShapes, Finding
from civicgraph.util.folders import beside, write_at_once
from civicgraph.util.resources import code_digest

KEPT_AS = "validation"  # beside the release: ``.{folder}.validation``
_FORMAT = 1  # of the kept file; another format is ignored
_PROTOCOL = pickle.HIGHEST_PROTOCOL
# More changed subjects than 1 in this many: the whole graph is validated (as the graph files are written whole).
_SCOPED_UP_TO = 32

_predicate, _object = itemgetter(1), itemgetter(2)


@dataclass(frozen=True)
class Reads:
    """The predicates civicgraph's shapes read: from a subject along a path step (``forward``), from an object
    along an inverse one (``backward``), and the sh:targetObjectsOf predicates (``targets``)."""

    forward: frozenset[str]
    backward: frozenset[str]
    targets: frozenset[str]

    @classmethod
    def of(cls, shapes: CompiledShapes) -> Reads:
        forward: set[str] = set()
        backward: set[str] = set()
        for shape in shapes.shapes:
            if shape.path is not None:
                _path_predicates(shape.path, forward, backward)
        targets = {predicate for shape in shapes.shapes for predicate in shape.target_objects_of}
        return cls(frozenset(forward), frozenset(backward), frozenset(targets))

    @property
    def from_objects(self) -> frozenset[str]:
        """The predicates whose triples a validation reads from their object (and rdfs:subClassOf's, read whole)."""
        return self.backward | self.targets | {SUBCLASS_OF}


def _path_predicates(path: ShapePath, forward: set[str], backward: set[str]) -> None:
    if isinstance(path, PredicatePath):
        forward.add(path.iri)
    elif isinstance(path, InversePath):
        _path_predicates(path.path, backward, forward)  # an inverse of an inverse reads forward again
    elif isinstance(path, SequencePath):
        for step in path.steps:
            _path_predicates(step, forward, backward)
    elif isinstance(path, AlternativePath):
        for choice in path.choices:
            _path_predicates(choice, forward, backward)
    # repeat paths are refused when the shapes are compiled


@dataclass(frozen=True)
class Earlier:
    """What the earlier build's validation kept: its results, its graph's subjects' digests as kept
    (:func:`civicgraph.graph.subjects.kept_digests`), and its triples read from their objects
    (:attr:`Reads.from_objects`), in canonical order."""

    findings: list[Finding]
    digests_kept: bytes
    from_objects: list[PlainTriple]


def kept_fits(release_folder: Path) -> bool:
    """Whether the validation kept beside the release in ``release_folder`` was kept by this code, for the graph of
    the subjects' digests kept there: from its first line and a digest of the digests (0.05 s at three national
    years), before the graph is validated."""
    try:
        with beside(release_folder, KEPT_AS).open("rb") as kept:
            first = kept.readline().rstrip(b"\n")
    except OSError:  # none kept
        return False
    return _digests_named(release_folder, first) is not None


def earlier_validation(release_folder: Path, shapes: CompiledShapes) -> Earlier | None:
    """What the build of the release in ``release_folder`` kept of its validation, when it fits (:func:`kept_fits`);
    None otherwise."""
    try:
        first, _newline, body = beside(release_folder, KEPT_AS).read_bytes().partition(b"\n")
    except OSError:  # none kept: validate the whole graph
        return None
    digests_kept = _digests_named(release_folder, first)
    if digests_kept is None:
        return None
    try:
        sent, from_objects = pickle.loads(body)
        findings = engine.received(shapes, sent)
    except Exception:  # bytes that do not unpickle whole, or hold anything else: validate the whole graph
        return None
    if not isinstance(from_objects, list):
        return None
    return Earlier(findings, digests_kept, from_objects)


def _digests_named(release_folder: Path, first: bytes) -> bytes | None:
    """The subjects' digests kept beside the release, when the kept validation's ``first`` line names this code and
    them."""
    try:
        digests_kept = beside(release_folder, DIGESTS_KEPT_AS).read_bytes()
    except OSError:
        return None
    return digests_kept if first == _first_line(digests_key(digests_kept)) else None


def _first_line(graph: str) -> bytes:
    """What the kept validation starts with: its format, the code that kept it and the graph it is of."""
    return f"civicgraph validation {_FORMAT} {code_digest()} {graph}".encode()


def validated(
    triples: Sequence[PlainTriple], digests: dict[str, bytes], shapes: CompiledShapes, earlier: Earlier | None
) -> tuple[list[Finding], bytes]:
    """The results of the graph's ``triples`` (in canonical order, with each subject's ``digests``): validated again
    only where it changed since the ``earlier`` validation, if it fits, else whole; and what to keep for the next
    validation (:data:`KEPT_AS`)."""
    reads = Reads.of(shapes)
    from_objects = list(compress(triples, map(reads.from_objects.__contains__, map(_predicate, triples))))
    digests_kept = kept_digests(digests)
    found = None
    if earlier is not None:
        found = _scoped(triples, digests, digests_kept, shapes, reads, from_objects, earlier)
    if found is None:
        found = engine.validate(triples, shapes)
    body = pickle.dumps((engine.sendable(shapes, found), from_objects), protocol=_PROTOCOL)
    return found, _first_line(digests_key(digests_kept)) + b"\n" + body


def keep_validation(release_folder: Path, report: ValidationReport) -> None:
    """Keep what ``report``'s validation keeps for the next (:attr:`ValidationReport.kept`, if anything) beside the
    release in ``release_folder``, in place of the earlier build's."""
    if report.kept is not None:
        write_at_once(beside(release_folder, KEPT_AS), report.kept)


def _scoped(
    triples: Sequence[PlainTriple],
    digests: dict[str, bytes],
    digests_kept: bytes,
    shapes: CompiledShapes,
    reads: Reads,
    from_objects: list[PlainTriple],
    earlier: Earlier,
) -> list[Finding] | None:
    """The results, with the focus nodes the change cannot reach keeping the earlier ones; None when the whole
    graph is to be validated (see the module's description)."""
    difference = differing_subjects(earlier.digests_kept, digests_kept, digests)
    if difference is None:
        return None
    changed = difference.changed | difference.dropped
    if len(changed) * _SCOPED_UP_TO > len(digests):
        return None
    touched = [*triples_of(earlier.from_objects, changed), *triples_of(from_objects, changed)]
    if any(predicate == SUBCLASS_OF for _subject, predicate, _obj in touched):
        return None
    read_anew = set(changed).union(obj for _subject, predicate, obj in touched if predicate in reads.backward)
    focus = _reaching(read_anew, triples, from_objects, reads)
    focus.update(obj for _subject, predicate, obj in touched if predicate in reads.targets)
    found = engine.validate(_read_from(focus, triples, from_objects, reads), shapes, only=focus)
    return [finding for finding in earlier.findings if finding.focus not in focus] + found


def _reaching(
    nodes: Iterable[Term], triples: Sequence[PlainTriple], from_objects: list[PlainTriple], reads: Reads
) -> set[Term]:
    """``nodes`` and every node from which path steps reach one of them, to a fixpoint: the nodes whose validation
    may read them. Back across a step forward: the subjects of the triples that have one of them as object and a
    predicate a path reads (one pass over the triples per step back); back across an inverse step: the objects of
    their own triples whose predicate an inverse path reads. Nearly every predicate of the graph is one a path
    reads: the triples are passed over whole, and the predicate checked of the few found."""
    found = set(nodes)
    frontier = set(found)
    forward = reads.forward
    while frontier:
        into = compress(triples, map(frontier.__contains__, map(_object, triples)))
        reached: set[Term] = {subject for subject, predicate, _obj in into if predicate in forward}
        backward = triples_of(from_objects, _subjects_among(frontier))
        reached.update(obj for _subject, predicate, obj in backward if predicate in reads.backward)
        frontier = reached - found
        found |= frontier
    return found


def _read_from(
    focus: Collection[Term], triples: Sequence[PlainTriple], from_objects: list[PlainTriple], reads: Reads
) -> list[PlainTriple]:
    """The triples the validation of the ``focus`` nodes reads (see the module's description): of every node a path
    step reaches from them, its own triples and the triples read from it as their object; and every
    rdfs:subClassOf triple."""
    by_object: dict[Term, list[PlainTriple]] = {}
    for triple in from_objects:
        by_object.setdefault(triple[2], []).append(triple)
    nodes = set(focus)
    frontier = set(nodes)
    read: list[PlainTriple] = [triple for triple in from_objects if triple[1] == SUBCLASS_OF]
    while frontier:
        own = triples_of(triples, _subjects_among(frontier))
        into = [triple for node in frontier for triple in by_object.get(node, ())]
        read += own
        read += into
        reached = {obj for _subject, predicate, obj in own if predicate in reads.forward}
        reached.update(subject for subject, predicate, _obj in into if predicate in reads.backward)
        frontier = reached - nodes
        nodes |= frontier
    return list(dict.fromkeys(read))  # a triple read from both ends counts once


def _subjects_among(nodes: Iterable[Term]) -> list[str]:
    """The IRIs and blank nodes among ``nodes``: those that can be subjects (a literal is never one)."""
    return [node for node in nodes if isinstance(node, str)]
