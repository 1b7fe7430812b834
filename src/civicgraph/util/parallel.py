"""Work shared with forked processes, so that a national build uses both cores of the machine it must fit.

Fork, not spawn: a child sees the parent's graph, index and compiled shapes without copying or pickling them. The
stages run with the cycle collector paused and their survivors frozen (:mod:`civicgraph.util.gcpause`), so no collection
in a child touches every object and makes the kernel copy it. Below a size where a fork costs more than it saves,
or with one core, the work is done in this process; the results never depend on the number of processes.

Work that needs nothing of the parent's memory while the parent changes much of it runs in a new interpreter
instead (:func:`spawned`): a forked child would keep its own copy of every page the parent changes meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, BinaryIO, TypeVar

from civicgraph.util.errors import ExitCode, Failure, Message
from civicgraph.util.signals import terminated_as_interrupt

T = TypeVar("T")
R = TypeVar("R")
MAX_WORKERS = 2  # the machine a national build must fit has two cores


def workers() -> int:
    """How many processes to share work between: the cores this process may use, at most :data:`MAX_WORKERS`."""
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS)


# Items from which work is shared between processes: below, a fork costs more than it saves.
SHARED_FROM = 64

# How long a child whose end of the pipe closed is given to end before it is taken for one still at work.
_ENDING = 5.0


def in_parallel(
    items: Sequence[T],
    work: Callable[[Sequence[T]], None],
    minimum: int = SHARED_FROM,
    piece: int = 16,
    besides: Sequence[Callable[[], None]] = (),
) -> None:
    """``work`` done on pieces of ``items`` (runs of ``piece`` items), and the jobs ``besides``, each piece and job
    dealt to whichever process asks next (:class:`Dealer`): the process that works faster takes more. The jobs are
    dealt first, so that a long one does not end the work alone.

    Each piece's files are written by one process, from the same data, so the output does not depend on the
    number of cores or on who took which piece. With fewer than ``minimum`` items all is done here.
    """
    pieces = [partial(work, items[start : start + piece]) for start in range(0, len(items), piece)]
    jobs: list[Callable[[], None]] = [*besides, *pieces]
    count = workers()
    if count < 2 or len(items) < minimum:
        for job in jobs:
            job()
        return
    dealer = Dealer()

    def dealt(_channel: Connection | None = None) -> None:
        while (number := dealer.deal()) < len(jobs):
            jobs[number]()

    with ExitStack() as children:
        for _child in range(1, count):
            children.enter_context(forked(dealt))
        dealt()


def map_in_parallel(items: Sequence[T], work: Callable[[Sequence[T]], list[R]], minimum: int = SHARED_FROM) -> list[R]:
    """``work`` done on shares of ``items``, every ``workers()``-th item to each process, for work that gives one
    result per item of its share, in order: the results of all items, in the order of ``items``. Shares fixed
    beforehand, not dealt (:func:`in_parallel`): the child sends its share's results back at once, pickled. They
    must be picklable, and sharing pays only when making them costs more than pickling them (a national dataset's
    reports: read in 1.6 s per half, a half sent in 0.5 s)."""
    count = workers()
    if count < 2 or len(items) < minimum:
        return work(items)
    with ExitStack() as children:
        results = [
            children.enter_context(forked_result(partial(work, items[share::count]))) for share in range(1, count)
        ]
        shares = [work(items[0::count]), *(result() for result in results)]
    return [shares[place % count][place // count] for place in range(len(items))]


@contextmanager
def forked(work: Callable[[Connection], None]) -> Iterator[Connection]:
    """Run ``work`` in a forked child while the with-block runs here; the two talk through the ends of a pipe.

    Leaving the block waits for the child's word that its work is done, and raises the child's error if it failed,
    or :class:`WorkerEnded` if it ended without a word. It does not wait for the child's end: in a three-year
    national build, the eight forked processes took 0.02-0.13 s each from their word to their end, 0.55 s in all,
    which the build waited for. A child that has ended is reaped when the next one starts (multiprocessing's own
    clean-up) or when the process ends. An error in the block stops the child: its work is not wanted any more; if
    the child had failed first (the block then finds the pipe closed), its error is raised, caused by the block's.
    """
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    errors, sender = context.Pipe(duplex=False)
    child = context.Process(target=_reporting, args=(work, sender, theirs))
    child.start()
    theirs.close()
    sender.close()
    try:
        yield ours
    except BaseException as error:
        if isinstance(error, (EOFError, BrokenPipeError, ConnectionResetError)):  # the child's end closed: it ended
            child.join(_ENDING)
        stopped_here = child.exitcode is None  # still at work: stopped, as its work is not wanted
        if stopped_here:
            child.kill()
            child.join()
        sent = _sent_error(errors)
        if sent is not None:  # the child failed first (the block then found the pipe closed)
            raise sent from error
        if child.exitcode != 0 and not (stopped_here and child.exitcode == -signal.SIGKILL):
            raise WorkerEnded(child.exitcode) from error  # killed by another (the system, short of memory) or exited
        raise
    finally:
        ours.close()
    try:
        sent = errors.recv()  # the child's word that its work is done (None), or its error
    except EOFError:  # it ended without a word: killed, or exited
        child.join()
        raise WorkerEnded(child.exitcode) from None
    if sent is not None:
        child.join()
        raise sent


@contextmanager
def forked_result(work: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """``work()`` in a forked child while the with-block runs; gives the function that waits for its result (sent
    pickled, received once) and raises the child's error. Leaving the block waits for the result, which a child
    whose result is larger than the pipe holds cannot end without; an error in the block stops the child."""
    with forked(partial(_sending_result, work)) as channel:
        received: list[T] = []

        def result() -> T:
            if not received:
                received.append(channel.recv())
            return received[0]

        yield result
        result()


def _sending_result(work: Callable[[], T], channel: Connection) -> None:
    channel.send(work())


@contextmanager
def spawned(work: Callable[..., T], *args: Any) -> Iterator[Callable[[], T]]:
    """``work(*args)`` in a new interpreter while the with-block runs; gives the function that waits for its result
    and raises its error. Leaving the block waits for it; an error in the block stops it.

    For work that needs little of this process and runs while this process changes much of its memory: a forked
    child keeps its own copy of every page its parent changes meanwhile, a new interpreter shares none. Started as
    ``python -c`` rather than by multiprocessing's "spawn", which imports the caller's main script again (a script
    without an ``if __name__ == "__main__"`` guard would run again in the child). ``work`` must be a module-level
    function and ``args`` picklable; the child starts in a few tenths of a second.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", "from civicgraph.util.parallel import serve_spawned; serve_spawned()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},  # it imports what this process imports
    )
    assert child.stdin is not None and child.stdout is not None
    received: list[T] = []

    def result() -> T:
        if not received:
            assert child.stdout is not None
            sent = child.stdout.read()
            child.wait()
            if child.returncode != 0 or not sent:  # killed or exited, perhaps with part of its outcome sent
                raise WorkerEnded(child.returncode)
            failed, outcome = pickle.loads(sent)
            if failed:
                raise outcome
            received.append(outcome)
        return received[0]

    try:
        with child.stdin:
            child.stdin.write(pickle.dumps((work, args), protocol=pickle.HIGHEST_PROTOCOL))
        yield result
        result()  # the child cannot end before what it sends is read
    except BaseException:
        child.kill()
        raise
    finally:
        child.stdout.close()
        child.wait()


