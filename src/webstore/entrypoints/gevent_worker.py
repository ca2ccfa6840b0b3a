"""gunicorn's gevent worker, taking turns between keep-alive connections."""

from __future__ import annotations

import sys
from typing import Any

import gevent
from gevent.server import StreamServer
from gunicorn.workers.ggevent import GeventWorker


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
        super().init_process()

    def patch(self) -> None:
        super().patch()
        cooperative_psycopg()

    def handle_request(self, *args: Any) -> Any:
        try:
            return super().handle_request(*args)
        finally:
            gevent.sleep(0)


def cooperative_psycopg() -> None:
    """Make psycopg wait for PostgreSQL through gevent, whenever it was imported.

    psycopg chooses how to wait for the server when it is imported: its C function (which
    blocks the whole process) unless gevent has patched ``select`` by then. ``webstore serve``
    migrates the database before gunicorn forks its workers, so psycopg is imported in the
    master, unpatched: every query, and every wait for a row lock, would then stop all of a
    worker's connections. Its poll-based function looks ``select.poll`` up when called, which
    gevent has patched by now.
    """
    waiting: Any = sys.modules.get("psycopg.waiting")
    if waiting is not None and waiting.wait is getattr(waiting, "wait_c", None):
        waiting.wait = waiting.wait_poll
