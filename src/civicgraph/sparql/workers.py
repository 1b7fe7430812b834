"""The query workers of ``civicgraph serve``: processes that hold the graph, and the fair queue in front of them.

**Why processes.** pyoxigraph evaluates a query in Rust without coming back to Python, so a thread running it
cannot be interrupted: a query that overruns its time limit is stopped by killing its process (SIGKILL).

**Forked from a template.** One process (the *template*) loads the graph once; every worker is forked from it and
shares the graph's memory copy-on-write. A replacement worker is ready in tens of milliseconds (loading a national
graph takes 10 to 30 s), so killing a worker costs the others nothing. The template only loads and forks.

**Memory bound.** Each worker limits its own address space (``RLIMIT_AS``) to what it holds after the fork plus
``memory_limit`` bytes. A query that needs more ends its worker (Rust aborts on a failed allocation); the client
gets 503 saying so, and a fresh worker takes its place.

**Fair queue.** A request waits for a worker in its client's queue (clients told apart by address); freed workers
go to the waiting client running fewest queries (in turn among equals), so many requests from one client do
not starve another; a client whose query was stopped (time limit, memory, or long while others waited) is served
after the others for half a minute. A queue has a length
limit and a request a waiting limit: past either, 503 with ``Retry-After``. At most ``size - 1`` workers (at least
one) run *long* queries — past ``long_after`` seconds — while others wait: when every worker is busy and more than
that many run long, the youngest long query of a client stopped recently, else of the client holding most
workers, is stopped (503, ``Retry-After``),
so short queries are answered while runaway ones are cut off.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import resource
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Any

from civicgraph.sparql.library import OxigraphEngine, QueryDataError, load_store
from civicgraph.sparql.replies import QueryJob, Reply, answer, problem

STARTUP_TIMEOUT = 300.0  # seconds the template may take to load the graph
PENALTY = 30.0  # seconds a client whose query was stopped is served after the others


@dataclass(frozen=True)
class PoolLimits:
    size: int = 2  # worker processes
    timeout: float = 10.0  # seconds a query may run
    memory_limit: int | None = 1024 * 1024 * 1024  # bytes a worker may allocate beyond the shared graph
    long_after: float = 1.0  # seconds after which a running query counts as long
    max_queued: int = 256  # requests waiting, all clients together
    max_queued_per_client: int = 64
    max_wait: float = 10.0  # seconds a request may wait for a worker


Refused = Callable[[str, str, str], None]  # (kind, client, message): the endpoint's refusal log


# -- the processes --------------------------------------------------------------------------------------------


def _template_main(control: Connection, data: str, memory_limit: int | None) -> None:
    """Load the graph, then fork a worker for each ``fork`` request and reap the ones asked for."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group; the parent stops us
    try:
        store = load_store(Path(data))
    except QueryDataError as error:
        control.send(("failed", str(error)))
        return
    control.send(("ready", len(store)))
    while True:
        try:
            request = control.recv()
        except (EOFError, OSError):
            return
        if request[0] == "fork":
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:  # the worker
                ours.close()
                control.close()
                _worker_main(Connection(theirs.detach()), OxigraphEngine(store), memory_limit)
                os._exit(0)
            theirs.close()
            control.send(("forked", pid))
            send_handle(control, ours.fileno(), os.getppid())
            ours.close()
        elif request[0] == "reap":
            _, status = os.waitpid(request[1], 0)
            control.send(("reaped", status))
        else:
            return


def _worker_main(connection: Connection, engine: OxigraphEngine, memory_limit: int | None) -> None:
    """Answer jobs until the pipe closes, within the memory bound."""
    # The parent reports a worker's end in one line; Rust's own message on a failed allocation would add more.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    if memory_limit is not None:
        with open("/proc/self/statm", encoding="ascii") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (held + memory_limit, held + memory_limit))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(engine, job)
        except MemoryError:
            reply = _out_of_memory(memory_limit)
        except Exception as error:  # a bug must cost one request, not the worker
            reply = problem(500, f"internal error: {type(error).__name__}: {error}")
        connection.send(reply)


def _out_of_memory(memory_limit: int | None) -> Reply:
    limit = f"the {memory_limit // 2**20} MiB" if memory_limit else "the"
    return problem(503, f"query stopped: it needed more than {limit} memory a query may use here")


