"""The ``civicgraph`` command: a thin layer over the library (read → build → validate → publish).

Each command lives in its own module of this package and is imported only when it runs, so that
``civicgraph build`` does not import the HTTP server, the Wikidata client or the site templates. Data goes to
stdout, messages to stderr. Expected errors end with one line per problem and a documented exit code (see
``ExitCode`` and the README); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
from typing import Any, NoReturn

import click

from civicgraph.cli.common import as_command, ending_at_once, stopped
from civicgraph.util.signals import terminated_as_interrupt


class LazyGroup(click.Group):
    """A group whose sub-commands live in their own modules, imported only when that command runs.

    Keeps ``civicgraph build`` from importing the HTTP server, the Wikidata client and the site templates.
    """

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def invoke(self, ctx: click.Context) -> Any:
        """The command; an interrupt (Ctrl-C, SIGTERM) that its own handling (:func:`handle_errors`, in its
        ``--lang``) did not meet, such as one while its module is imported, ends it too (:func:`stopped`), in
        English."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            stopped(interrupt, "en")

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


def run() -> None:
    """The ``civicgraph`` console script (and ``python -m civicgraph``): :func:`main`; a command that succeeded and
    asked for it (:func:`civicgraph.cli.common.end_at_once`) then ends the process at once, its output flushed,
    without Python freeing each of its objects first: a build into a national year's release, one report changed,
    spent 0.25-0.31 s on that after everything was written (4 runs), and holds more at its end since it lets nothing
    go there (:data:`civicgraph.publish.orchestrator._HELD_WHEN_REUSING`). SIGTERM stops a command as Ctrl-C does
    (:func:`terminated_as_interrupt`)."""
    with as_command(), terminated_as_interrupt():
        try:
            main()
        except SystemExit as ended:
            if ended.code in (0, None) and ending_at_once():
                _end_process()
            raise


def _end_process() -> NoReturn:
    """End the process with exit code 0 without freeing its objects: the atexit handlers run first, as at a normal
    exit (multiprocessing's clean-up among them; IPython runs them so too), and the output is flushed."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
