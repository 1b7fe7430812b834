"""The ``civicgraph`` command: a thin layer over the library (load → build → validate → publish).

Data goes to stdout, messages to stderr. Expected errors end with one line per problem and a documented exit
code (see ``ExitCode`` and the README); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .build import BuiltGraph, build_graph
from .errors import ExitCode, InputError
from .folders import FolderRefused, check_replaceable
from .load import load_dataset
from .progress import Progress
from .records import Dataset
from .validate import ENGINES, Engine, ValidationReport, validate_graph

F = TypeVar("F", bound=Callable[..., Any])

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Folder of the curated source data.",
)
LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["pl", "en"]),
    default="pl",
    show_default=True,
    help="Language of the messages.",
)
ENGINE_OPTION = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="fast",
    show_default=True,
    help="SHACL engine: fast (civicgraph's own) or pyshacl (the reference; minutes on large graphs).",
)


class CivicgraphError(click.ClickException):
    """An expected failure with its exit code."""

    def __init__(self, message: str, exit_code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = int(exit_code)  # type: ignore[misc]  # click reads it as the process exit code


def handle_errors(command: F) -> F:
    """Turn expected errors into messages and exit codes; ``--debug`` lets the traceback through."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except InputError as error:
            if debug:
                raise
            for problem in error.problems:
                click.echo(str(problem), err=True)
            noun = "problem" if len(error.problems) == 1 else "problems"
            raise CivicgraphError(
                f"{len(error.problems)} {noun} in the source data; nothing was written", ExitCode.BAD_INPUT
            ) from None
        except FolderRefused as error:
            if debug:
                raise
            raise CivicgraphError(str(error), error.exit_code) from None
        except (OSError, ValueError) as error:
            if debug:
                raise
            raise CivicgraphError(str(error), ExitCode.BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


class LazyGroup(click.Group):
    """A group whose sub-commands live in their own modules, imported only when that command runs.

    Keeps ``civicgraph build`` from importing the HTTP server, the Wikidata client and the site templates.
    """

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module_name, _, attribute = self.lazy[name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, name)


# name -> "module:attribute" of a click command defined in its own module
LAZY_COMMANDS: dict[str, str] = {
    "diff": "civicgraph.cli_diff:diff",
    "link": "civicgraph.cli_link:link",
    "export": "civicgraph.cli_link:export",
    "synth": "civicgraph.cli_synth:synth",
    "query": "civicgraph.cli_query:query",
    "load": "civicgraph.cli_query:load",
    "serve": "civicgraph.cli_serve:serve",
}


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="civicgraph")
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
def main(debug: bool) -> None:
    """Publish municipal reports on national cooperation as a validated knowledge graph."""


def load_and_build(data_dir: Path, progress: Progress | None = None) -> tuple[Dataset, BuiltGraph]:
    if not data_dir.is_dir():
        raise CivicgraphError(f"{data_dir}: no such data folder (give one with --data)", ExitCode.USAGE)
    progress = progress if progress is not None else Progress()
    with progress.stage("load") as counted:
        dataset = load_dataset(data_dir)
        counted.count, counted.unit = len(dataset.reports), "reports"
    with progress.stage("build") as counted:
        built = build_graph(dataset)
        counted.count, counted.unit = len(built.triples), "triples"
    return dataset, built


def validate_built(built: BuiltGraph, engine: Engine, progress: Progress | None = None) -> ValidationReport:
    with (progress if progress is not None else Progress()).stage("validate") as counted:
        report = validate_graph(built, engine=engine)
        counted.count, counted.unit = len(built.triples), "triples"
    return report


