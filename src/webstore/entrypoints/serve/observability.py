"""Request ids, the one access line per request, security events and the metrics they feed.

A small WSGI middleware, so that it works the same under any WSGI server: it gives each
request its id (``X-Request-ID`` on every response), times it and writes the access line.
Flask hooks tell it what only Flask knows (the route template, the user); the errors the views
raise become security warnings and counters in ``saw_error``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, current_app, g, request

from webstore.application.errors import CsrfFailed, RefreshReuseDetected, Throttled
from webstore.domain.errors import InsufficientStock, InvalidCredentials
from webstore.entrypoints.serve.logs import AccessLog, current_request_id

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from webstore.entrypoints.serve.metrics import Metrics

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Keys of the WSGI environ through which Flask tells the middleware what it learnt.
REQUEST_ID = "webstore.request_id"
ROUTE = "webstore.route"
USER = "webstore.user_id"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"  # the route label of requests no route matched (404s), bounded
# Query parameters whose values never reach a log line.
SENSITIVE = re.compile(r"token|password|passwd|secret|key|auth|csrf|session|signature|code", re.I)
CONVERTER = re.compile(r"<[^<>]*?(\w+)>")
DATABASE_MODULES = frozenset({"sqlalchemy", "psycopg", "psycopg2", "sqlite3"})

access_log = logging.getLogger("webstore.access")
access_lines = AccessLog(access_log)
security_log = logging.getLogger("webstore.security")


def init_app(app: Flask, metrics: Metrics | None) -> None:
    """Wrap ``app`` (install this before any proxy middleware, so the client address is right)."""
    app.after_request(describe_request)
    app.wsgi_app = RequestObserver(app.wsgi_app, metrics)  # type: ignore[method-assign]


def request_id() -> str:
    """The id of the request being answered (the middleware gives every request one)."""
    value = request.environ.get(REQUEST_ID)
    return value if isinstance(value, str) else new_request_id()


def new_request_id() -> str:
    # 128 random bits in 32 hex digits, as uuid4().hex, without building a UUID per request.
    return os.urandom(16).hex()


def chosen_request_id(environ: WSGIEnvironment) -> str:
    """The client's (or its proxy's) id when it is 1-64 safe characters, otherwise a new one."""
    offered = environ.get("HTTP_X_REQUEST_ID", "")
    return offered if VALID_REQUEST_ID.fullmatch(offered) else new_request_id()


class RequestObserver:
    """WSGI middleware: request id, access line and request metrics."""

    def __init__(self, app: WSGIApplication, metrics: Metrics | None) -> None:
        self.app = app
        self.metrics = metrics

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        rid = environ[REQUEST_ID] = chosen_request_id(environ)
        token = current_request_id.set(rid)
        answer: dict[str, Any] = {"status": 500, "bytes": None}

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append((REQUEST_ID_HEADER, rid))
            answer["status"] = int(status.split(" ", 1)[0])
            answer["bytes"] = next((v for k, v in headers if k.lower() == "content-length"), None)
            return start_response(status, headers, exc_info)

        if self.metrics is not None:
            self.metrics.in_progress.inc()
        try:
            return self.app(environ, respond)
        finally:
            elapsed = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.in_progress.dec()
                self.count(environ, answer["status"], elapsed)
            log_access(environ, answer["status"], answer["bytes"], elapsed)
            current_request_id.reset(token)

    def count(self, environ: WSGIEnvironment, status: int, elapsed: float) -> None:
        assert self.metrics is not None
        method = environ.get("REQUEST_METHOD", "")
        method = method if method in KNOWN_METHODS else "other"  # labels stay a bounded set
        route = environ.get(ROUTE, UNMATCHED)
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(elapsed)


def log_access(environ: WSGIEnvironment, status: int, size: str | None, elapsed: float) -> None:
    fields = {
        "method": environ.get("REQUEST_METHOD", "-"),
        "path": loggable_path(environ),
        "status": status,
        "duration_ms": round(elapsed * 1000, 1),
        "bytes": int(size) if size and size.isdigit() else 0,
        "user_id": environ.get(USER),
        "client": environ.get("REMOTE_ADDR") or "-",
    }
    access_lines.write(
        '%s %s user=%s "%s %s" %s %sB %.1fms',
        (environ[REQUEST_ID], fields["client"], fields["user_id"] or "-", fields["method"],
         fields["path"], status, fields["bytes"], fields["duration_ms"]),
        fields,
    )  # fmt: skip


def loggable_path(environ: WSGIEnvironment) -> str:
    """The path and query, the values of sensitive-looking parameters replaced."""
    raw_path: str = environ.get("PATH_INFO", "")
    path = raw_path.encode("latin-1", "replace").decode("utf-8", "replace")
    query: str = environ.get("QUERY_STRING", "")
    if not query:
        return path
    pairs = parse_qsl(query, keep_blank_values=True)
    safe = [(name, "REDACTED" if SENSITIVE.search(name) else value) for name, value in pairs]
    return f"{path}?{urlencode(safe)}"


def describe_request(response: Response) -> Response:
    """Tell the middleware the route template and the user, and count the shop's events."""
    environ = request.environ
    environ[ROUTE] = route_template(request.url_rule.rule) if request.url_rule else UNMATCHED
    principal = g.get("principal")
    if principal is not None:
        environ[USER] = principal.user_id
    metrics = current_metrics()
    if metrics is not None:
        if request.endpoint == "auth.login_view" and response.status_code == 200:
            metrics.logins.labels("succeeded").inc()
        if (
            request.endpoint == "orders.post_order"
            and response.status_code == 201
            and "Idempotent-Replayed" not in response.headers
        ):
            metrics.orders_placed.inc()
    return response


