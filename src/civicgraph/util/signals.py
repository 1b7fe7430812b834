"""SIGTERM taken as an interrupt, so that a process stopped by a service manager cleans up as on Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from civicgraph.util.errors import Terminated


@contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread, as Ctrl-C raises
    :class:`KeyboardInterrupt`: a service manager stopping the console script, or ``timeout``, then gets the clean
    stop Ctrl-C gets (:func:`civicgraph.cli.common.stopped`) instead of the process ending where it stands, its
    staging folder left for the next run to remove. Forked workers inherit it, and a spawned one takes it too
    (:func:`civicgraph.util.parallel.serve_spawned`): each sends it to its parent as it sends an error. A second
    SIGTERM, while the first one's clean-up runs, ends the process at once. A SIGTERM the caller chose to ignore
    stays ignored."""
    in_another_thread = threading.current_thread() is not threading.main_thread()  # only the main one handles signals
    if in_another_thread or signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
        yield
        return

    def terminate(_signal: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
