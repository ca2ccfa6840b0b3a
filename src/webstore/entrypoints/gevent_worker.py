"""gunicorn's gevent worker, taking turns between keep-alive connections."""

from __future__ import annotations

from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker


class FairGeventWorker(GeventWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """After each request, let the worker's other connections have their turn.

    A keep-alive client that sends its next request at once finds it already readable, so its
    greenlet would go on serving it without ever yielding; the worker's other connections then
    wait for hundreds of milliseconds (measured: p99 600-900 ms with keep-alive against 18 ms
    with ``Connection: close``, at the same throughput).
    """

    def handle_request(self, *args: Any) -> Any:
        try:
            return super().handle_request(*args)
        finally:
            gevent.sleep(0)
