"""Every run-time replacement of a library's internals, for want of a documented setting.

Each patch is installed by one function here; ``tests/unit/test_library_patches.py`` fails when
the library changes under it (the replaced name gone or its signature changed, or the library no
longer looking it up where the patch puts ours). The versions are pinned to their minor in
``pyproject.toml`` for the same reason (docs/decisions.md).

1. ``gunicorn.util.write_error`` becomes ``write_json_error`` (``install_json_error_answers``).
   Requests gunicorn refuses before they reach the app (a malformed request line, header or
   chunk; headers too large) are answered by ``util.write_error``, which ``Worker.handle_error``
   looks up on the module at each call, with an HTML page. gunicorn has no setting for that
   answer (benoitc/gunicorn#993); overriding ``handle_error`` in our worker would mean copying
   its mapping of every parse error to a status and a message.
2. ``gunicorn.workers.ggevent.StreamServer`` becomes ``BalancingStreamServer``
   (``install_balancing_servers``). gunicorn's gevent worker makes its listening servers from
   this module global in ``GeventWorker.run``; its one choice of class, ``server_class``, makes
   it a gevent ``pywsgi`` server that parses HTTP itself instead of gunicorn. The balance between
   workers (balancing.py) needs its own server class.
3. ``gunicorn.http.wsgi.Response`` becomes ``CoalescingResponse``
   (``install_coalescing_responses``), which sends a response's head with the first bytes of
   its body: one ``send`` instead of two (coalescing.py). ``wsgi.create`` makes each response
   from this module global unless given a ``response_class``, which gunicorn's async worker
   gives only for HTTP/2. The subclass overrides ``send_headers``, ``write`` and
   ``_emit_body``, the hook gunicorn documents for a subclass that puts body bytes on the wire
   its own way. gunicorn has no setting for it.

Relied on, not replaced (tested with the patches): gunicorn sets the server's ``max_accept`` (a
documented gevent attribute) to 1 when there are several workers, and gevent's accept loop
(``BaseServer._do_read``) calls the ``do_read`` hook that ``BalancingStreamServer`` overrides
and stops at a ``None``.

Documented settings, kept where they are and not patches:

- ``PSYCOPG_WAIT_FUNC`` (server.py): psycopg's documented choice of the function it waits with,
  read once when psycopg is imported;
- ``logging._srcfile``, ``logging.logThreads``, ``logging.logMultiprocessing`` (logs.py): the
  switches of the "Optimization" section of Python's logging HOWTO;
- ``PIL.Image.MAX_IMAGE_PIXELS`` (adapters/pictures.py): Pillow's decompression-bomb limit.
"""

from __future__ import annotations

import functools
import json
import socket
import uuid
from typing import TYPE_CHECKING

from gunicorn import util as gunicorn_util

if TYPE_CHECKING:
    from webstore.entrypoints.serve.balancing import KeptClients


def install_json_error_answers() -> None:
    """Patch 1: gunicorn's own error answers speak JSON, as every other answer does (forked
    workers inherit it)."""
    gunicorn_util.write_error = write_json_error


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error``, speaking JSON instead of HTML."""
    detail = "A server error occurred." if status_int >= 500 else (mesg or reason)
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"X-Request-ID: {uuid.uuid4().hex}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


def install_coalescing_responses() -> None:
    """Patch 3: responses made by ``gunicorn.http.wsgi.create`` send their head with their
    body (call in the worker)."""
    from gunicorn.http import wsgi

    from webstore.entrypoints.serve.coalescing import CoalescingResponse

    wsgi.Response = CoalescingResponse


def install_balancing_servers(clients: KeptClients) -> None:
    """Patch 2: this worker's listening servers are ``BalancingStreamServer``s counting
    ``clients`` (call in the worker, before gunicorn's ``run`` makes them)."""
    # Imported here: gevent is the worker's business, not that of whoever imports this module.
    from gunicorn.workers import ggevent

    from webstore.entrypoints.serve.balancing import BalancingStreamServer

    ggevent.StreamServer = functools.partial(BalancingStreamServer, clients=clients)
