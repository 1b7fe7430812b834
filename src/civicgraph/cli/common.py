"""What the commands share: the common options, the error type with its exit code, and turning expected errors
into one line per problem (``--debug`` shows the traceback instead)."""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import click

from civicgraph.util.errors import LANGUAGES, ExitCode, Failure, InputError, Message, Terminated

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
# civicgraph.shacl.validate.ENGINES, named here rather than imported: that module loads rdflib and the SHACL
# engine (0.28 s), and every command imports this one (tests/test_cli_imports.py checks that the two agree).
SHACL_ENGINES = ("fast", "pyshacl")
ENGINE_OPTION = click.option(
    "--engine",
    type=click.Choice(SHACL_ENGINES),
    default="fast",
    show_default=True,
    help="SHACL engine: fast (civicgraph's own) or pyshacl (the reference; minutes on large graphs).",
)


# Set by a command that asks the console script to end the process at once after it succeeded (end_at_once).
_ENDING_AT_ONCE: list[bool] = []


def end_at_once() -> None:
    """Ask :func:`civicgraph.cli.main.run` to end the process as soon as this command has succeeded, without Python
    freeing its objects one by one: for a command that has written and closed everything it writes, and holds
    millions of objects at its end (``civicgraph build``). Within another program (a test's ``CliRunner``) the
    request is ignored."""
    _ENDING_AT_ONCE.append(True)


_RUN_AS_COMMAND: list[bool] = []


@contextmanager
def as_command() -> Iterator[None]:
    """Run the block as the console script (:func:`run_as_command` is true within it), forgetting a request to end
    at once left by a command run within this process before (a test's), which is not this one's."""
    _ENDING_AT_ONCE.clear()
    _RUN_AS_COMMAND.append(True)
    try:
        yield
    finally:
        _RUN_AS_COMMAND.clear()  # a command run later within this process (a test's) is not the console script


def run_as_command() -> bool:
    """Whether the command runs as the ``civicgraph`` console script (:func:`civicgraph.cli.main.run`), whose
    process ends with it: work it leaves when it is done (removing the release a build replaced) may go on in a
    process of its own. Not within another program (a test's ``CliRunner``), which may look at the folder next."""
    return bool(_RUN_AS_COMMAND)


def ending_at_once() -> bool:
    """Whether the command that ran asked to end the process at once; forgets the request."""
    asked = bool(_ENDING_AT_ONCE)
    _ENDING_AT_ONCE.clear()
    return asked


def stopped(interrupt: KeyboardInterrupt, lang: str) -> NoReturn:
    """End a command stopped from outside with its message in ``lang`` and its exit code, without a traceback:
    Ctrl-C with click's "Aborted!" ("Przerwano!" in Polish; after a new line, ending the one the terminal's ^C echo
    began, as click does) and :attr:`ExitCode.INTERRUPTED`; SIGTERM (:class:`Terminated`, raised as
    :func:`civicgraph.util.signals.terminated_as_interrupt` has it) with :attr:`ExitCode.TERMINATED`. Click's own
    exit code for an interrupt, 1, is the one a build gives for a graph that violates the shapes."""
    if isinstance(interrupt, Terminated):
        click.echo(Message("Zakończono (SIGTERM).", "Terminated (SIGTERM).").text(lang), err=True)
        raise click.exceptions.Exit(ExitCode.TERMINATED)
    click.echo(file=sys.stderr)
    click.echo(Message("Przerwano!", "Aborted!").text(lang), err=True)
    raise click.exceptions.Exit(ExitCode.INTERRUPTED)


class CivicgraphError(click.ClickException):
    """An expected failure with its exit code, shown as ``Error: …`` (``Błąd: …`` in Polish)."""

    def __init__(self, message: str, exit_code: ExitCode, lang: str = "en") -> None:
        super().__init__(message)
        self.exit_code = int(exit_code)  # type: ignore[misc]  # click reads it as the process exit code
        self.lang = lang

    def show(self, file: IO[Any] | None = None) -> None:
        prefix = "Błąd" if self.lang == "pl" else "Error"
        click.echo(f"{prefix}: {self.format_message()}", file=file if file is not None else sys.stderr)


def handle_errors(command: F) -> F:
    """Turn expected errors into messages in the command's ``--lang`` (:class:`civicgraph.util.errors.Message`)
    and exit codes; ``--debug`` lets the traceback through. An interrupt (Ctrl-C, SIGTERM) is never shown as a
    traceback (:func:`stopped`)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        lang = str(kwargs["lang"]) if kwargs.get("lang") in LANGUAGES else "en"  # English without --lang
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt as interrupt:
            stopped(interrupt, lang)
        except (InputError, Failure, OSError, ValueError) as error:
            if debug:
                raise
            if isinstance(error, InputError):
                for problem in error.problems:
                    click.echo(problem.text(lang), err=True)
                raise CivicgraphError(_input_error_summary(error).text(lang), ExitCode.BAD_INPUT, lang) from None
            if isinstance(error, Failure):
                raise CivicgraphError(error.message.text(lang), error.exit_code, lang) from None
            if isinstance(error, OSError):
                raise CivicgraphError(os_error_message(error).text(lang), ExitCode.BAD_INPUT, lang) from None
            raise CivicgraphError(str(error), ExitCode.BAD_INPUT, lang) from None

    return wrapper  # type: ignore[return-value]


def _input_error_summary(error: InputError) -> Message:
    count = len(error.problems)
    return Message(
        f"problemy w danych źródłowych: {count}; niczego nie zapisano",
        f"{count} {'problem' if count == 1 else 'problems'} in the source data; nothing was written",
    )


def os_error_message(error: OSError) -> Message:
    """An operating-system error (a full disk, a file that cannot be written) in both languages."""
    where = f"{error.filename}: " if error.filename else ""
    if error.errno == errno.ENOSPC:
        return Message(f"{where}brak miejsca na dysku", f"{where}no space left on the device")
    reason = error.strerror or str(error)
    return Message(f"{where}błąd systemu plików ({reason})", f"{where}file system error ({reason})")
