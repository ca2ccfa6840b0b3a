"""Serving the Flask app with gunicorn, configured in code rather than by a config file."""

from __future__ import annotations

import gc
import logging
import os
import resource
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from webstore.config import MEMORY_URL, Settings
from webstore.entrypoints.serve import library_patches, logs
from webstore.entrypoints.serve.mail_sender import SenderProcess, start_sender_thread
from webstore.entrypoints.serve.worker_loads import WorkerLoads

# Connections a worker may hold. Sockets that say nothing cost about 15 KB each and are closed
# after KEEPALIVE_SECONDS; with gunicorn's 1000, two workers were full with 2000 of them, and
# every new client waited for one to be closed.
WORKER_CONNECTIONS = 4096
SPARE_FILES = 128  # descriptors a worker needs besides its connections (database, logs)
# How long a connection may wait for its next request (or its first) before it is closed.
KEEPALIVE_SECONDS = 2

# Where prometheus-client keeps each worker's samples (read when a worker imports it).
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# How psycopg waits for the server (psycopg/waiting.py), read when psycopg is imported.
PSYCOPG_WAIT_FUNC = "PSYCOPG_WAIT_FUNC"


class ServerLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger without its access line, which the app writes (observability.py).

    gunicorn prepares its access line's fields for every request whenever a logging
    configuration is given, even with no handler to write them: a tenth of a listing's cost.
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


class WebstoreServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """A gunicorn application whose workers each build their own app (and database pool)."""

    def __init__(self, load_app: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self._load_app()
        # Everything built so far lives as long as the worker: keep it out of the collector's
        # full passes, which a listing of a thousand orders would otherwise trigger repeatedly.
        gc.freeze()
        return app


def run_gunicorn(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve the API until interrupted."""

    def load_app() -> Flask:
        from webstore.bootstrap import bootstrap
        from webstore.concurrency import Concurrency
        from webstore.entrypoints.web.app import create_app

        # Runs in a worker, which is gevent's (serve_flask): its blocking calls run in native
        # threads, and its waits on the database can be cut short, so that a server that
        # stops answering costs a request, not the worker.
        return create_app(settings, bootstrap(settings, concurrency=Concurrency.COOPERATIVE))

    # Python's warnings (gevent's, for one) become log lines too, in the configured format.
    logging.captureWarnings(True)
    logs.lighten_records()
    options: dict[str, Any] = {
        "logconfig_dict": logs.config(settings.log_format),
        **mail_sender_hooks(settings),
    }
    if not settings.metrics:
        serve_flask(load_app, host=host, port=port, workers=workers, **options)
        return
    with metrics_directory():
        serve_flask(
            load_app, host=host, port=port, workers=workers, **options,
            child_exit=forget_worker_gauges,
        )  # fmt: skip


def mail_sender_hooks(settings: Settings) -> dict[str, Any]:
    """gunicorn's server hooks that run the outbox's sender for as long as the server runs."""
    if settings.database_url == MEMORY_URL:
        return {"post_worker_init": start_sender_thread}
    if settings.mail_url_or_default() is None:
        return {}  # nowhere to send it: mail waits in the outbox (cli.serve says so)
    sender = SenderProcess()
    return {"when_ready": sender.start, "on_exit": sender.stop}


def serve_flask(
    load_app: Callable[[], Flask], *, host: str, port: int, workers: int, **overrides: Any
) -> None:
    """Serve until interrupted; gunicorn handles signals, worker restarts and graceful stops."""
    loads = WorkerLoads()  # made before the workers are forked: they share it
    also_on_exit = overrides.pop("child_exit", None)

    def child_exit(server: Any, worker: Any) -> None:
        loads.child_exit(server, worker)
        if also_on_exit is not None:
            also_on_exit(server, worker)

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        # Cooperative workers read each request without tying up a thread, so clients that trickle
        # their headers or body cannot starve the others (threads or sync workers can be).
        # Application code runs one request at a time per worker, on a core of its own.
        "worker_class": "webstore.entrypoints.serve.worker.FairGeventWorker",
        "worker_connections": connections_per_worker(),
        "keepalive": KEEPALIVE_SECONDS,
        # The app writes the one access line per request (observability.py); gunicorn's own
        # lines go through the same handler and format (logs.py).
        "accesslog": None,
        "logger_class": "webstore.entrypoints.serve.server.ServerLogger",
        "errorlog": "-",
        "logconfig_dict": logs.config("text"),
        "timeout": 30,
        "graceful_timeout": 10,
        "proc_name": "webstore",
        # gunicorn's control socket is one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn), so
        # a second server on the host replaced the first one's and removed it when it stopped.
        # Signals reach each master by its pid: SIGTERM, SIGHUP, SIGUSR2, TTIN and TTOU.
        "control_socket_disable": True,
        # Each worker learns how many clients the others keep (balancing.py).
        "pre_fork": loads.pre_fork,
        "child_exit": child_exit,
        # Room for long tokens and query strings before the server refuses a request itself.
        "limit_request_line": 8190,
        "limit_request_field_size": 16384,
        **overrides,
    }
    # Requests gunicorn refuses before they reach Flask (a malformed request line, header or
    # chunk, headers too large) get the same JSON error bodies as everything else.
    library_patches.install_json_error_answers()
    # psycopg waits for PostgreSQL with poll(), which gevent makes cooperative, rather than with
    # its C function, which would stop every request of the worker. PSYCOPG_WAIT_FUNC is
    # psycopg's documented way to choose (psycopg.waiting reads it once, when psycopg is first
    # imported); set here, before any import of psycopg, it is inherited by the workers, which
    # import psycopg only after gevent has patched them, so its connect path uses the selector
    # gevent installed (FairGeventWorker.patch checks the order).
    os.environ[PSYCOPG_WAIT_FUNC] = "wait_poll"
    WebstoreServer(load_app, options).run()


def connections_per_worker() -> int:
    """``WORKER_CONNECTIONS``, having raised the open-files limit for them if it was lower (as
    far as the hard limit allows; fewer connections if it is lower still)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WORKER_CONNECTIONS + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))  # the workers inherit it
    if soft == resource.RLIM_INFINITY:
        return WORKER_CONNECTIONS
    return max(1, min(WORKER_CONNECTIONS, soft - SPARE_FILES))


@contextmanager
def metrics_directory() -> Iterator[str]:
    """A fresh directory for every worker's metric files, for as long as the server runs."""
    path = tempfile.mkdtemp(prefix="webstore-metrics-")
    previous = os.environ.get(METRICS_DIR)
    os.environ[METRICS_DIR] = path  # inherited by the workers gunicorn forks
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if previous is None:
            os.environ.pop(METRICS_DIR, None)
        else:
            os.environ[METRICS_DIR] = previous


def forget_worker_gauges(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook: a dead worker's in-progress gauge stops counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