class Template:
    """The process holding the graph; forks and reaps the workers (one request at a time)."""

    def __init__(self, data: Path, memory_limit: int | None) -> None:
        context = multiprocessing.get_context("spawn")
        self.control, child = context.Pipe()
        self.process = context.Process(
            target=_template_main, args=(child, str(data), memory_limit), daemon=True, name="civicgraph-graph"
        )
        self.process.start()
        child.close()
        self.lock = threading.Lock()
        if not self.control.poll(STARTUP_TIMEOUT):
            self.process.kill()
            raise QueryDataError(f"{data}: the graph was not loaded in {STARTUP_TIMEOUT:g} s")
        try:
            status, detail = self.control.recv()
        except EOFError:
            raise QueryDataError(f"{data}: the process loading the graph ended") from None
        if status != "ready":
            self.process.join()
            raise QueryDataError(str(detail))
        self.triples = int(detail)

    def fork(self) -> tuple[int, Connection]:
        with self.lock:
            self.control.send(("fork",))
            _, pid = self.control.recv()
            return pid, Connection(recv_handle(self.control))

    def reap(self, pid: int) -> int:
        """Wait for a worker that was killed or ended; its wait status."""
        with self.lock:
            self.control.send(("reap", pid))
            _, status = self.control.recv()
            return int(status)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.control.send(("stop",))
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
        self.control.close()


# -- the pool -------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Worker:
    pid: int
    connection: Connection
    client: str | None = None  # whose query it runs
    started: float = 0.0  # when that query started (monotonic)
    stopped_for: str | None = None  # why the pool killed it mid-query, if it did


