"""Stage 4 — publish: a validated graph → the files of ``dist/``, written aside and swapped in whole.

A build never leaves a half-written ``dist/``: everything goes to a sibling staging folder first, and only a
complete staging folder replaces the previous output (two renames), so a failure keeps the old release intact.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .build import BuiltGraph
from .jsonld import context_file, write_jsonld
from .progress import Progress
from .rdfio import write_ntriples, write_turtle
from .records import Dataset
from .resources import ontology_file, shapes_files, vocabularies_file


@dataclass(frozen=True)
class Release:
    """What a writer needs: the dataset, its graph, and the triples in canonical order."""

    dataset: Dataset
    built: BuiltGraph
    triples: list[ox.Triple]


Writer = Callable[[Release, Path], None]


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


def _portal_writers() -> list[Writer]:
    """The portal writers (catalogue, dane.gov.pl file, tables, VoID, site, checksums), in the order they must
    run: the catalogue reads the size and digests of the files written before it, SHA256SUMS covers them all."""
    from .catalog import write_catalog
    from .danegovpl import write_danegovpl
    from .release import write_checksums, write_editions, write_release_info
    from .site import write_site
    from .tables import write_tables
    from .void import write_void

    return [
        write_editions,
        write_tables,
        write_void,
        write_site,
        write_release_info,
        write_catalog,
        write_danegovpl,
        write_checksums,
    ]


WRITERS: list[Writer] = [write_graph_files, copy_ontology_and_shapes, *_portal_writers()]


def publish(
    dataset: Dataset,
    built: BuiltGraph,
    out: Path,
    writers: list[Writer] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write every output of the release into ``out``, replacing its previous content atomically."""
    progress = progress if progress is not None else Progress(enabled=False)
    release = Release(dataset, built, built.triples)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for writer in writers if writers is not None else WRITERS:
            with progress.stage(f"publish: {writer.__name__}"):
                writer(release, staging)
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _swap(staging: Path, out: Path) -> None:
    previous = out.parent / f".{out.name}.previous-{os.getpid()}"
    if out.exists():
        out.rename(previous)
    try:
        staging.rename(out)
    except OSError:
        if previous.exists():
            previous.rename(out)
        raise
    shutil.rmtree(previous, ignore_errors=True)
