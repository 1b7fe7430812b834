"""The whole graph as Turtle, N-Triples and JSON-LD (with its context), and the ontology and shapes it was
validated with."""

from __future__ import annotations

import shutil
from pathlib import Path

from civicgraph.graph.jsonld import context_file, write_jsonld
from civicgraph.graph.rdfio import write_ntriples, write_turtle
from civicgraph.graph.terms import OxigraphTerms
from civicgraph.publish.release import Release
from civicgraph.util.parallel import forked, workers
from civicgraph.util.resources import ontology_file, shapes_files, vocabularies_file

# Triples from which a forked child writes the Turtle while this process writes the rest. Oxigraph's serializers
# are handed Oxigraph's terms, made from the plain triples as they write (:class:`OxigraphTerms`): for a national
# graph that is 1.5 s per file, a triple with a literal object costing 1.5 µs to make, so the two processes
# write the three files in the time of two of them.
_FORK_MINIMUM = 100_000


def write_graph_files(release: Release, out: Path) -> None:
    if workers() > 1 and len(release.triples) >= _FORK_MINIMUM:
        with forked(lambda _channel: _write_turtle(release, out)):
            _write_ntriples_and_jsonld(release, out)
    else:
        _write_turtle(release, out)
        _write_ntriples_and_jsonld(release, out)
    shutil.copyfile(context_file(), out / "context.jsonld")


def _write_turtle(release: Release, out: Path) -> None:
    write_turtle(OxigraphTerms().triples(release.triples), out / "graph.ttl", prefixes=release.built.prefixes)


def _write_ntriples_and_jsonld(release: Release, out: Path) -> None:
    write_ntriples(OxigraphTerms().triples(release.built.plain_in_lines), out / "graph.nt", in_line_order=True)
    write_jsonld(release.triples, out / "graph.jsonld", release.dataset.settings.base_iri)


def copy_ontology_and_shapes(release: Release, out: Path) -> None:
    (out / "ontology").mkdir()
    for source in (ontology_file(), vocabularies_file()):
        shutil.copyfile(source, out / "ontology" / source.name)
    (out / "shapes").mkdir()
    for source in shapes_files():
        shutil.copyfile(source, out / "shapes" / source.name)