@dataclass(eq=False)
class _Waiter:
    client: str
    granted: asyncio.Future[Worker] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class WorkerPool:
    """Worker processes answering queries, handed out fairly; a worker that overruns is killed and replaced."""

    def __init__(self, data: Path, limits: PoolLimits | None = None, refused: Refused | None = None) -> None:
        self.data = data
        self.limits = limits or PoolLimits()
        self.refused: Refused = refused or (lambda kind, client, message: None)
        self.template: Template | None = None
        self.idle: list[Worker] = []
        self.busy: set[Worker] = set()
        self.queues: dict[str, deque[_Waiter]] = {}
        self.turns: deque[str] = deque()  # clients with waiting requests, in the order they are served
        self.stopped: dict[str, float] = {}  # client -> when a query of theirs was last stopped (monotonic)
        self.triples = 0
        self.replaced = 0
        self.started = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watch: asyncio.Task[None] | None = None

    @property
    def size(self) -> int:
        return self.limits.size

    def start(self) -> None:
        """Load the graph and fork the workers; raises QueryDataError when the graph cannot be read."""
        self.template = Template(self.data, self.limits.memory_limit)
        self.triples = self.template.triples
        for _ in range(self.size):
            pid, connection = self.template.fork()
            self.idle.append(Worker(pid, connection))
        self.started = True

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        for worker in [*self.idle, *self.busy]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            worker.connection.close()
        self.idle.clear()
        self.busy.clear()
        if self.template is not None:
            self.template.stop()
        self.started = False

    # -- handing out workers --------------------------------------------------------------------------------

    def _queued(self) -> int:
        return sum(len(queue) for queue in self.queues.values())

    async def _acquire(self, client: str) -> Worker | Reply:
        if self.idle and not self.turns:
            return self.idle.pop()
        if self._queued() >= self.limits.max_queued:
            return self._busy_reply(client, "queue full", f"{self.limits.max_queued} requests are waiting already")
        queue = self.queues.setdefault(client, deque())
        if len(queue) >= self.limits.max_queued_per_client:
            return self._busy_reply(client, "client queue full", f"{len(queue)} of your requests are waiting already")
        waiter = _Waiter(client)
        queue.append(waiter)
        if client not in self.turns:
            self.turns.append(client)
        self._ensure_watch()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.granted), self.limits.max_wait)
        except TimeoutError:
            if waiter.granted.done():  # granted just as the wait ran out: use it
                return waiter.granted.result()
            self._forget(waiter)
            return self._busy_reply(client, "waited too long", f"no worker was free for {self.limits.max_wait:g} s")
        except asyncio.CancelledError:  # the client went away while waiting
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release(waiter.granted.result())
            else:
                self._forget(waiter)
            raise

    def _forget(self, waiter: _Waiter) -> None:
        queue = self.queues.get(waiter.client)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self.queues[waiter.client]
                with contextlib.suppress(ValueError):
                    self.turns.remove(waiter.client)

    def _release(self, worker: Worker) -> None:
        """A free worker goes to the waiting client running fewest queries (in turn among equals; a client whose
        query was stopped in the last :data:`PENALTY` seconds after the others), else back to the idle list."""
        worker.client, worker.stopped_for = None, None
        self.busy.discard(worker)
        while self.turns:
            client = min(self.turns, key=self._precedence)  # the first of the least served
            self.turns.remove(client)
            queue = self.queues[client]
            waiter = queue.popleft()
            if queue:
                self.turns.append(client)
            else:
                del self.queues[client]
            if not waiter.granted.done():
                waiter.granted.set_result(worker)
                return
        self.idle.append(worker)

    def _precedence(self, client: str) -> tuple[bool, int]:
        """Lower goes first: not recently stopped, then running fewer queries."""
        recently_stopped = time.monotonic() - self.stopped.get(client, -PENALTY) < PENALTY
        return recently_stopped, sum(1 for worker in self.busy if worker.client == client)

    def _busy_reply(self, client: str, kind: str, why: str) -> Reply:
        retry = max(1, math.ceil(self.limits.long_after))
        message = f"the endpoint is busy: {why}; try again in {retry} s"
        self.refused(kind, client, message)
        return problem(503, message, retry_after=retry)

    # -- running a job ----------------------------------------------------------------------------------------

    async def run(self, job: QueryJob, client: str = "-") -> Reply:
        """Answer ``job`` on a worker within the time limit (or say why not)."""
        acquired = await self._acquire(client)
        if isinstance(acquired, Reply):
            return acquired
        worker = acquired
        worker.client, worker.started = client, time.monotonic()
        self.busy.add(worker)
        settled = False
        try:
            worker.connection.send(job)
            if not await _readable(worker.connection, self.limits.timeout):
                worker.stopped_for = "timeout"
                self.stopped[client] = time.monotonic()
                message = (
                    f"query cancelled: it ran longer than {self.limits.timeout:g} s, the time limit of this endpoint"
                )
                self.refused("timeout", client, message)
                return problem(422, message)
            reply: Reply = worker.connection.recv()
            settled = worker.stopped_for is None  # stopped just after it answered: the reply stands, not the worker
            return reply
        except (EOFError, OSError):
            return await self._ended(worker, client)
        finally:
            if settled:
                self._release(worker)
            else:  # overran, died, was stopped, or the request was cancelled mid-query
                self._replace(worker)

    async def _ended(self, worker: Worker, client: str) -> Reply:
        """The reply for a worker whose pipe closed mid-query: stopped by the pool, or ended on its own."""
        self.stopped[client] = time.monotonic()
        if worker.stopped_for == "long":
            retry = max(1, math.ceil(self.limits.timeout))
            return problem(
                503,
                f"query stopped after {self.limits.long_after:g} s: every worker was busy and at most "
                f"{self._long_cap()} may run long queries while others wait; try again in {retry} s",
                retry_after=retry,
            )
        assert self.template is not None
        status = await asyncio.to_thread(self.template.reap, worker.pid)
        worker.pid = 0  # reaped: _replace must not wait for it again
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            reply = _out_of_memory(self.limits.memory_limit)
            self.refused("memory", client, reply.body.decode().strip())
            return reply
        self.refused("worker ended", client, f"a query worker ended (wait status {status}) while running a query")
        return problem(500, "the query worker ended while running the query; it is being replaced")

    def _replace(self, worker: Worker) -> None:
        self.busy.discard(worker)
        self.replaced += 1
        task = asyncio.get_running_loop().create_task(self._respawn(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, worker: Worker) -> None:
        assert self.template is not None
        worker.connection.close()
        if worker.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            await asyncio.to_thread(self.template.reap, worker.pid)
        pid, connection = await asyncio.to_thread(self.template.fork)
        self._release(Worker(pid, connection))

    # -- stopping long queries when others wait -----------------------------------------------------------------

    def _long_cap(self) -> int:
        return max(1, self.size - 1)

    def _ensure_watch(self) -> None:
        if self._watch is None or self._watch.done():
            self._watch = asyncio.get_running_loop().create_task(self._watch_long_queries())

    async def _watch_long_queries(self) -> None:
        """While requests wait and no worker is idle, keep long queries within their share of the workers."""
        while self.turns:
            await asyncio.sleep(min(0.1, self.limits.long_after / 4))
            if self.idle or not self.turns:
                continue
            now = time.monotonic()
            long = [w for w in self.busy if w.stopped_for is None and now - w.started > self.limits.long_after]
            for worker in self._to_stop(long, len(long) - self._long_cap()):
                worker.stopped_for = "long"
                self.refused("long query stopped", worker.client or "-", "a long query was stopped to free a worker")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)

    def _to_stop(self, long: list[Worker], excess: int) -> list[Worker]:
        """The ``excess`` youngest long queries, first of clients stopped recently, then of those running most."""
        chosen: list[Worker] = []
        remaining = list(long)
        for _ in range(max(excess, 0)):
            worst = max(remaining, key=lambda w: (self._precedence(w.client or "-"), w.started))
            chosen.append(worst)
            remaining.remove(worst)
        return chosen


async def _readable(connection: Connection, timeout: float) -> bool:
    """Wait until the worker has written its reply (or closed the pipe), without holding a thread."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    descriptor = connection.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(descriptor, wake)
    try:
        await asyncio.wait_for(ready, timeout)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(descriptor)