@main.command()
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
@LANG_OPTION
@ENGINE_OPTION
@handle_errors
def build(data_dir: Path, out_dir: Path, lang: str, engine: Engine) -> None:
    """Load, validate and publish the graph into OUT (graph.ttl, graph.jsonld, graph.nt, ...).

    OUT must be new, empty or an earlier release: anything else is refused (exit 2) before the build starts."""
    from .publish import RELEASE, publish

    check_replaceable(out_dir, RELEASE, protected=(data_dir,))
    progress = Progress()
    dataset, built = load_and_build(data_dir, progress)
    report = validate_built(built, engine, progress)
    if not report.conforms:
        click.echo(format_text(report, lang), err=True, nl=False)
        raise CivicgraphError(
            f"the graph violates the shapes ({len(report.violations)} violations); {out_dir} was left untouched",
            ExitCode.VIOLATIONS,
        )
    if report.warnings:
        click.echo(format_text(report, lang), err=True, nl=False)
    written = publish(dataset, built, out_dir, progress=progress)
    click.echo(
        f"wrote {written} ({len(built.triples)} triples, {len(dataset.reports)} reports, "
        f"{len(report.warnings)} warnings)",
        err=True,
    )


@main.command()
@DATA_OPTION
@click.option(
    "--graph",
    "graph_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Validate this RDF file (Turtle, N-Triples, JSON-LD) instead of the source data.",
)
@LANG_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="text for people, turtle for the SHACL validation report, json for programs.",
)
@ENGINE_OPTION
@handle_errors
def validate(data_dir: Path, graph_file: Path | None, lang: str, output_format: str, engine: Engine) -> None:
    """Check the source data (or an RDF file) against the shapes; exit 0 if it conforms, 1 if not."""
    if graph_file is not None:
        from .rdfio import read_graph

        report = validate_graph(read_graph(graph_file), engine=engine)
    else:
        _dataset, built = load_and_build(data_dir)
        report = validate_built(built, engine)
    if output_format == "json":
        click.echo(json.dumps(report_as_json(report, lang), ensure_ascii=False, indent=2))
    elif output_format == "turtle":
        assert report.graph is not None
        click.echo(report.graph.serialize(format="turtle"), nl=False)
    else:
        click.echo(format_text(report, lang), nl=False)
    sys.exit(ExitCode.OK if report.conforms else ExitCode.VIOLATIONS)


_WORDS = {
    "pl": {
        "ok": "Dane są zgodne z kształtami SHACL.",
        "Violation": "błąd",
        "Warning": "ostrzeżenie",
        "Info": "informacja",
        "source": "źródło",
        "path": "właściwość",
        "value": "wartość",
        "summary": "{v} błędów, {w} ostrzeżeń",
    },
    "en": {
        "ok": "The data conforms to the SHACL shapes.",
        "Violation": "violation",
        "Warning": "warning",
        "Info": "info",
        "source": "source",
        "path": "property",
        "value": "value",
        "summary": "{v} violations, {w} warnings",
    },
}


def format_text(report: ValidationReport, lang: str) -> str:
    """The report grouped per resource, each group headed by the source record it was built from."""
    words = _WORDS[lang]
    if not report.results:
        return words["ok"] + "\n"
    lines: list[str] = []
    for focus, results in report.by_focus().items():
        source = next((r.source for r in results if r.source), None)
        lines.append(f"{focus}" + (f"  ({words['source']}: {source})" if source else ""))
        for result in results:
            detail = f"  - {words[result.severity.value]}: {result.message(lang)}"
            if result.path:
                detail += f" [{words['path']}: {result.path}]"
            if result.value is not None:
                detail += f" [{words['value']}: {result.value}]"
            lines.append(detail)
    lines.append(words["summary"].format(v=len(report.violations), w=len(report.warnings)))
    return "\n".join(lines) + "\n"


def report_as_json(report: ValidationReport, lang: str) -> dict[str, Any]:
    return {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "results": [
            {
                "focusNode": r.focus,
                "source": r.source,
                "severity": r.severity.value,
                "path": r.path,
                "sourceShape": r.shape,
                "constraint": r.constraint,
                "value": r.value,
                "message": r.message(lang),
            }
            for r in report.results
        ],
    }
