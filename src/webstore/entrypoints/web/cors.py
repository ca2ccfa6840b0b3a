"""Cross-origin front ends: credentials allowed for the configured origins, and only those."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, request

ALLOW_METHODS = "DELETE, GET, OPTIONS, PATCH, POST, PUT"
ALLOW_HEADERS = "Authorization, Content-Type, X-CSRFToken, Idempotency-Key"
EXPOSE_HEADERS = "X-Total-Count, Retry-After, Idempotent-Replayed"
PREFLIGHT_MAX_AGE = "86400"


def init_app(app: Flask, origins: Iterable[str]) -> None:
    """Answer CORS for ``origins`` (none: CORS stays off and no header is added)."""
    allowed = frozenset(origins)
    if not allowed:
        return

    @app.after_request
    def add_cors_headers(response: Response) -> Response:
        response.vary.add("Origin")
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        response.headers.update(granted(request.headers.get("Origin"), allowed, preflight))
        return response


def granted(origin: str | None, allowed: frozenset[str], preflight: bool) -> dict[str, str]:
    """The CORS headers an answer to ``origin`` carries (besides ``Vary: Origin``)."""
    if origin not in allowed:
        return {}
    headers = {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"}
    if preflight:
        headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    else:
        headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return headers
