"""Work shared with forked processes, so that a national build uses both cores of the machine it must fit.

Fork, not spawn: a child sees the parent's graph, index and compiled shapes without copying or pickling them. The
stages run with the cycle collector paused and their survivors frozen (:mod:`civicgraph.util.gcpause`), so no collection
in a child touches every object and makes the kernel copy it. Below a size where a fork costs more than it saves,
or with one core, the work is done in this process; the results never depend on the number of processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
MAX_WORKERS = 2  # the machine a national build must fit has two cores


def workers() -> int:
    """How many processes to share work between: the cores this process may use, at most :data:`MAX_WORKERS`."""
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS)


def in_parallel(items: Sequence[T], work: Callable[[Sequence[T]], None], minimum: int = 64) -> None:
    """``work`` done on shares of ``items``, one share per process (every ``workers()``-th item).

    Each share's files are written by one process, from the same data, so the output does not depend on the
    number of cores. With fewer than ``minimum`` items the work is done here.
    """
    count = workers()
    if count < 2 or len(items) < minimum:
        work(items)
        return
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=work, args=(items[share::count],)) for share in range(1, count)]
    for child in children:
        child.start()
    try:
        work(items[0::count])
    finally:
        for child in children:
            child.join()
    failed = [child.exitcode for child in children if child.exitcode != 0]
    if failed:
        raise RuntimeError(f"a worker process failed (exit codes {failed}); see its error above")


@contextmanager
def forked(work: Callable[[Connection], None]) -> Iterator[Connection]:
    """Run ``work`` in a forked child while the with-block runs here; the two talk through the ends of a pipe.

    Leaving the block waits for the child and raises if it failed (its traceback is on stderr). An error in the
    block stops the child: its work is not wanted any more; if the child had failed first (the block then finds
    the pipe closed), the error says so.
    """
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=work, args=(theirs,))
    child.start()
    theirs.close()
    try:
        yield ours
    except BaseException as error:
        child.kill()
        child.join()
        if child.exitcode not in (0, -signal.SIGKILL):
            raise _failed(child.exitcode) from error
        raise
    finally:
        ours.close()
    child.join()
    if child.exitcode != 0:
        raise _failed(child.exitcode)


class Dealer:
    """Deals the numbers 0, 1, 2, … each once, to whichever process (this one or a forked child) asks next.

    Work cut into numbered pieces is then shared as it gets done: the process that works faster takes more
    pieces. A forked child is the slower one here, by 30% for validation at national size, as the kernel copies
    every page whose reference counts it changes; halves fixed beforehand left the parent waiting for it.
    """

    def __init__(self) -> None:
        self._next = multiprocessing.get_context("fork").Value("q", 0)  # shared memory, with its own lock

    def deal(self) -> int:
        with self._next.get_lock():
            number: int = self._next.value
            self._next.value = number + 1
        return number


def _failed(exitcode: int | None) -> RuntimeError:
    return RuntimeError(f"a worker process failed (exit code {exitcode}); see its error above")
