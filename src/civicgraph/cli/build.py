"""``civicgraph build``: read the data folder, build the graph, validate it and publish the release."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from functools import cache, partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import click

from civicgraph.cli.common import (
    DATA_OPTION,
    ENGINE_OPTION,
    LANG_OPTION,
    end_at_once,
    handle_errors,
    run_as_command,
)
from civicgraph.graph.build import BuiltGraph, build_graph
from civicgraph.graph.kept import BlockStore
from civicgraph.publish.checksums import RELEASE
from civicgraph.publish.plan import publish_url_warning
from civicgraph.shacl.report import ValidationReport, format_text
from civicgraph.shacl.scoped import keep_validation, kept_fits
from civicgraph.shacl.validate import Engine, validate_graph
from civicgraph.source.cache import ReportCache
from civicgraph.source.reader import read_dataset
from civicgraph.source.records import Dataset
from civicgraph.util.errors import ExitCode, Failure, Message
from civicgraph.util.folders import check_replaceable, replacing
from civicgraph.util.parallel import forked, workers
from civicgraph.util.progress import Progress, StageCount

if TYPE_CHECKING:
    from civicgraph.publish.release import Writer

TRIPLES = Message("trójek", "triples")
VALIDATE = Message("walidacja", "validate")  # the stage, run here or alongside


def read_and_build(
    data_dir: Path,
    progress: Progress | None = None,
    meanwhile: Callable[[Dataset], AbstractContextManager[None]] = lambda _dataset: nullcontext(),
    cache: ReportCache | None = None,
    digested: bool = False,
) -> tuple[Dataset, BuiltGraph]:
    """Read the data folder (:func:`read_data`) and build its graph (:func:`built_graph`)."""
    progress = progress if progress is not None else Progress()
    dataset = read_data(data_dir, progress, cache)
    return dataset, built_graph(dataset, progress, meanwhile, digested)


def read_data(data_dir: Path, progress: Progress, cache: ReportCache | None = None) -> Dataset:
    """Read the data folder, taking the reports ``cache`` keeps unchanged (and keeping those read now in it)."""
    if not data_dir.is_dir():
        raise Failure(
            Message(
                f"{data_dir}: nie ma takiego folderu danych (podaj go w --data)",
                f"{data_dir}: no such data folder (give one with --data)",
            ),
            ExitCode.USAGE,
        )
    with progress.stage(Message("odczyt", "read")) as counted:
        dataset = read_dataset(data_dir, cache)
        counted.count, counted.unit = len(dataset.reports), Message("raportów", "reports")
    return dataset


def built_graph(
    dataset: Dataset,
    progress: Progress,
    meanwhile: Callable[[Dataset], AbstractContextManager[None]] = lambda _dataset: nullcontext(),
    digested: bool = False,
    kept: BlockStore | None = None,
) -> BuiltGraph:
    """The graph of a read dataset (``digested``: with each subject's digest; the blocks ``kept`` holds taken, and
    this build's saved aside, for :func:`blocks_kept` to keep with the release); ``meanwhile(dataset)`` is entered
    around the build, which is work for one core (``civicgraph build`` keys the editions in another process then,
    and writes some)."""
    with progress.stage(Message("budowa grafu", "build")) as counted:
        with meanwhile(dataset):
            built = build_graph(dataset, digested=digested, kept=kept)
            if kept is not None:
                kept.save()
        counted.count, counted.unit = len(built.plain), TRIPLES
    return built


def validate_built(
    built: BuiltGraph, engine: Engine, progress: Progress | None = None, since: Path | None = None
) -> ValidationReport:
    """Validate the built graph (``since``: again only where it changed since the release in that folder, see
    :func:`civicgraph.shacl.validate.validate_graph`)."""
    with (progress if progress is not None else Progress()).stage(VALIDATE) as counted:
        report = validate_graph(built, engine=engine, since=since)
        counted.count, counted.unit = len(built.plain), TRIPLES
    return report


# The largest graph validated whole in another process while the graph files are written. The validating
# processes copy every page of the graph whose reference counts they change: three national years (2.8 million
# triples) would peak above 4 GB. A graph validated again only where it changed is validated alongside at any size.
VALIDATED_ALONGSIDE_UP_TO = 1_500_000


@dataclass(frozen=True)
class Validation:
    """A validation run meanwhile: ``report`` waits for its report; ``then`` waits for the work given to be done
    after it, when the validating process does that work, and is None when it does not (the caller does it)."""

    report: Callable[[], ValidationReport]
    then: Callable[[], None] | None


@contextmanager
def validated_meanwhile(
    built: BuiltGraph,
    engine: Engine,
    progress: Progress,
    alongside: bool,
    since: Path | None = None,
    then: Callable[[], None] | None = None,
) -> Iterator[Validation]:
    """Validate ``built`` while the block runs, in a forked process (``alongside``, with two cores and a graph of
    at most :data:`VALIDATED_ALONGSIDE_UP_TO` triples unless it is validated only where it changed), else here
    before the block; gives the :class:`Validation` to wait with.

    ``civicgraph build`` validates alongside when it builds into an earlier release: the graph files are then
    written from its files, work for one core, and the other had nothing to do while the graph was validated. With
    one national report changed, the build took 14.0 s instead of 15.0 (medians of 5 alternating runs). The
    publication waits for the report before the editions, whose writers take both cores. A first build writes the
    graph files whole, in two processes: validated alongside, it took as long, and its peak memory for all
    processes rose from 1.42 to 1.89 GiB at one national year (4.53 GiB instead of 3.59 at three).

    ``since``: the folder of the release the graph is built into, whose build's validation is taken where the
    graph did not change (:mod:`civicgraph.shacl.scoped`). A larger graph is validated alongside too when that
    validation fits: the validating process then builds no index of the whole graph, and reads its triples in a
    few passes. At three national years, one report changed: 34.14 s against 39.60 s validated before publishing
    (medians of 3 alternating pairs), and the peak for all processes 2.79 GiB against 2.81.

    ``then``: work the validating process does once it has sent its report, while the block runs (``civicgraph
    build``: VoID). The block must wait for it with :attr:`Validation.then` when that is given."""
    whole = built.size > VALIDATED_ALONGSIDE_UP_TO and not (since is not None and engine == "fast" and kept_fits(since))
    if not alongside or workers() < 2 or whole:
        validated_here = validate_built(built, engine, progress, since)
        yield Validation(lambda: validated_here, None)
        return
    with forked(partial(_validating, built, engine, since, then)) as channel:

        @cache
        def awaited() -> ValidationReport:
            found, kept, seconds = channel.recv()
            progress.ended(VALIDATE, StageCount(built.size, TRIPLES), seconds)
            return ValidationReport(found, kept=kept)

        @cache
        def done() -> None:
            awaited()  # sent first
            channel.recv()

        yield Validation(awaited, done if then is not None else None)
        # what the child sends must be read before it can end
        if then is not None:
            done()
        else:
            awaited()


def _validating(
    built: BuiltGraph, engine: Engine, since: Path | None, then: Callable[[], None] | None, channel: Connection
) -> None:
    """The validating process: its report, with the time it took, then ``then``'s work, and word that it is done."""
    began = time.perf_counter()
    report = validate_graph(built, engine=engine, since=since)
    channel.send((report.results, report.kept, time.perf_counter() - began))
    if then is not None:
        then()
        channel.send(None)


def written_after_validating(
    dataset: Dataset, built: BuiltGraph, staging: Path
) -> tuple[Writer, Callable[[], None]] | None:
    """The writer the validating process runs once it has sent its report, and its work (None: none, as
    benchmarks/bench_tricks.py turns it off): VoID, which counts every triple.

    Into an earlier release the validating process validates only where the graph changed, and then had nothing
    to do while the graph files and the index were made; VoID was dealt with the editions, where it took longer
    than the site's model, then made meanwhile. A national year, one report changed: the editions' stage 1.26 s
    against 1.46, from its start to the site's end 3.03 s against 3.36 (medians of 6 alternating runs, faster in 5
    of 6); peak memory for all processes 1.26 GiB against 1.19, as the validating process lives longer. At ba758c5,
    validated and VoID written by the building process instead: 8.69 s against 7.80 (bench_tricks.py
    ``validated-alongside``, 5 pairs, faster in 5 of 5)."""
    from civicgraph.publish.release import Release  # the writers: imported only when publishing
    from civicgraph.publish.void import write_void

    return write_void, partial(write_void, Release(dataset, built, built.plain), staging)


def _publishable(report: ValidationReport, out_dir: Path, lang: str) -> None:
    """Write the report's results; refuse a graph that violates the shapes (its release is not written)."""
    if report.violations or report.warnings:
        click.echo(format_text(report, lang), err=True, nl=False)
    if not report.conforms:
        violations = len(report.violations)
        raise Failure(
            Message(
                f"graf narusza kształty SHACL (błędy: {violations}); {out_dir} pozostał nietknięty",
                f"the graph violates the shapes ({violations} violations); {out_dir} was left untouched",
            ),
            ExitCode.VIOLATIONS,
        )


@contextmanager
def blocks_kept(out_dir: Path, cache: ReportCache, base_iri: str, full: bool) -> Iterator[BlockStore]:
    """Each local government's block of the graph kept beside the release in OUT, for a build into it (with the
    subjects' digests: made along with them): the blocks of unchanged reports are taken, and those of this build
    kept once the block ends with the release built with them in place (left out otherwise)."""
    store = BlockStore.beside(out_dir, cache.record_digests, base_iri, full=full)
    try:
        yield store
    except BaseException:
        store.discard()
        raise
    store.keep()


def _every_edition_written(full: bool, into_earlier: bool) -> bool:
    """Whether the build writes every edition, none to be taken from a release in OUT: ``--full``, or no release
    built before there. Its editions' keying child then writes some while the graph is built
    (:func:`civicgraph.publish.editions.keyed_meanwhile`); a release whose record does not fit is not told apart
    before publishing, and its editions are all written by the editions' writer."""
    return full or not into_earlier


@click.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the release into: new, empty or an earlier release, replaced whole only after "
    "everything succeeded.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Read every report and write every file anew. Without it, the reports read for the earlier release in "
    "OUT whose files are unchanged are not read again, and the editions and the pages of local governments, "
    "reports and organisations that it holds, made from the same records by the same civicgraph, are taken from "
    "it, and the catalogue, graph.ttl and graph.nt are written from its files (the result is the same either way).",
)
@LANG_OPTION
@ENGINE_OPTION
@handle_errors
def build(data_dir: Path, out_dir: Path, full: bool, lang: str, engine: Engine) -> None:
    """Read, validate and publish the graph into OUT (graph.ttl, graph.jsonld, graph.nt, ...).

    OUT must be new, empty or an earlier release: anything else is refused (exit 2) before the build starts."""
    from civicgraph.publish.editions import keyed_meanwhile  # the writers: imported only when publishing
    from civicgraph.publish.orchestrator import publish
    from civicgraph.publish.reuse import record_path

    check_replaceable(out_dir, RELEASE, protected=(data_dir,))
    progress = Progress(lang=lang)
    cache = ReportCache.beside(out_dir, full=full)
    # Each subject's digest, for writing the graph files from the earlier release's (0.45 s at a national year):
    # made when OUT holds a release built before, so that a build into it can be one to write them from, and the
    # next one can use them; a first build into a new folder makes none.
    into_earlier = record_path(out_dir).is_file()
    dataset = read_data(data_dir, progress, cache)
    # The release is staged from the build on (after the read, so that data that does not read creates nothing):
    # the editions' keying child writes editions into it while the graph is built.
    blocks = blocks_kept(out_dir, cache, dataset.settings.base_iri, full) if into_earlier else nullcontext(None)
    # As the console script, the release replaced is removed by a process of its own, which the build's does not
    # wait for (see replacing()): the build's own process then ends at once (end_at_once() below).
    replaced = replacing(out_dir, RELEASE, protected=(data_dir,), removed_after=run_as_command())
    with blocks as kept, replaced as staging:
        ahead = staging if _every_edition_written(full, into_earlier) else None
        built = built_graph(dataset, progress, partial(keyed_meanwhile, ahead=ahead), digested=into_earlier, kept=kept)
        since = out_dir if into_earlier and not full else None
        # Validating only where the graph changed, the validating process has time to spare; with --full it validates
        # the whole graph, and VoID after it made the editions, which then take both cores, 0.7-2.6 s slower (2 pairs).
        after = written_after_validating(dataset, built, staging) if since is not None else None
        then = after[1] if after is not None else None
        with validated_meanwhile(built, engine, progress, into_earlier, since, then) as validation:
            published = publish(
                dataset,
                built,
                out_dir,
                progress=progress,
                full=full,
                keep_built=False,
                validated=lambda: _publishable(validation.report(), out_dir, lang),
                staging=staging,
                ends=True,
                alongside={after[0]: validation.then} if after is not None and validation.then is not None else {},
            )
            keep_validation(out_dir, validation.report())
    report = validation.report()
    written = published.folder
    unservable = publish_url_warning(dataset.settings.publish_url)
    if unservable is not None:
        click.echo(unservable[lang], err=True)
    triples, reports, warnings = built.size, len(dataset.reports), len(report.warnings)
    wrote = Message(
        f"zapisano {written} (trójki: {triples}, raporty: {reports}, ostrzeżenia SHACL: {warnings})",
        f"wrote {written} ({triples} triples, {reports} reports, {warnings} SHACL warnings)",
    )
    click.echo(wrote.text(lang), err=True)
    if published.editions_reused:
        reused, editions = published.editions_reused, published.editions
        taken = Message(
            f"wydania wzięte z wcześniejszego wydania w {written}, bo powstałyby takie same: {reused} z {editions}",
            f"editions taken from the earlier release in {written}, as they would come out the same: "
            f"{reused} of {editions}",
        )
        click.echo(taken.text(lang), err=True)
    end_at_once()  # everything is written: the objects of the build are not freed one by one (publish(ends=True))
