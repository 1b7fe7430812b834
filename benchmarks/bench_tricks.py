"""What each of the build's speed tricks earns: the whole ``civicgraph build`` as it is, against the same build with
one trick turned off, in alternating runs, one process per run (:func:`bench_build.build_once`).

    .venv/bin/python benchmarks/bench_tricks.py --repeats 3 NATIONAL-1
    .venv/bin/python benchmarks/bench_tricks.py --incremental --repeats 4 NATIONAL-1 --only hashed-ahead ended-at-once
    .venv/bin/python benchmarks/bench_tricks.py --incremental --change figure NATIONAL-1 --only tables-from-earlier
    .venv/bin/python benchmarks/bench_tricks.py --incremental --change removed NATIONAL-1 --only danegovpl-from-earlier

A trick is turned off by setting, before the build starts, the module value that decides it (a size threshold
raised out of reach, a set of writers emptied, a helper replaced by the plain call): the code is this checkout's
either way. Fresh builds go into new temporary folders; with ``--incremental`` each variant builds into its own
release after one report's ``url`` was changed (or, ``--change figure``, an amount it prints; ``--change
removed``, the report taken out, then put back): the first pair makes the digests a build into a release uses, and
is left out. Prints a Markdown table: the medians, with the fastest and slowest run, and their ratio (off / as
is), in how many pairs it ran faster as is; and the median peak memory of all the run's processes
(:class:`bench_build.MemorySampler`).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench_build import Run, build_once, in_turn, machine_state, one_report_to_change

NEVER = "10**12"  # a threshold no graph reaches


@dataclass(frozen=True)
class Trick:
    module: str  # where the value that decides it is, in civicgraph
    name: str  # that value
    off: str  # what it is set to, turning the trick off: a Python expression (``m`` is the module)
    does: str

    @property
    def where(self) -> str:
        return f"{self.module}.{self.name}"

    def prelude(self) -> str:
        """Python run before the build: sets the value, after checking it is there (a renamed one would leave the
        trick on, and the table would say it earns nothing)."""
        return (
            f"import contextlib, functools, importlib\nm = importlib.import_module('civicgraph.{self.module}')\n"
            f"if not hasattr(m, {self.name!r}):\n    raise SystemExit('no {self.where}')\nm.{self.name} = {self.off}"
        )


TRICKS = {
    "turtle-forked": Trick(
        "publish.graph_files",
        "_FORK_MINIMUM",
        NEVER,
        "graph.ttl written by a forked child while graph.nt and graph.jsonld are written",
    ),
    "jsonld-in-two": Trick(
        "graph.jsonld",
        "PARALLEL_MINIMUM",
        NEVER,
        "graph.jsonld compacted and encoded by two processes, half the subjects each",
    ),
    "validated-in-two": Trick(
        "shacl.engine", "PARALLEL_MINIMUM", NEVER, "the shapes' focus nodes dealt to two processes"
    ),
    "read-in-two": Trick(
        "source.reader",
        "map_in_parallel",
        "lambda items, work, minimum=0: work(items)",
        "the reports read by two processes, half each",
    ),
    "hashed-meanwhile": Trick(
        "publish.catalog",
        "files_facts_meanwhile",
        f"functools.partial(m.files_facts_meanwhile, minimum={NEVER})",
        "the files the catalogue describes hashed by a spawned process while it is made",
    ),
    "keyed-meanwhile": Trick(
        "publish.editions",
        "keyed_meanwhile",
        "lambda dataset, ahead=None: contextlib.nullcontext()",
        "the editions' keys made by a forked child while the graph is built (and written-ahead's editions with them)",
    ),
    "validated-where-changed": Trick(
        "shacl.scoped",
        "_digests_named",
        "lambda release_folder, first: None",
        "into an earlier release, only the focus nodes a change can reach validated again (alongside at any size)",
    ),
    "checked-meanwhile": Trick(
        "source.cache",
        "SHARED_FROM",
        NEVER,
        "the kept reports' files checked by a forked child while this process unpickles them",
    ),
    "written-ahead": Trick(
        "cli.build",
        "_every_edition_written",
        "lambda full, into_earlier: False",
        "in a first build, editions written from the records by that child while the graph is built",
    ),
    "dealt-with-editions": Trick(
        "publish.orchestrator",
        "_DEALT_WITH_EDITIONS",
        "set()",
        "VoID, the tables and dane.gov.pl dealt as jobs among the editions' pieces",
    ),
    "let-go-meanwhile": Trick(
        "publish.orchestrator",
        "_LET_GO_MEANWHILE",
        "set()",
        "the index and triples let go of while the catalogue's files are hashed",
    ),
    "catalog-forked": Trick(
        "publish.catalog",
        "_FORK_MINIMUM",
        NEVER,
        "the DCAT-AP 2 Turtle, N-Triples and RDF/XML catalogues written by a forked child",
    ),
    "tables-taken": Trick(
        "publish.orchestrator",
        "_TAKEN_HERE_FIRST",
        "{w: t for w, t in m._TAKEN_HERE_FIRST.items() if w is not m.write_tables}",
        "into an earlier release, the tables none of whose predicates changed taken from it",
    ),
    "tables-from-earlier": Trick(
        "publish.tables",
        "write_table_from",
        "lambda index, table, earlier, changed, path: m.write_table(index, table, path)",
        "into an earlier release, the tables whose predicates changed written from its, only the rows reaching a "
        "changed subject made (acts with --change figure)",
    ),
    "danegovpl-from-earlier": Trick(
        "publish.danegovpl",
        "_written_from",
        "lambda release: None",
        "into an earlier release, dane.gov.pl's file written from its when the planned datasets changed, only the "
        "changed datasets' elements made (acts with --change removed)",
    ),
    "grouped-when-asked": Trick(
        "publish.release",
        "_GROUPED_WHEN_ASKED",
        "False",
        "into an earlier release, each subject's properties in the graph's index grouped when first asked for",
    ),
    "danegovpl-taken": Trick(
        "publish.orchestrator",
        "_TAKEN_HERE_FIRST",
        "{w: t for w, t in m._TAKEN_HERE_FIRST.items() if w is not m.write_danegovpl}",
        "into an earlier release, dane.gov.pl's file taken from it when the planned datasets are unchanged",
    ),
    "catalog-page-taken": Trick(
        "publish.site",
        "_take_catalog_page",
        "lambda release, out: False",
        "into an earlier release, the site's catalogue page taken from it when the planned datasets are unchanged",
    ),
    "view-pages-taken": Trick(
        "publish.site",
        "view_keys",
        "lambda model, views, change, earlier: {}",
        "into an earlier release, the period and concept pages that show what they showed taken from it",
    ),
    "blocks-kept": Trick(
        "cli.build",
        "blocks_kept",
        "lambda *args, **kwargs: contextlib.nullcontext()",
        "into an earlier release, each local government's block of the graph taken from the last build of its records",
    ),
    # Turned off by asking validated_meanwhile to validate here: VALIDATED_ALONGSIDE_UP_TO, the size limit of a
    # graph validated whole alongside, does not act where the validation is again only where the graph changed,
    # which is validated alongside at any size (the build this measures).
    "validated-alongside": Trick(
        "cli.build",
        "validated_meanwhile",
        "lambda built, engine, progress, alongside, since=None, then=None, f=m.validated_meanwhile: "
        "f(built, engine, progress, False, since, then)",
        "into an earlier release, the graph validated by a forked process while the graph files are written, and "
        "VoID written by it after",
    ),
    "ended-at-once": Trick(
        "cli.build",
        "end_at_once",
        "lambda: None",
        "the process of a build that succeeded ended without freeing its objects",
    ),
    "void-after-validating": Trick(
        "cli.build",
        "written_after_validating",
        "lambda *args, **kwargs: None",
        "into an earlier release, VoID written by the validating process once it has validated",
    ),
    "removed-after": Trick(
        "cli.build",
        "run_as_command",
        "lambda: False",
        "the release replaced removed by a process of its own, which the build does not wait for",
    ),
    "hashed-ahead": Trick(
        "publish.orchestrator",
        "_HASHED_AHEAD",
        "{}",
        "into an earlier release, the graph files hashed by a spawned process from their writer's end on, for the "
        "catalogue",
    ),
    "held-when-reusing": Trick(
        "publish.orchestrator",
        "_HELD_WHEN_REUSING",
        "False",
        "into an earlier release, the index and the built graph held to the end instead of let go before the catalogue",
    ),
}


def fresh_runs(folder: Path, off: str, repeats: int) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {"as is": [], "off": []}
    preludes = {"as is": "", "off": off}
    for repeat in range(repeats):
        for variant in in_turn(runs, repeat):
            with tempfile.TemporaryDirectory(prefix="civicgraph-tricks-") as work:
                runs[variant].append(build_once(folder, Path(work) / "dist", prelude=preludes[variant]))
    return runs


def incremental_runs(folder: Path, off: str, repeats: int, what: str = "url") -> dict[str, list[Run]]:
    """Each variant into its own release of a copy of ``folder``, after one report was changed (``what``: see
    :func:`bench_build.one_report_to_change`; the change undone every other time); the first pair, which makes the
    subjects' digests, is left out."""
    runs: dict[str, list[Run]] = {"as is": [], "off": []}
    preludes = {"as is": "", "off": off}
    with one_report_to_change(folder, what) as (work, change):
        outs = {variant: work / variant.replace(" ", "-") for variant in runs}
        for variant in runs:
            build_once(work / "data", outs[variant], prelude=preludes[variant])
        for repeat in range(repeats + 1):
            change()
            for variant in in_turn(runs, repeat):
                run = build_once(work / "data", outs[variant], prelude=preludes[variant])
                if repeat > 0:
                    runs[variant].append(run)
    return runs


