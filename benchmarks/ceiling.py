"""The ceiling: a raw WSGI app that answers with bytes captured from the real API."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _load() -> dict[str, bytes]:
    with open(os.environ["WEBSTORE_BENCH_RESPONSES"], encoding="utf-8") as handle:
        return {path: body.encode() for path, body in json.load(handle).items()}


RESPONSES = _load()


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if environ.get("QUERY_STRING"):
        path = f"{path}?{environ['QUERY_STRING']}"
    body = RESPONSES.get(path, b'{"detail": "Not found."}')
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK" if path in RESPONSES else "404 Not Found", headers)
    return [body]
