"""The whole graph as Turtle, N-Triples and JSON-LD (with its context), and the ontology and shapes it was
validated with.

Into an earlier release, when the build made each subject's digest (:attr:`BuiltGraph.digests`, asked for by
``civicgraph build`` when it builds into an earlier release), the three files are written from the earlier ones:
only the blocks of the subjects whose digest changed are made (:mod:`civicgraph.graph.splice`), and in the JSON-LD
the lines of the top-level nodes whose nested nodes may have changed (:func:`jsonld_written_from`). The digests are
kept beside the release for the next build (``.{folder}.graph-digests``), and the files recorded with the digest of
what is kept, so that an earlier file is used only with the digests it was written from.
"""

from __future__ import annotations

import shutil
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from civicgraph.graph.jsonld import context_file, iri_of_node, jsonld_of_part, write_jsonld
from civicgraph.graph.rdfio import sorted_ntriples_of, turtle_of, write_ntriples, write_turtle
from civicgraph.graph.splice import (
    NTRIPLES,
    Blocks,
    DoesNotFit,
    graph_jsonld,
    mapped,
    splice_file,
    turtle,
    worth_splicing,
)
from civicgraph.graph.subjects import (
    DIGESTS_KEPT_AS,
    differing_subjects,
    digests_key,
    kept_digests,
    triples_of,
)
from civicgraph.graph.terms import OxigraphTerms, PlainTriple
from civicgraph.publish.release import Release, extending
from civicgraph.publish.reuse import Reuse
from civicgraph.util.iris import RDF_TYPE
from civicgraph.util.parallel import forked, workers
from civicgraph.util.resources import ontology_file, shapes_files, vocabularies_file

# Triples from which a forked child writes the Turtle while this process writes the rest. Oxigraph's serializers
# are handed Oxigraph's terms, made from the plain triples as they write (:class:`OxigraphTerms`): for a national
# graph that is 1.5 s per file, a triple with a literal object costing 1.5 µs to make, so the two processes
# write the three files in the time of two of them.
_FORK_MINIMUM = 100_000

GRAPH_FILES = ("graph.nt", "graph.ttl", "graph.jsonld")  # the files the digests are of: all taken when none changed


def write_graph_files(release: Release, out: Path) -> None:
    shutil.copyfile(context_file(), out / "context.jsonld")
    digests = release.built.take_digests()
    if digests is not None:
        kept = _keep(digests, release)
        if _from_earlier(digests, kept, release, out):
            return
    if workers() > 1 and len(release.triples) >= _FORK_MINIMUM:
        with forked(lambda _channel: _write_turtle(release, out)):
            _write_ntriples_and_jsonld(release, out)
    else:
        _write_turtle(release, out)
        _write_ntriples_and_jsonld(release, out)


def _write_turtle(release: Release, out: Path) -> None:
    write_turtle(OxigraphTerms().triples(release.triples), out / "graph.ttl", prefixes=release.built.prefixes)


def _write_ntriples_and_jsonld(release: Release, out: Path) -> None:
    write_ntriples(OxigraphTerms().triples(release.built.plain_in_lines), out / "graph.nt", in_line_order=True)
    write_jsonld(release.triples, out / "graph.jsonld", release.dataset.settings.base_iri)


# -- written from the earlier release's ----------------------------------------------------------------------------


def _keep(digests: dict[str, bytes], release: Release) -> bytes:
    """Keep the digests beside the release for the next build, and declare the graph files with their digest (the
    graph's :attr:`~civicgraph.publish.release.GraphChange.digests_key`); the digests as kept."""
    kept = kept_digests(digests)
    key = release.change.digests_key = digests_key(kept)
    release.reuse.keep_beside(DIGESTS_KEPT_AS, kept)
    release.reuse.declare(*GRAPH_FILES, key=key)
    return kept


def _from_earlier(digests: dict[str, bytes], kept: bytes, release: Release, out: Path) -> bool:
    """Take the graph files from the earlier release when no subject changed, or write them from its files; False
    when there is nothing to take them from or it does not fit."""
    if release.reuse.take_all(list(GRAPH_FILES), out):
        release.change.unchanged()  # the same digests: the same triples
        return True
    earlier = _earlier_digests(release.reuse)
    return earlier is not None and _written_from(earlier, digests, kept, release, out)


@dataclass(frozen=True)
class EarlierGraph:
    """The earlier release's graph files, still as its build wrote them, and that build's digests as kept
    (:func:`civicgraph.graph.subjects.kept_digests`)."""

    files: dict[str, Path]
    kept: bytes


def _earlier_digests(reuse: Reuse) -> EarlierGraph | None:
    kept = reuse.earlier_beside(DIGESTS_KEPT_AS)
    if kept is None:
        return None
    key = digests_key(kept)
    files = {name: reuse.earlier_file(name, key) for name in GRAPH_FILES}
    found = {name: path for name, path in files.items() if path is not None}
    return EarlierGraph(found, kept) if len(found) == len(files) else None


