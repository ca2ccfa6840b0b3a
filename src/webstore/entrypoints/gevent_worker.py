"""gunicorn's gevent worker, taking turns between keep-alive connections."""

from __future__ import annotations

import sys
from typing import Any

import gevent
from gevent.server import StreamServer
from gunicorn.workers import ggevent
from gunicorn.workers.ggevent import GeventWorker

# How long a worker holding open connections lets a new one wait before taking it: per
# connection it holds, and at most so many connections' worth.
ACCEPT_DELAY_PER_CONNECTION = 0.002
ACCEPT_DELAY_CAP = 10


class BalancingStreamServer(StreamServer):  # type: ignore[misc]  # gevent ships no stubs here
    """A listening server that lets the less busy worker take each new connection.

    Every worker waits on the one listening socket, and each new connection goes to whichever
    accepts first. Keep-alive clients then stay where they landed: with 8 connections, a
    5-3 split left one worker's core idle while the other queued (1135 against 1300 orders a
    second for 4-4). So a worker that already holds connections waits a moment, longer the
    more it holds, before it accepts: a worker holding fewer is woken by the same connection
    and takes it first. A connection nobody else takes waits at most 20 milliseconds.
    """

    _deferred = False

    def _do_read(self) -> None:
        held = self.pool.size - self.pool.free_count() if self.pool is not None else 0
        if held and not self._deferred:
            self._deferred = True
            self.stop_accepting()
            delay = min(held, ACCEPT_DELAY_CAP) * ACCEPT_DELAY_PER_CONNECTION
            self._timer = self.loop.timer(delay)
            self._timer.start(self._start_accepting_if_started)
            return
        self._deferred = False
        super()._do_read()


class FairGeventWorker(GeventWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """After each request, let the worker's other connections have their turn.

    A keep-alive client that sends its next request at once finds it already readable, so its
    greenlet would go on serving it without ever yielding; the worker's other connections then
    wait for hundreds of milliseconds (measured: p99 600-900 ms with keep-alive against 18 ms
    with ``Connection: close``, at the same throughput).
    """

    def init_process(self) -> None:
        # One connection per wake-up of the listening socket, not up to a hundred: the workers
        # share that socket, and a burst of new connections (a proxy's or a load generator's
        # keep-alive pool) would otherwise go mostly to whichever worker woke first, leaving
        # it with most of the work for as long as they stay open. This is the worker's own
        # process: the setting concerns its servers only.
        StreamServer.max_accept = 1
        # gunicorn's gevent worker makes its servers from this module global.
        ggevent.StreamServer = BalancingStreamServer
        super().init_process()

    def patch(self) -> None:
        if "psycopg" in sys.modules:
            # Bound before gevent patched the process, its waits would stop the whole worker
            # (``webstore serve`` never imports it in the master: it migrates in a child).
            raise RuntimeError(
                "psycopg was imported before gevent patched this worker: every wait for "
                "PostgreSQL would stop all of the worker's requests"
            )
        super().patch()

    def handle_request(self, *args: Any) -> Any:
        try:
            return super().handle_request(*args)
        finally:
            gevent.sleep(0)
