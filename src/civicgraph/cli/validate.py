"""``civicgraph validate``: the SHACL report on the data folder or on any RDF file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from civicgraph.cli.common import DATA_OPTION, ENGINE_OPTION, LANG_OPTION, handle_errors
from civicgraph.shacl.report import format_text, report_as_json
from civicgraph.shacl.validate import Engine, validate_triples
from civicgraph.util.errors import ExitCode
from civicgraph.util.progress import Progress


@click.command()
@DATA_OPTION
@click.option(
    "--graph",
    "graph_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Validate this RDF file instead of the source data: Turtle, N-Triples, N-Quads, RDF/XML or JSON-LD, "
    "by its extension (.ttl, .nt, .nq, .rdf, .jsonld or .json).",
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
        from civicgraph.graph.rdfio import read_triples

        report = validate_triples(read_triples(graph_file), engine=engine)
    else:
        from civicgraph.cli.build import read_and_build, validate_built

        progress = Progress(lang=lang)
        _dataset, built = read_and_build(data_dir, progress)
        report = validate_built(built, engine, progress)
    if output_format == "json":
        click.echo(json.dumps(report_as_json(report, lang), ensure_ascii=False, indent=2))
    elif output_format == "turtle":
        assert report.graph is not None
        click.echo(report.graph.serialize(format="turtle"), nl=False)
    else:
        click.echo(format_text(report, lang), nl=False)
    sys.exit(ExitCode.OK if report.conforms else ExitCode.VIOLATIONS)
