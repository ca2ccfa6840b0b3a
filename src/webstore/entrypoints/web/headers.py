"""Headers every response carries, whatever produced it (views, error handlers, the docs page)."""

from __future__ import annotations

from flask import Flask, Response

NOSNIFF = ("X-Content-Type-Options", "nosniff")


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    # A browser must never sniff a JSON error into HTML or script.
    response.headers.setdefault(*NOSNIFF)
    return response


def no_store(response: Response) -> Response:
    """For responses that carry a token: no cache, shared or private, may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response
