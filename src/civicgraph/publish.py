"""Stage 4 — publish: a validated graph → the files of ``dist/``, written aside and swapped in whole.

A build never leaves a half-written ``dist/``: everything goes to a sibling staging folder first, and only a
complete staging folder replaces the previous output, in one step (:mod:`civicgraph.folders`), so a failure
keeps the old release intact. The output folder is replaced only when it is new, empty or an earlier release.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .build import BuiltGraph
from .folders import FolderKind, replacing
from .jsonld import context_file, write_jsonld
from .progress import Progress
from .rdfio import write_ntriples, write_turtle
from .records import Dataset
from .release import CHECKSUMS_FILE, RELEASE_FILE
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


def _files_not_in_the_release(folder: Path, files: list[str]) -> list[str] | None:
    """The files of ``folder`` that its ``SHA256SUMS`` does not list (None: not a release at all)."""
    checksums, info = folder / CHECKSUMS_FILE, folder / RELEASE_FILE
    if not (checksums.is_file() and info.is_file()):
        return None
    listed = {CHECKSUMS_FILE}
    with checksums.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            _digest, separator, name = line.rstrip("\n").partition("  ")
            if separator:
                listed.add(name)
    return [name for name in files if name not in listed]


RELEASE = FolderKind("release", f"{RELEASE_FILE} and {CHECKSUMS_FILE}", _files_not_in_the_release)


def publish(
    dataset: Dataset,
    built: BuiltGraph,
    out: Path,
    writers: list[Writer] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write every output of the release into ``out``, replacing an earlier release there in one step.

    ``out`` must be new, empty or an earlier release, and must not be or contain the data folder
    (:class:`civicgraph.folders.FolderRefused` otherwise, before anything is written)."""
    progress = progress if progress is not None else Progress(enabled=False)
    release = Release(dataset, built, built.triples)
    with replacing(out, RELEASE, protected=(dataset.settings.location.file.parent,)) as staging:
        for writer in writers if writers is not None else WRITERS:
            with progress.stage(f"publish: {writer.__name__}"):
                writer(release, staging)
    return out.resolve()