def _written_from(earlier: EarlierGraph, now: dict[str, bytes], kept: bytes, release: Release, out: Path) -> bool:
    """Write the graph files from the earlier release's, making the blocks of the subjects whose digest changed,
    and note the predicates of the triples that changed (:class:`GraphChange`, read from the blocks replaced and
    the blocks made); False (some may be half written) when the earlier files do not fit. ``kept``: this build's
    digests as kept: with the same subjects as the earlier build's, the two are compared without reading the
    earlier digests into a mapping (:func:`civicgraph.graph.subjects.differing_subjects`)."""
    difference = differing_subjects(earlier.kept, kept, now)
    if difference is None:
        return False
    changed, dropped = difference.changed, difference.dropped
    if not worth_splicing(len(changed | dropped), len(now)):
        return False
    made_triples = list(OxigraphTerms().triples(triples_of(release.triples, changed)))
    made = {
        # the lines in byte order: the order graph.nt holds them in (``BuiltGraph.plain_in_lines``)
        "graph.nt": (NTRIPLES, sorted_ntriples_of(made_triples)),
        "graph.ttl": (turtle(release.built.prefixes), turtle_of(made_triples, release.built.prefixes)),
    }
    try:
        replaced = earlier_triples(earlier, dropped)
        referred = referred_iris(replaced) | referred_iris(made_triples)  # before and now
        for name, (syntax, data) in made.items():
            splice_file(earlier.files[name], data, syntax, dropped, changed, out / name)
        base = release.dataset.settings.base_iri
        subjects = list(now)  # this build's digests, made in canonical order
        before = sorted(difference.earlier)  # kept in canonical order, so one pass; bisected below, so sorted whatever
        into = out / "graph.jsonld"
        jsonld_written_from(earlier, before, changed, dropped, referred, release.triples, subjects, base, into)
    except DoesNotFit:
        return False
    differing = set(replaced).symmetric_difference(made_triples)
    change = release.change
    change.predicates = frozenset(triple.predicate.value for triple in differing)
    change.subjects, change.added = frozenset(changed | dropped), frozenset(changed - dropped)
    change.referred = frozenset(referred)
    return True


def referred_iris(triples: Iterable[ox.Triple]) -> set[str]:
    """The IRIs the triples refer to."""
    return {triple.object.value for triple in triples if isinstance(triple.object, ox.NamedNode)}


def jsonld_written_from(
    earlier: EarlierGraph,
    before: Sequence[str],
    changed: set[str],
    dropped: set[str],
    referred: set[str],
    triples: Sequence[PlainTriple],
    subjects: Sequence[str],
    base: str,
    into: Path,
) -> None:
    """Write graph.jsonld from the earlier release's: the lines of the top-level nodes whose tree of nested nodes
    may differ are made anew. ``before``: the earlier graph's subjects, sorted; ``dropped``: the earlier subjects
    that changed or are gone; ``referred``: the IRIs the triples of the changed subjects refer to, now and before
    (the earlier ones read from the earlier N-Triples, :func:`earlier_triples`); ``triples``: the graph's, in
    canonical order; ``subjects``: its subjects, sorted.

    A node is nested in the one node that refers to it when its IRI extends that node's with "/" (a figure in its
    activity). So a line can change when a node of its tree changed, or when a node of its tree gained or lost a
    referrer and so is nested no more, or again. The trees that may differ are those holding the changed subjects
    and the IRIs their triples refer to, now and before: the whole tree of each subject one of them extends is made
    anew, what the rest of the graph refers to left top-level.

    The triples of the subjects are found by bisection (:func:`triples_of`), and their referrers by one pass over
    the triples, rather than with the release's index: built here, the index was held with both builds' digests,
    and the peak of a three-year build rose to 3.78 GiB (3.63 GiB without)."""
    roots = {
        iri
        for touched in (changed, dropped, referred)
        for one in touched
        for iri in _with_beginnings(one)
        if _among(subjects, iri) or _among(before, iri)
    }
    trees_now, trees_before = _trees(roots, subjects), _trees(roots, before)
    if not worth_splicing(len(trees_now | trees_before), len(subjects)):
        raise DoesNotFit("too many trees of nodes to make anew")
    part = triples_of(triples, trees_now)
    made = jsonld_of_part(part, base, _referred_from_outside(triples, trees_now))
    splice_file(earlier.files["graph.jsonld"], made, graph_jsonld(iri_of_node(base)), trees_before, trees_now, into)


def earlier_triples(earlier: EarlierGraph, subjects: set[str]) -> list[ox.Triple]:
    """The triples of ``subjects`` in the earlier ``graph.nt``, each subject's block found by bisection (Oxigraph
    parses quads, of the default graph): read once, for what they referred to and for what changed."""
    with mapped(earlier.files["graph.nt"]) as old:
        blocks = Blocks(old, NTRIPLES)
        data = b"".join(bytes(blocks.content(*blocks.span(subject))) for subject in sorted(subjects))
    try:
        return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise DoesNotFit(f"the earlier graph.nt: {error}") from None


def _with_beginnings(iri: str) -> Iterator[str]:
    """The IRI and each of its beginnings before a "/": the IRIs of the nodes it can be nested in."""
    yield iri
    slash = iri.find("/")
    while slash > 0:
        yield iri[:slash]
        slash = iri.find("/", slash + 1)


def _among(subjects: Sequence[str], iri: str) -> bool:
    found = bisect_left(subjects, iri)
    return found < len(subjects) and subjects[found] == iri


def _trees(roots: Iterable[str], subjects: Sequence[str]) -> set[str]:
    """The roots that are among the sorted ``subjects``, and the subjects that extend a root with "/"."""
    found: set[str] = set()
    for root in roots:
        if _among(subjects, root):
            found.add(root)
        found.update(extending(subjects, root))
    return found


def _referred_from_outside(triples: Sequence[PlainTriple], part: set[str]) -> set[str]:
    """The subjects of ``part`` that a subject outside it refers to (so none of them is nested in the part); a
    class an ``rdf:type`` names is no reference (it is written as the node's type)."""
    return {obj for subject, predicate, obj in triples if obj in part and subject not in part and predicate != RDF_TYPE}


def copy_ontology_and_shapes(release: Release, out: Path) -> None:
    (out / "ontology").mkdir()
    for source in (ontology_file(), vocabularies_file()):
        shutil.copyfile(source, out / "ontology" / source.name)
    (out / "shapes").mkdir()
    for source in shapes_files():
        shutil.copyfile(source, out / "shapes" / source.name)
