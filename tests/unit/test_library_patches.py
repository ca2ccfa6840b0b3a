"""The library internals ``library_patches.py`` replaces or relies on are still there, and used.

Each test fails when gunicorn, gevent or psycopg changes under a patch: the replaced name gone,
its signature changed, or the library no longer looking it up where the patch puts ours.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import re
import socket
import subprocess
import sys
from typing import Any

import gevent.baseserver
import gevent.server
import gunicorn.http.wsgi
import gunicorn.util
import gunicorn.workers.base
import gunicorn.workers.base_async
import pytest
from gunicorn.http.errors import InvalidRequestLine
from gunicorn.workers import ggevent

from webstore.entrypoints.serve import library_patches
from webstore.entrypoints.serve.balancing import BalancingStreamServer, KeptClients
from webstore.entrypoints.serve.coalescing import CoalescingResponse
from webstore.entrypoints.serve.server import PSYCOPG_WAIT_FUNC


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


class QuietLog:
    """gunicorn's logger, as far as ``Worker.handle_error`` uses it."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def warning(self, message: str, *args: Any) -> None:
        self.lines.append(message % args if args else message)

    exception = debug = warning


def test_gunicorn_still_writes_its_error_answers_with_util_write_error() -> None:
    assert parameters(gunicorn.util.write_error) == ["sock", "status_int", "reason", "mesg"]
    assert parameters(gunicorn.util.write_nonblock)[:2] == ["sock", "data"]
    # Looked up on the module at each call, so the replacement is the one called.
    assert gunicorn.workers.base.util is gunicorn.util
    handle_error = inspect.getsource(gunicorn.workers.base.Worker.handle_error)
    assert "util.write_error(client, status_int, reason, mesg)" in handle_error


def test_gunicorns_refusals_are_answered_in_json_once_the_patch_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gunicorn.util, "write_error", gunicorn.util.write_error)  # restored
    library_patches.install_json_error_answers()
    assert gunicorn.util.write_error is library_patches.write_json_error
    worker = type("Worker", (), {"log": QuietLog()})()
    server_end, client_end = socket.socketpair()
    with server_end, client_end:
        gunicorn.workers.base.Worker.handle_error(
            worker, None, server_end, ("127.0.0.1", 5000), InvalidRequestLine("GARBAGE")
        )
        server_end.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: client_end.recv(65536), b""))
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["detail"].startswith("Invalid Request Line")


def test_gunicorns_gevent_worker_still_makes_its_servers_from_the_module_global() -> None:
    assert ggevent.GeventWorker.server_class is None  # so ``run`` takes the StreamServer path
    run = inspect.getsource(ggevent.GeventWorker.run)
    assert "server = StreamServer(s, handle=hfun, spawn=pool, **ssl_args)" in run
    # The balance needs one accept per wake-up when several workers share the socket.
    assert "server.max_accept = 1" in run


def test_the_worker_installs_the_balancing_server_where_gunicorn_looks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ggevent, "StreamServer", ggevent.StreamServer)  # restored afterwards
    clients = KeptClients(None)
    library_patches.install_balancing_servers(clients)
    installed = ggevent.StreamServer
    assert isinstance(installed, functools.partial)
    assert installed.func is BalancingStreamServer
    assert installed.keywords == {"clients": clients}
    assert issubclass(BalancingStreamServer, gevent.server.StreamServer)


def test_gevents_accept_loop_still_calls_the_hooks_the_balancing_server_overrides() -> None:
    base = gevent.baseserver.BaseServer
    assert base.max_accept >= 1
    accept_loop = inspect.getsource(base._do_read)
    assert "for _ in xrange(self.max_accept):" in accept_loop
    assert "args = self.do_read()" in accept_loop
    assert "if not args:" in accept_loop  # a None from do_read ends this wake-up
    assert "self._watcher.start(self._do_read)" in inspect.getsource(base.start_accepting)
    stream = gevent.server.StreamServer
    assert parameters(stream.do_read) == ["self"]
    assert parameters(stream.do_close) == ["self", "sock", "args"]
    assert parameters(base.stop_accepting) == ["self"]
    assert parameters(base.close) == ["self"]
    assert isinstance(inspect.getattr_static(base, "started"), property)


def test_psycopg_still_reads_its_wait_function_from_the_environment() -> None:
    check = "import psycopg.waiting as w; print(w.wait is w.wait_poll)"
    environment = {**os.environ, PSYCOPG_WAIT_FUNC: "wait_poll"}
    found = subprocess.run(
        [sys.executable, "-c", check], env=environment, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "True"


def test_gunicorns_body_errors_are_still_those_whole_bodies_turns_into_400() -> None:
    # whole_bodies.read_within answers 400 for a ParseException or an OSError met reading.
    from gunicorn.http import errors

    from webstore.entrypoints.serve.whole_bodies import ServerParseError

    assert ServerParseError is errors.ParseException
    for broken in (errors.InvalidChunkSize, errors.ChunkMissingTerminator):
        assert issubclass(broken, ServerParseError)
    assert issubclass(errors.NoMoreData, OSError)


def test_gunicorn_still_makes_its_responses_from_the_module_global(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create = inspect.getsource(gunicorn.http.wsgi.create)
    assert "response_class = Response" in create
    handle = inspect.getsource(gunicorn.workers.base_async.AsyncWorker.handle_request)
    # HTTP/1 requests: no response_class given, so the module global is the one made.
    assert re.search(r"wsgi\.create\(req, sock, addr,\s+listener_name, self\.cfg\)", handle)
    response = gunicorn.http.wsgi.Response
    assert parameters(response.__init__) == ["self", "req", "sock", "cfg"]
    assert parameters(response.write) == ["self", "arg"]
    assert parameters(response._emit_body) == ["self", "data"]
    assert parameters(response.send_headers) == ["self"]
    monkeypatch.setattr(gunicorn.http.wsgi, "Response", response)  # restored afterwards
    library_patches.install_coalescing_responses()
    assert gunicorn.http.wsgi.Response is CoalescingResponse
    assert issubclass(CoalescingResponse, response)


def test_psycopg_still_has_the_cursor_steps_read_groups_queue_a_statement_with() -> None:
    """``read_groups._queued`` is ``Cursor.execute`` in a pipeline without its flush: the
    private steps it calls, with the arguments it passes them."""
    import psycopg

    cursor = psycopg.Cursor
    assert parameters(cursor._start_query)[:2] == ["self", "query"]
    assert parameters(cursor._convert_query)[:3] == ["self", "query", "params"]
    assert parameters(cursor._maybe_prepare_gen)[:2] == ["self", "pgq"]
    # What the queued statement leaves behind as ``execute`` does (``Cursor.query`` reads it).
    assert "self._last_query = query" in inspect.getsource(cursor._execute_gen)
