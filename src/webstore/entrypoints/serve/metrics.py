"""Prometheus metrics (``WEBSTORE_METRICS=1``), counted in every worker process.

Imported only when metrics are on. Under ``webstore serve`` the server points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before any worker starts, so each worker
writes its samples to files there and ``/metrics`` adds them all up, whichever worker answers.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from webstore.application.errors import PermissionDenied
from webstore.config import Settings

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Seconds: from a cached listing (a few ms) to a slow Argon2 login or a large order history.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

bp = Blueprint("metrics", __name__)


class Metrics:
    """The store's metrics, registered in their own registry (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "webstore_http_requests", "Requests answered, by route template and status.",
            ["method", "route", "status"], registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            "webstore_http_request_duration_seconds", "Time to answer a request, by route.",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.in_progress = Gauge(
            "webstore_http_requests_in_progress", "Requests being answered right now.",
            registry=registry, multiprocess_mode="livesum",
        )  # fmt: skip
        self.orders_placed = Counter(
            "webstore_orders_placed", "Orders placed (idempotent replays not counted).",
            registry=registry,
        )  # fmt: skip
        self.lines_refused = Counter(
            "webstore_order_lines_refused_for_stock",
            "Order lines refused because the product lacked stock.", registry=registry,
        )  # fmt: skip
        self.logins = Counter(
            "webstore_logins", "Login attempts by outcome: succeeded, failed or throttled.",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.refresh_reuse = Counter(
            "webstore_refresh_reuse_detected",
            "Rotated refresh tokens presented again (the login session was revoked).",
            registry=registry,
        )  # fmt: skip
        self.fast_listing_fallbacks = Counter(
            "webstore_fast_listing_fallbacks",
            "Plain listing requests handed on to Flask because a use case refused them, "
            "by refusal.", ["reason"], registry=registry,
        )  # fmt: skip
        self.database_errors = Counter(
            "webstore_database_errors", "Requests that failed on a database error.",
            registry=registry,
        )  # fmt: skip

    def exposition(self) -> bytes:
        """The text format of every worker's samples (multi-process) or of this process's."""
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def init_app(app: Flask) -> Metrics:
    metrics = Metrics()
    app.extensions["webstore.metrics"] = metrics
    app.register_blueprint(bp)
    return metrics


@bp.get("/metrics")
def serve_metrics() -> Response:
    settings: Settings = current_app.extensions["webstore.settings"]
    if not (is_loopback(request.remote_addr) or has_token(settings.metrics_token)):
        raise PermissionDenied()
    metrics: Metrics = current_app.extensions["webstore.metrics"]
    return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


def is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def has_token(expected: str | None) -> bool:
    """``Authorization: Bearer <WEBSTORE_METRICS_TOKEN>``, compared in constant time."""
    if not expected:
        return False
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode("utf-8", "surrogatepass"), expected.encode()
    )
