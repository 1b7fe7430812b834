"""The whole graph as Turtle, N-Triples and JSON-LD (with its context), and the ontology and shapes it was
validated with."""

from __future__ import annotations

import shutil
from pathlib import Path

from civicgraph.graph.jsonld import context_file, write_jsonld
from civicgraph.graph.rdfio import write_ntriples, write_turtle
from civicgraph.publish.release import Release
from civicgraph.util.resources import ontology_file, shapes_files, vocabularies_file


def write_graph_files(release: Release, out: Path) -> None:
    base = release.dataset.settings.base_iri
    write_turtle(release.triples, out / "graph.ttl", prefixes=release.built.prefixes)
    write_ntriples(release.built.ntriples_order, out / "graph.nt", in_line_order=True)
    write_jsonld(release.built.plain, out / "graph.jsonld", base)
    shutil.copyfile(context_file(), out / "context.jsonld")


def copy_ontology_and_shapes(release: Release, out: Path) -> None:
    (out / "ontology").mkdir()
    for source in (ontology_file(), vocabularies_file()):
        shutil.copyfile(source, out / "ontology" / source.name)
    (out / "shapes").mkdir()
    for source in shapes_files():
        shutil.copyfile(source, out / "shapes" / source.name)
