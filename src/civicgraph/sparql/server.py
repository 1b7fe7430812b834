"""The HTTP server of ``civicgraph serve``: uvicorn, with the limits a public endpoint needs against slow and
numerous clients, and a log that names each refusal in one line.

uvicorn closes idle keep-alive connections, but waits forever for a request head that never completes: 1,100
connections sending a header byte now and then (slowloris) kept it from accepting anyone else. Here a connection
must deliver each request head within ``header_timeout`` seconds (408, then closed), and connections beyond
``max_connections`` are closed at once with a 503. The h11 parser's limit on an incomplete request head is raised
to the endpoint's own limit on a query string, so a GET of 16 to 64 KB arriving in several TCP segments is read
whole instead of failing with 400.

The listening sockets are bound here (:func:`listen`), before uvicorn starts, and handed to it: an address that
cannot be had (a port in use, a host that is not this machine's) ends the command with one line and exit code 2,
where uvicorn would log its own error and exit 3, the code of bad source data.
"""

from __future__ import annotations

import asyncio
import copy
import errno
import logging
import resource
import socket
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from civicgraph.util.errors import ExitCode, Failure, Message

LOG = logging.getLogger("civicgraph.serve")
BACKLOG = 2048  # uvicorn's default


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


class CannotListen(Failure):
    """The address ``serve`` was told to listen on cannot be had: a wrong ``--host`` or ``--port`` (exit 2)."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        why = _why_not(error)
        super().__init__(
            Message(f"nie można nasłuchiwać na {where}: {why.pl}", f"cannot listen on {where}: {why.en}"),
            ExitCode.USAGE,
        )


def _why_not(error: OSError) -> Message:
    """Why a socket could not be bound, with what to change; the system's own words where no better are known."""
    said = error.strerror or str(error)
    if isinstance(error, socket.gaierror):
        return Message(f"nie można ustalić adresu tej nazwy ({said})", f"the host name cannot be resolved ({said})")
    if error.errno == errno.EADDRINUSE:
        return Message(
            "adres jest już w użyciu (nasłuchuje tam inny program; podaj inny --port)",
            "the address is already in use (another program listens there; give another --port)",
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return Message(
            "to nie jest adres tego komputera (podaj w --host adres jednego z jego interfejsów)",
            "it is not an address of this machine (give --host the address of one of its interfaces)",
        )
    if error.errno == errno.EACCES:
        return Message(
            "brak uprawnień (porty poniżej 1024 wymagają uprawnień administratora; podaj inny --port)",
            "permission denied (ports below 1024 need administrator rights; give another --port)",
        )
    return Message(said, said)


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets listening on every address ``host`` names, at ``port``, opened as uvicorn opens them itself
    (asyncio's ``create_server``: ``SO_REUSEADDR``, an IPv6 socket for IPv6 alone); raises :class:`CannotListen`,
    having closed any it opened, when one cannot be bound."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as error:  # socket.gaierror: the name does not resolve
        raise CannotListen(host, port, error) from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, protocol, _name, address in dict.fromkeys(addresses):
            sock = socket.socket(family, kind, protocol)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            # Listening now, not once uvicorn has started: two sockets with SO_REUSEADDR may both be bound to one
            # port until one listens, and connections made from here on wait in the backlog instead of failing.
            sock.listen(BACKLOG)
    except OSError as error:
        for sock in sockets:
            sock.close()
        raise CannotListen(host, port, error) from None
    return sockets


def run(
    app: Any, sockets: list[socket.socket], limits: ConnectionLimits, refused: RefusalLog, access_log: bool
) -> None:
    """Serve ``app`` on ``sockets`` (:func:`listen`) until stopped; closes them."""
    raise_open_files_limit(limits.max_connections + 256)
    config = uvicorn.Config(
        app,
        http=guarded_protocol(limits, refused),
        timeout_keep_alive=limits.idle_timeout,
        h11_max_incomplete_event_size=limits.max_head,
        log_level="info",
        log_config=log_config(),
        access_log=access_log,
        backlog=BACKLOG,
    )
    try:
        uvicorn.Server(config).run(sockets=sockets)
    except KeyboardInterrupt:
        # Ctrl-C: the server stopped gracefully, then raised the signal again for Python's handler. uvicorn.run
        # ends normally on it; so does serve.
        pass
    finally:
        for sock in sockets:
            sock.close()
