"""The ``civicgraph`` command: a thin layer over the library (read → build → validate → publish).

Each command lives in its own module of this package and is imported only when it runs, so that
``civicgraph build`` does not import the HTTP server, the Wikidata client or the site templates. Data goes to
stdout, messages to stderr. Expected errors end with one line per problem and a documented exit code (see
``ExitCode`` and the README); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
from typing import Any

import click


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
    "build": "civicgraph.cli.build:build",
    "validate": "civicgraph.cli.validate:validate",
    "diff": "civicgraph.cli.diff:diff",
    "draft": "civicgraph.cli.draft:draft",
    "link": "civicgraph.cli.link:link",
    "export": "civicgraph.cli.link:export",
    "synth": "civicgraph.cli.synth:synth",
    "query": "civicgraph.cli.query:query",
    "load": "civicgraph.cli.load:load",
    "serve": "civicgraph.cli.serve:serve",
}


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="civicgraph", prog_name="civicgraph")  # the version looked up only for --version
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
def main(debug: bool) -> None:
    """Publish municipal reports on national cooperation as a validated knowledge graph."""