def _faster_in(runs: list[Run], others: list[Run]) -> int:
    """In how many pairs (the runs of one repeat, made one after the other) the first run was the faster: on a
    machine whose speed drifts by seconds within an hour, medians and ranges can hide a difference every pair
    shows."""
    return sum(run.seconds < other.seconds for run, other in zip(runs, others, strict=True))


def _seconds(runs: list[Run]) -> str:
    seconds = [run.seconds for run in runs]
    return f"{statistics.median(seconds):.2f} s ({min(seconds):.2f}–{max(seconds):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the data folder to build")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--incremental", action="store_true", help="builds into a release, one report changed")
    parser.add_argument(
        "--change",
        choices=["url", "figure", "removed"],
        default="url",
        help="with --incremental, what is changed: a report's source URL (no table reads it), a figure's amount, or "
        "whether the last report is there (removed, then put back)",
    )
    parser.add_argument("--only", nargs="+", choices=sorted(TRICKS), help="these tricks only")
    args = parser.parse_args()
    print(f"before: {machine_state()}\n")
    changed = (
        "one report removed and put back in turn" if args.change == "removed" else f"one report's {args.change} changed"
    )
    mode = f"{changed}, into the release" if args.incremental else "fresh builds"
    print(f"### {args.folder.name}, {mode}, {args.repeats} alternating pairs per trick\n")
    print(
        "| trick | what it does | as is: median (range) | off | off / as is | pairs as is was faster in "
        "| peak memory (PSS): as is, off |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in args.only or TRICKS:
        trick = TRICKS[name]
        if args.incremental:
            runs = incremental_runs(args.folder.resolve(), trick.prelude(), args.repeats, args.change)
        else:
            runs = fresh_runs(args.folder.resolve(), trick.prelude(), args.repeats)
        on, off = (statistics.median(run.seconds for run in runs[variant]) for variant in ("as is", "off"))
        cells = " | ".join(_seconds(runs[variant]) for variant in ("as is", "off"))
        memory = ", ".join(
            f"{statistics.median(r.peak_pss for r in runs[v]) / 2**30:.2f} GiB" for v in ("as is", "off")
        )
        faster = f"{_faster_in(runs['as is'], runs['off'])} of {len(runs['as is'])}"
        row = f"| {name} (`{trick.where}`) | {trick.does} | {cells} | {off / on:.3f} | {faster} | {memory} |"
        print(row, flush=True)
    print(f"\nafter: {machine_state()}")


if __name__ == "__main__":
    main()