@functools.lru_cache(maxsize=256)
def route_template(rule: str) -> str:
    """``/api/products/<product_id>``: the rule without its converters, for a readable label."""
    return CONVERTER.sub(r"<\1>", rule)


# What a throttled request was, for endpoints other than the login's.
THROTTLED = {
    "passwords.change_password": "password change",
    "passwords.password_reset": "password reset",
}


def saw_error(error: BaseException) -> None:
    """Log a security event at warning, and count what the metrics count, for ``error``."""
    metrics = current_metrics()
    if isinstance(error, Throttled):
        security_log.warning(
            "%s throttled for client %s (retry in %ss)",
            THROTTLED.get(request.endpoint or "", "login"), request.remote_addr, error.retry_after,
        )  # fmt: skip
    elif isinstance(error, RefreshReuseDetected):
        security_log.warning(
            "refresh token reuse detected: login session of user %s revoked (client %s)",
            error.user_id, request.remote_addr,
        )  # fmt: skip
    elif isinstance(error, CsrfFailed):
        security_log.warning(
            "%s %s refused: %s (client %s)",
            request.method, request.path, error.detail, request.remote_addr,
        )  # fmt: skip
    if metrics is None:
        return
    if isinstance(error, Throttled) and request.endpoint not in THROTTLED:
        metrics.logins.labels("throttled").inc()
    elif isinstance(error, InvalidCredentials):
        metrics.logins.labels("failed").inc()
    elif isinstance(error, RefreshReuseDetected):
        metrics.refresh_reuse.inc()
    elif isinstance(error, InsufficientStock):
        metrics.lines_refused.inc()
    elif is_database_error(error):
        metrics.database_errors.inc()


def is_database_error(error: BaseException | None) -> bool:
    """Whether the database or its driver raised ``error`` or any error it was raised from.

    By module name, so that this layer does not import the persistence libraries.
    """
    seen = 0
    while error is not None and seen < 10:
        if type(error).__module__.split(".")[0] in DATABASE_MODULES:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def current_metrics() -> Metrics | None:
    metrics: Metrics | None = current_app.extensions.get("webstore.metrics")
    return metrics
