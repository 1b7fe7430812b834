"""Stage 4 — publish: a validated graph → the files of ``dist/``, written aside and swapped in whole.

A build never leaves a half-written ``dist/``: everything goes to a sibling staging folder first, and only a
complete staging folder replaces the previous output, in one step (:mod:`civicgraph.util.folders`), so a failure
keeps the old release intact. The output folder is replaced only when it is new, empty or an earlier release.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from civicgraph.graph.build import BuiltGraph
from civicgraph.publish.catalog import write_catalog
from civicgraph.publish.checksums import (
    RELEASE,
    hashed_ahead,
    listed_files,
    remembered_sha1,
    write_checksums,
    write_release_info,
)
from civicgraph.publish.danegovpl import take_unchanged_danegovpl, write_danegovpl
from civicgraph.publish.editions import write_editions
from civicgraph.publish.graph_files import GRAPH_FILES, copy_ontology_and_shapes, write_graph_files
from civicgraph.publish.plan import plan
from civicgraph.publish.release import Release, Writer, editions, forget_index, graph_index
from civicgraph.publish.reuse import Listed, Reuse
from civicgraph.publish.site import write_site
from civicgraph.publish.tables import take_unchanged_tables, write_tables
from civicgraph.publish.void import write_void
from civicgraph.source.records import Dataset
from civicgraph.util.folders import replacing
from civicgraph.util.gcpause import paused_cycle_collector
from civicgraph.util.progress import Progress

# In the order they must run: editions before the site (a report's page reuses its edition's files), the
# catalogue after every file it describes (it reads their sizes and digests), SHA256SUMS last, over them all. The
# writers that read the graph's index follow each other, so that it can be let go after the last of them, and the
# catalogue follows them directly, to let go of it meanwhile (_LET_GO_MEANWHILE); release.json, made from the
# records alone, goes early.
WRITERS: list[Writer] = [
    write_graph_files,
    write_void,
    copy_ontology_and_shapes,
    write_release_info,
    write_tables,
    write_danegovpl,
    write_editions,
    write_site,
    write_catalog,
    write_checksums,
]


@dataclass(frozen=True)
class Published:
    """Where a release was written, and how many of its editions were taken from the release it replaced."""

    folder: Path
    editions: int
    editions_reused: int


def publish(
    dataset: Dataset,
    built: BuiltGraph,
    out: Path,
    writers: list[Writer] | None = None,
    progress: Progress | None = None,
    full: bool = False,
    keep_built: bool = True,
    validated: Callable[[], None] = lambda: None,
    staging: Path | None = None,
    ends: bool = False,
    alongside: Mapping[Writer, Callable[[], None]] | None = None,
) -> Published:
    """Write every output of the release into ``out``, replacing an earlier release there in one step.

    ``out`` must be new, empty or an earlier release, and must not be or contain the data folder
    (:class:`civicgraph.util.folders.FolderRefused` otherwise, before anything is written). Files of the earlier
    release that would come out the same are taken from it (:mod:`civicgraph.publish.reuse`), unless ``full``.
    Unless ``keep_built``, the built graph's triples and source lines are let go once no writer will read them
    (:meth:`BuiltGraph.let_go`): ``civicgraph build`` has no use for them afterwards, and a three-year national
    build then peaks 0.4 GiB lower.

    ``validated`` is called once, before the editions' writer (:data:`_AFTER_VALIDATION`), or before the release
    replaces ``out`` if none runs, or when a writer before it fails: ``civicgraph build`` validates the graph in
    another process meanwhile, and waits there for its report. An error it raises (the graph violates the shapes)
    abandons the release; it is raised rather than the writer's, which an invalid graph may explain.

    ``staging``: the staging folder of a :func:`civicgraph.util.folders.replacing` of ``out`` that the caller holds
    (``civicgraph build`` stages the release from the graph's build on); the release then replaces ``out`` when
    the caller's block ends.

    ``ends``: the caller's process ends once the release is written, without freeing what it holds (``civicgraph
    build``: :func:`civicgraph.cli.main.run`). Into an earlier release whose files the writers reuse, nothing is then
    let go (:data:`_HELD_WHEN_REUSING`).

    ``alongside``: writers whose files the caller's other process writes into ``staging`` meanwhile, each with the
    function that waits for them (``civicgraph build``: VoID, written by the process that validated the graph); they
    are not run here, and are waited for before the first writer of :data:`_AFTER_EVERY_FILE`."""
    progress = progress if progress is not None else Progress(enabled=False)
    awaited = False

    def await_validation() -> None:
        nonlocal awaited
        if not awaited:
            awaited = True
            validated()

    held: AbstractContextManager[Path] = (
        nullcontext(staging)
        if staging is not None
        else replacing(out, RELEASE, protected=(dataset.settings.location.file.parent,))
    )
    with held as into:
        try:
            chosen = writers if writers is not None else WRITERS
            release, listed = _written(
                dataset, built, into, out, chosen, progress, full, keep_built, await_validation, ends, alongside or {}
            )
        except Exception:
            await_validation()
            raise
        await_validation()
        reused = _editions_taken(release, into, listed)
    return Published(out.resolve(), len(dataset.reports), reused)


def _editions_taken(release: Release, staging: Path, listed: Mapping[str, Listed] | None) -> int:
    """How many editions were taken from the release being replaced: told by the files' identities as SHA256SUMS
    ``listed`` them, when it ran (statting a national year's 2,807 editions again took 0.07 s)."""
    reuse, taken = release.reuse, 0
    for edition in editions(release):
        path = edition.file(".nt")
        if listed is None:
            taken += reuse.facts(path, staging) is not None
        elif (found := listed.get(path)) is not None:
            taken += reuse.facts_of(path, found.inode, found.size, found.mtime_ns) is not None
    return taken


def _written(
    dataset: Dataset,
    built: BuiltGraph,
    staging: Path,
    out: Path,
    chosen: list[Writer],
    progress: Progress,
    full: bool,
    keep_built: bool,
    validated: Callable[[], None],
    ends: bool,
    alongside: Mapping[Writer, Callable[[], None]],
) -> tuple[Release, dict[str, Listed] | None]:
    """The writers ``chosen`` run into ``staging``, in order (those written ``alongside`` waited for), and what the
    next build into ``out`` needs recorded; gives the release and its files as SHA256SUMS listed them (None: it
    did not run)."""
    reuse = Reuse() if full else Reuse.of(out)
    release = Release(dataset, built, built.plain, reuse)
    lets_go = not (ends and _HELD_WHEN_REUSING and reuse.folder is not None)
    waits = dict(alongside)  # each taken out as it is waited for
    with paused_cycle_collector():  # as the writers run: a national year's plan took 0.31 s collected, 0.26 paused
        plan(release)  # for the writers that read it, before any of them forks (see plan())
    with ExitStack() as hashing:  # the files hashed ahead, waited for at its end
        for position, writer in enumerate(chosen):
            if writer in _AFTER_EVERY_FILE:
                _waited_for(waits)
            if writer in alongside:
                continue
            if writer in _AFTER_VALIDATION:
                with paused_cycle_collector():  # as the editions' writer makes it, before it forks
                    graph_index(release)  # which they read first: made while the validation may still run
                validated()
            if writer in _TAKEN_HERE_FIRST:
                _TAKEN_HERE_FIRST[writer](release, staging)
            if writer in _DEALT_WITH_EDITIONS and write_editions in chosen[position + 1 :]:
                release.besides.append(partial(writer, release, staging))
                continue
            if writer not in _LET_GO_MEANWHILE:
                release.let_go_of_unread()
            with progress.stage(f"publish: {writer.__name__}"):
                writer(release, staging)
            if writer in _HASHED_AHEAD and reuse.folder is not None and write_catalog in chosen[position + 1 :]:
                hashing.enter_context(hashed_ahead(release, staging, _HASHED_AHEAD[writer]))
            if lets_go:
                release.unread.append(partial(_let_go, release, set(chosen[position + 1 :]), not keep_built))
    release.let_go_of_unread()
    _waited_for(waits)
    listed = listed_files(release)
    if reuse.keys and listed is not None:  # recorded for the next build into ``out``
        reuse.write_record(staging, out, listed, remembered_sha1(release, staging))
    return release, listed


def _waited_for(waits: dict[Writer, Callable[[], None]]) -> None:
    """Wait for the writers run alongside not waited for yet."""
    while waits:
        waits.popitem()[1]()


# The writers that read the files the others write: the catalogue (their sizes and digests) and SHA256SUMS.
_AFTER_EVERY_FILE = {write_catalog, write_checksums}

# The writers before which the graph's validation, run meanwhile in another process, is awaited: the first that
# takes both cores (its dealt writers with it), and where the build's memory peaks. The validating process may go
# on to write VoID (publish()'s ``alongside``): the editions' writer then has only the tables' and dane.gov.pl's
# work besides the editions, which a build into an earlier release mostly takes, and with few editions to write it
# does it all in this process.
# The graph's index, which it reads first, is made before the wait (0.18 s of a national build, one report changed).
_AFTER_VALIDATION = {write_editions}


# Writers whose work the editions' writer deals with its own (``Release.besides``), to whichever process asks first
# (unless another process writes them, ``alongside``): alone, their 3 s at a national year kept the other core
# idle. With too few editions for in_parallel to share, it is all done in this process (see write_editions). They
# read no file another writer writes; what they write, only the catalogue and SHA256SUMS read.
_DEALT_WITH_EDITIONS = {write_void, write_tables, write_danegovpl}

# What a writer takes from the release being replaced, run here before the writer runs or is dealt: the keys of
# the files taken are declared in this process, where the record of the release is written.
_TAKEN_HERE_FIRST: dict[Writer, Writer] = {
    write_tables: take_unchanged_tables,
    write_danegovpl: take_unchanged_danegovpl,
}

# The files of a writer that the catalogue describes, hashed by a spawned process from the writer's end on
# (:func:`civicgraph.publish.checksums.hashed_ahead`), into an earlier release. A national year, one figure
# corrected: the whole build 6.63 s against 6.86 with the catalogue hashing them itself (bench_tricks.py, 6
# alternating pairs, faster in 6 of 6); the catalogue's stage 0.57 s against 0.89 in builds alternating with the
# code before it. A first build is left as it is: there the catalogue waited 0.10-0.13 s for its files' facts at a
# national year and 0.21 s at three, 0.04 and 0.09 s with the graph files hashed ahead, but the hashing took the
# other core from the editions' stage, and the whole build gained nothing measurable (3 pairs, 1 at three years).
_HASHED_AHEAD: dict[Writer, tuple[str, ...]] = {write_graph_files: GRAPH_FILES}

# The writers that read the graph's index besides the release's records and triples: it is made once, shared by
# them, and let go after the last of them (see :func:`publish`). The index is made from the triples, which the
# writers of the graph files read too.
_READ_THE_INDEX = {write_editions, write_tables, write_site}
_READ_THE_TRIPLES = {write_graph_files, write_void, *_READ_THE_INDEX}


# Writers that let go of what earlier writers left unread themselves, once they have started work in another
# process (:meth:`Release.let_go_of_unread`): the catalogue, once its files are being hashed. A national year's
# index and triples took 0.5 s to let go of, while the other core had nothing to do. In a whole build
# (bench_tricks.py, alternating): at one national year 29.33 s either way (5 pairs); at three, 78.3 s against 79.9.
_LET_GO_MEANWHILE = {write_catalog}


# Into an earlier release whose files the writers reuse, a build whose process then ends (``publish(ends=True)``)
# lets nothing go: the writers after the site make little from the graph there (the catalogue is written from the
# earlier release's files), and letting go of a national year's index and triples took 0.59 s of this process while
# the other core had nothing to do; the process then ends without freeing them. One report changed, from the
# catalogue's start to the process's end: at a national year 3.06 s against 3.71 letting go and freeing all at the
# end (medians of 6 alternating runs, faster in 6 of 6), at three 6.61 s against 8.30 (3 runs, 3 of 3). Held, the
# index and triples raise the catalogue's stage at three years from 1.87 to 2.11 GiB for all processes, below the
# build's peak in the editions' and site's stages (2.8-3.1 GiB either way).
_HELD_WHEN_REUSING = True


def _let_go(release: Release, later: set[Writer], built_too: bool) -> None:
    """Let go of the index once no later writer reads it, and (``built_too``) of the built graph's triples and
    source lines once none reads them: what the writers after them make (the catalogue's triples) then takes their
    place instead of adding to them. Measured at three national years, for all processes: 3.32 GiB at the peak
    instead of 3.72 with the triples kept (the catalogue's stage)."""
    if not later & _READ_THE_INDEX:
        forget_index(release)
    if built_too and not later & _READ_THE_TRIPLES:
        release.built.let_go()
