"""gunicorn's gevent worker: connections balanced between workers, turns, bounded body reads."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from webstore.entrypoints.serve.balancing import KeptClients
from webstore.entrypoints.serve.library_patches import (
    install_balancing_servers,
    install_coalescing_responses,
)
from webstore.entrypoints.serve.whole_bodies import READ_DEADLINE, BodyTimedOut
from webstore.entrypoints.serve.worker_loads import WorkerLoad

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class FairGeventWorker(GeventWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's gevent worker: balanced accepts, turns after each request, bounded body reads.

    After each request, the worker's other connections have their turn. A keep-alive client
    that sends its next request at once finds it already readable, so its greenlet would go on
    serving it without ever yielding; the worker's other connections then wait for hundreds of
    milliseconds (measured: p99 600-900 ms with keep-alive against 18 ms with
    ``Connection: close``, at the same throughput).
    """

    load: WorkerLoad | None = None  # set by the master's pre_fork hook (worker_loads.py)
    wsgi: WSGIApplication  # the app gunicorn loaded

    def init_process(self) -> None:
        self.clients = KeptClients(self.load)
        # gunicorn offers no setting for its listening servers' class (library_patches.py).
        # It sets their ``max_accept`` to 1 when there are several workers, as the balance
        # needs too: one connection per wake-up, so that a burst is shared.
        install_balancing_servers(self.clients)
        install_coalescing_responses()  # a response's head and body in one send
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = with_read_deadline(self.wsgi)

    def patch(self) -> None:
        if "psycopg" in sys.modules:
            # Bound before gevent patched the process, its waits would stop the whole worker
            # (``webstore serve`` never imports it in the master: it migrates in a child).
            raise RuntimeError(
                "psycopg was imported before gevent patched this worker: every wait for "
                "PostgreSQL would stop all of the worker's requests"
            )
        super().patch()

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        self.clients.served(sock, req.req_number)
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            gevent.sleep(0)


def with_read_deadline(app: WSGIApplication) -> WSGIApplication:
    """``app``, told how this server bounds a read of a request body (whole_bodies.py)."""

    def served(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[READ_DEADLINE] = read_deadline
        return app(environ, start_response)

    return served


def read_deadline(seconds: float) -> gevent.Timeout:
    """A block that raises ``BodyTimedOut`` after ``seconds``, however the client trickles."""
    return gevent.Timeout(seconds, BodyTimedOut)
