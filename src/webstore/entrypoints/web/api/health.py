"""Is the service up: for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint

from webstore.application.errors import StorageUnavailable
from webstore.entrypoints.web.json_codec import webstore

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> tuple[dict[str, str], int, dict[str, str]]:
    if webstore().is_healthy():
        return {"status": "ok"}, 200, {}
    return {"status": "unavailable"}, 503, {"Retry-After": str(StorageUnavailable.retry_after)}