def serve_spawned() -> None:
    """The child of :func:`spawned`: reads ``(work, args)`` on stdin, sends ``(failed, outcome)`` on stdout, its
    error's traceback a note (as :func:`_reporting` does). SIGTERM is an interrupt here, sent as one, as in a forked
    worker, which inherits that from the console script: SIGTERM to a build's whole process group then ends it as
    terminated whichever of its processes is heard from first, not as a worker ended by a signal."""
    with terminated_as_interrupt():
        try:
            work, args = pickle.loads(sys.stdin.buffer.read())
            outcome: tuple[bool, Any] = (False, work(*args))
        except BaseException as error:  # an interrupt too: sent, not printed as a traceback
            error.add_note(f"raised in a spawned worker process:\n{traceback.format_exc()}")
            outcome = (True, error)
    try:
        sent = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # an error that cannot be pickled: its type and text will do
        sent = pickle.dumps((True, RuntimeError(f"{type(error).__name__}: {error}")))
    _write_all(sys.stdout.buffer, sent)


def _write_all(stream: BinaryIO, data: bytes) -> None:
    """Write all of ``data``: with ``PYTHONUNBUFFERED`` set (as many containers and CI systems set it), standard
    output is the raw file, whose write may take only part of the bytes. It did so, and the rest was lost, when a
    sampling profiler paused the child while the pipe to its parent was full (2 of 3 national builds profiled)."""
    unwritten = memoryview(data)
    while unwritten:
        unwritten = unwritten[stream.write(unwritten) :]
    stream.flush()


def _reporting(work: Callable[..., None], errors: Connection, *args: Any) -> None:
    """``work(*args)`` in a forked child; then None, the word that it is done, is sent to the parent. Its error
    is sent instead, which the parent raises, rather than printed here: a traceback from the child would come
    before the parent's one clean message (a full disk, say). The child's traceback goes with it as a note, which
    ``--debug`` shows."""
    try:
        work(*args)
    except BaseException as error:
        error.add_note(f"raised in a forked worker process:\n{traceback.format_exc()}")
        try:
            errors.send(error)
        except Exception:  # an error that cannot be pickled: its type and text will do
            errors.send(RuntimeError(f"{type(error).__name__}: {error}"))
        raise SystemExit(1) from None  # ends the child with exit code 1, printing nothing
    errors.send(None)


def _sent_error(errors: Connection) -> BaseException | None:
    """The error a child sent, if it sent one."""
    try:
        if errors.poll():
            sent = errors.recv()
            return sent if isinstance(sent, BaseException) else None
    except (EOFError, OSError):
        pass
    return None


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


class WorkerEnded(Failure):
    """A worker process that ended without sending an error: killed (the system kills the largest process when
    memory runs out) or exited. The command fails with :attr:`ExitCode.WORKER_ENDED`, its message printed without
    a traceback, as for a full disk."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(_ended_message(exitcode), ExitCode.WORKER_ENDED)


def _ended_message(exitcode: int | None) -> Message:
    if exitcode is None or exitcode >= 0:
        return Message(
            f"proces roboczy zakończył się kodem {exitcode}, zanim skończył pracę",
            f"a worker process ended with exit code {exitcode} before finishing its work",
        )
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"{-exitcode}"
    if -exitcode == signal.SIGKILL:  # what the kernel's out-of-memory killer sends
        return Message(
            f"proces roboczy został zabity sygnałem {name}, zanim skończył pracę (tak system kończy procesy, gdy "
            "brakuje mu pamięci)",
            f"a worker process was killed by signal {name} before finishing its work (the system kills processes "
            "so when it runs out of memory)",
        )
    return Message(
        f"proces roboczy został zakończony sygnałem {name}, zanim skończył pracę",
        f"a worker process was ended by signal {name} before finishing its work",
    )
