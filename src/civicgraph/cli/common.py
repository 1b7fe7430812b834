"""What the commands share: the common options, the error type with its exit code, and turning expected errors
into one line per problem (``--debug`` shows the traceback instead)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from civicgraph.shacl.validate import ENGINES
from civicgraph.util.errors import ExitCode, InputError
from civicgraph.util.folders import FolderRefused

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
            lang = kwargs.get("lang", "en")
            for problem in error.problems:
                click.echo(problem.text(lang), err=True)
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
