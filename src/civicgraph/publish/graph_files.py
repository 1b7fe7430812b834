"""The whole graph as Turtle, N-Triples and JSON-LD (with its context), and the ontology and shapes it was
validated with.

Into an earlier release, when the build made each subject's digest (:attr:`BuiltGraph.digests`, asked for by
``civicgraph build`` when it builds into an earlier release), the Turtle and N-Triples are written from the earlier
files: only the blocks of the subjects whose digest changed are made (:mod:`civicgraph.graph.splice`). The digests
are kept beside the release for the next build (``.{folder}.graph-digests``), and the two files recorded with the
digest of what is kept, so that an earlier file is used only with the digests it was written from.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from civicgraph.graph.jsonld import context_file, write_jsonld
from civicgraph.graph.rdfio import ntriples_of, turtle_of, write_ntriples, write_turtle
from civicgraph.graph.splice import NTRIPLES, DoesNotFit, splice_file, turtle, worth_splicing
from civicgraph.graph.terms import OxigraphTerms
from civicgraph.publish.release import Release
from civicgraph.publish.reuse import Reuse
from civicgraph.util.parallel import forked, workers
from civicgraph.util.resources import ontology_file, shapes_files, vocabularies_file

# Triples from which a forked child writes the Turtle while this process writes the rest. Oxigraph's serializers
# are handed Oxigraph's terms, made from the plain triples as they write (:class:`OxigraphTerms`): for a national
# graph that is 1.5 s per file, a triple with a literal object costing 1.5 µs to make, so the two processes
# write the three files in the time of two of them.
_FORK_MINIMUM = 100_000

_DIGESTS = "graph-digests"  # what the digests are kept as, beside the release
_SPLICED = ("graph.nt", "graph.ttl")
_WHOLE = (*_SPLICED, "graph.jsonld")  # the files the digests are of: all taken when none changed


def write_graph_files(release: Release, out: Path) -> None:
    shutil.copyfile(context_file(), out / "context.jsonld")
    digests = release.built.take_digests()
    if digests is not None:
        _keep(digests, release.reuse)
        if _from_earlier(digests, release, out):
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


def _keep(digests: dict[str, bytes], reuse: Reuse) -> None:
    """Keep the digests beside the release for the next build, and declare the graph files with their digest."""
    kept = _kept(digests)
    reuse.keep_beside(_DIGESTS, kept)
    key = hashlib.sha256(kept).hexdigest()
    for name in _WHOLE:
        reuse.declare(name, key)


def _from_earlier(digests: dict[str, bytes], release: Release, out: Path) -> bool:
    """Take the graph files from the earlier release when no subject changed, or write graph.nt and graph.ttl from
    its files (and graph.jsonld whole); False when there is nothing to take them from or it does not fit."""
    if release.reuse.take_all(list(_WHOLE), out):
        return True
    earlier = _earlier_digests(release.reuse)
    if earlier is None or not _written_from(earlier, digests, release, out):
        return False
    write_jsonld(release.triples, out / "graph.jsonld", release.dataset.settings.base_iri)
    return True


def _kept(digests: dict[str, bytes]) -> bytes:
    """The digests as kept: the subjects, one per line, then a blank line, then their digests in the same order."""
    return "\n".join(digests).encode() + b"\n\n" + b"".join(digests.values())


def _read_kept(kept: bytes) -> dict[str, bytes] | None:
    subjects, separator, digests = kept.partition(b"\n\n")
    names = subjects.decode().split("\n")
    size = len(digests) // len(names) if names and separator else 0
    if not size or size * len(names) != len(digests):
        return None
    return {name: digests[place * size : (place + 1) * size] for place, name in enumerate(names)}


@dataclass(frozen=True)
class EarlierGraph:
    """The earlier release's Turtle and N-Triples, still as its build wrote them, and that build's digests."""

    files: dict[str, Path]
    digests: dict[str, bytes]


def _earlier_digests(reuse: Reuse) -> EarlierGraph | None:
    kept = reuse.earlier_beside(_DIGESTS)
    if kept is None:
        return None
    key = hashlib.sha256(kept).hexdigest()
    files = {name: reuse.earlier_file(name, key) for name in _SPLICED}
    found = {name: path for name, path in files.items() if path is not None}
    digests = _read_kept(kept) if len(found) == len(files) else None
    return EarlierGraph(found, digests) if digests is not None else None


def _written_from(earlier: EarlierGraph, now: dict[str, bytes], release: Release, out: Path) -> bool:
    """Write graph.nt and graph.ttl from the earlier release's, making the blocks of the subjects whose digest
    changed; False (some may be half written) when the earlier files do not fit."""
    changed = {subject for subject, digest in now.items() if earlier.digests.get(subject) != digest}
    dropped = {subject for subject in earlier.digests if subject in changed or subject not in now}
    if not worth_splicing(len(changed | dropped), len(now)):
        return False
    in_lines = [triple for triple in release.built.plain_in_lines if triple[0] in changed]
    in_order = [triple for triple in release.triples if triple[0] in changed]
    made = {
        "graph.nt": (NTRIPLES, ntriples_of(OxigraphTerms().triples(in_lines))),
        "graph.ttl": (
            turtle(release.built.prefixes),
            turtle_of(OxigraphTerms().triples(in_order), release.built.prefixes),
        ),
    }
    try:
        for name, (syntax, data) in made.items():
            splice_file(earlier.files[name], data, syntax, dropped, changed, out / name)
    except DoesNotFit:
        return False
    return True


def copy_ontology_and_shapes(release: Release, out: Path) -> None:
    (out / "ontology").mkdir()
    for source in (ontology_file(), vocabularies_file()):
        shutil.copyfile(source, out / "ontology" / source.name)
    (out / "shapes").mkdir()
    for source in shapes_files():
        shutil.copyfile(source, out / "shapes" / source.name)
