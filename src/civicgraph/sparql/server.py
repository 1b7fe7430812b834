"""The HTTP server of ``civicgraph serve``: uvicorn, with the limits a public endpoint needs against slow and
numerous clients, and a log that names each refusal in one line.

uvicorn closes idle keep-alive connections, but waits forever for a request head that never completes: 1,100
connections sending a header byte now and then (slowloris) kept it from accepting anyone else. Here a connection
must deliver each request head within ``header_timeout`` seconds (408, then closed), and connections beyond
``max_connections`` are closed at once with a 503. The h11 parser's limit on an incomplete request head is raised
to the endpoint's own limit on a query string, so a GET of 16 to 64 KB arriving in several TCP segments is read
whole instead of failing with 400.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

LOG = logging.getLogger("civicgraph.serve")


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = 10.0  # seconds for a request head to arrive
    idle_timeout: int = 5  # seconds a keep-alive connection may stay idle
    max_connections: int = 512  # open at once
    max_head: int = 64 * 1024 + 16 * 1024  # bytes of a request head (request line with the query, headers)


class RefusalLog:
    """One log line per refusal; the same kind from the same client within ``interval`` seconds is counted and
    told with the next line, so a flood of refusals cannot flood the log."""

    def __init__(self, interval: float = 10.0, clock: Any = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.last: dict[tuple[str, str], float] = {}
        self.held: dict[tuple[str, str], int] = {}

    def __call__(self, kind: str, client: str, message: str) -> None:
        key = (kind, client)
        now = self.clock()
        if key in self.last and now - self.last[key] < self.interval:
            self.held[key] = self.held.get(key, 0) + 1
            return
        self.last[key] = now
        more = self.held.pop(key, 0)
        also = f" (and {more} more like it in the last {self.interval:g} s)" if more else ""
        LOG.warning("refused %s from %s: %s%s", kind, client, message, also)


def guarded_protocol(limits: ConnectionLimits, refused: RefusalLog) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline for each request head and a cap on open connections."""

    class GuardedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _answered: object = None  # the request cycle answered last; a new one means a new head arrived

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                client = self.client[0] if self.client else "-"
                refused("connection", client, f"more than {limits.max_connections} connections are open")
                self._close_with(503, "Service Unavailable")
                return
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not None and self.cycle is not self._answered:
                self._disarm()  # a whole request head arrived

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._answered = self.cycle
            if not self.transport.is_closing():
                self._arm()  # the next request's head has its own deadline

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timed_out)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if self.transport.is_closing() or (self.cycle is not None and self.cycle is not self._answered):
                return
            client = self.client[0] if self.client else "-"
            refused("slow request head", client, f"no complete request head within {limits.header_timeout:g} s")
            self._close_with(408, "Request Timeout")

        def _close_with(self, status: int, reason: str) -> None:
            self.transport.write(
                f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode("ascii")
            )
            self.transport.close()

    return GuardedH11Protocol


def raise_open_files_limit(wanted: int) -> None:
    """Let the process hold ``wanted`` descriptors when the hard limit allows, so that accepting connections
    never fails for want of them (each failure would log a traceback)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log on stderr too (stdout is for data), and the refusals' logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    config["loggers"][LOG.name] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def run(app: Any, host: str, port: int, limits: ConnectionLimits, refused: RefusalLog, access_log: bool) -> None:
    raise_open_files_limit(limits.max_connections + 256)
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=guarded_protocol(limits, refused),
        timeout_keep_alive=limits.idle_timeout,
        h11_max_incomplete_event_size=limits.max_head,
        log_level="info",
        log_config=log_config(),
        access_log=access_log,
    )
