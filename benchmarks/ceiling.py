"""The ceiling: a raw WSGI app that answers with bytes captured from the real API."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _load() -> dict[str, tuple[str, bytes]]:
    with open(os.environ["WEBSTORE_BENCH_RESPONSES"], encoding="utf-8") as handle:
        captured = json.load(handle)
    return {
        key: (f"{status} {HTTPStatus(status).phrase}", body.encode())
        for key, (status, body) in captured.items()
    }


RESPONSES = _load()
NOT_FOUND = ("404 Not Found", b'{"detail":"Not found."}')


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if environ.get("QUERY_STRING"):
        path = f"{path}?{environ['QUERY_STRING']}"
    body_stream = environ["wsgi.input"]
    body_stream.read()  # a real server reads what it is sent
    status, body = RESPONSES.get(f"{environ['REQUEST_METHOD']} {path}", NOT_FOUND)
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
