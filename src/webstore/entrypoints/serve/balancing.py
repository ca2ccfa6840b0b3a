"""New connections go to the worker that keeps fewer clients: keep-alive clients spread evenly.

Every worker waits on the one listening socket, and each new connection goes to whichever
accepts first. Keep-alive clients then stay where they landed: with 8 connections, a 5-3 split
left one worker's core idle while the other queued (1135 against 1300 orders a second for 4-4).
So a worker that keeps more clients than the least loaded other one (``worker_loads.py``) waits
a moment, longer the more it keeps, before it accepts: the other is woken by the same
connection and takes it first. A connection nobody else takes waits at most 20 milliseconds.

Only connections that have sent a request count as clients. Sockets that connect and say
nothing (by the thousand, or a hundred new ones a second) move no count, so no worker ever
waits for them: each is accepted at once, and closed after the keep-alive timeout.
"""

from __future__ import annotations

from typing import Any

from gevent.server import StreamServer

from webstore.entrypoints.serve.worker_loads import WorkerLoad

# How long a worker keeping more clients than another lets a new connection wait before it
# takes it: per client more, and at most so many clients' worth.
ACCEPT_DELAY_PER_CLIENT = 0.002
ACCEPT_DELAY_CAP = 10


class KeptClients:
    """One worker's connections that have sent a request and are still open."""

    def __init__(self, load: WorkerLoad | None) -> None:
        self._load = load
        self._clients: set[Any] = set()

    def served(self, connection: Any, request_number: int) -> None:
        """A request was read on ``connection`` (the first makes it a client)."""
        if request_number == 1:
            self._clients.add(connection)
            self._publish()

    def closed(self, connection: Any) -> None:
        if connection in self._clients:
            self._clients.discard(connection)
            self._publish()

    def withdraw(self) -> None:
        """This worker takes no more connections: the others stop comparing themselves to it."""
        if self._load is not None:
            self._load.withdraw()
            self._load = None

    def head_start(self) -> float:
        """How long to leave a new connection to a worker keeping fewer (0: take it now)."""
        fewest = self._load.fewest_elsewhere() if self._load is not None else None
        more = len(self._clients) - fewest if fewest is not None else 0
        return min(more, ACCEPT_DELAY_CAP) * ACCEPT_DELAY_PER_CLIENT if more > 0 else 0.0

    def _publish(self) -> None:
        if self._load is not None:
            self._load.holds(len(self._clients))


class BalancingStreamServer(StreamServer):  # type: ignore[misc]  # gevent ships no stubs here
    """gevent's listening server, waiting its turn before an accept (see the module).

    It overrides ``do_read`` (one accept), ``do_close`` (a connection's handler ended),
    ``stop_accepting`` and ``close``: gevent's hooks for servers, not its accept loop (which
    the worker relies on: library_patches.py). The worker installs it (``ggevent.StreamServer``).
    """

    def __init__(self, *args: Any, clients: KeptClients, **kwargs: Any) -> None:
        self._clients = clients
        self._waited = False
        self._resume: Any = None
        super().__init__(*args, **kwargs)

    def do_read(self) -> Any:
        delay = 0.0 if self._waited else self._clients.head_start()
        if delay > 0:
            self._waited = True  # once: then the connection is taken, whoever else is free
            self.stop_accepting()
            self._resume = self.loop.timer(delay)
            self._resume.start(self._accept_again)
            return None
        self._waited = False
        return super().do_read()

    def do_close(self, connection: Any, *args: Any) -> None:
        super().do_close(connection, *args)
        self._clients.closed(connection)

    def stop_accepting(self) -> None:
        super().stop_accepting()
        if self._resume is not None:
            self._resume.close()
            self._resume = None

    def close(self) -> None:
        self._clients.withdraw()  # a stopping worker takes no more: nobody waits for it
        super().close()

    def _accept_again(self) -> None:
        if self.started:
            self.start_accepting()
