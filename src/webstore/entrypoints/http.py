"""JSON in and out, as Django REST Framework reads and writes it."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Response, current_app, request
from flask.json.provider import JSONProvider
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from webstore.application.json_numbers import exact_decimal
from webstore.application.store import Webstore
from webstore.config import Settings
from webstore.domain.errors import InvalidInput
from webstore.entrypoints.schemas import json_type

MAX_BODY = 1024 * 1024  # 1 MiB (docs/api.md, "Errors on every endpoint")
# What werkzeug lets a view read: one byte more, so that a body streamed without a length
# (chunked) and cut off at the limit can be told from one that fits exactly.
READ_LIMIT = MAX_BODY + 1
# The WSGI environ's key for what went wrong reading the body (whole_bodies.py), if anything.
BODY_PROBLEM = "webstore.body_problem"


def dumps(obj: Any) -> str:
    """DRF's renderer: compact, UTF-8, keys in the order the serializer built them."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    """DRF's strict parser, with exact decimals: ``1.0`` is never mistaken for an integer."""
    return json.loads(text, parse_float=exact_decimal, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


class JsonResponse(Response):
    """Every response is JSON, even the empty ones (204, HEAD, automatic OPTIONS)."""

    default_mimetype = "application/json"

    @classmethod
    def of(cls, body: Any, status: int = 200) -> JsonResponse:
        return cls(dumps(body), status)


class CompactJsonProvider(JSONProvider):
    """What views return as dicts and lists goes out through ``dumps``."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        return JsonResponse(dumps(self._prepare_response_obj(args, kwargs)))


def webstore() -> Webstore:
    store: Webstore = current_app.extensions["webstore"]
    return store


def settings() -> Settings:
    """The settings the app was made with (for the hooks that need more than cookies)."""
    value: Settings = current_app.extensions["webstore.settings"]
    return value


def raw_body() -> bytes:
    """The request body's bytes (read before the request reached the app: whole_bodies.py);
    413 past the limit, 408 if it came too slowly, 400 if the stream broke."""
    problem: HTTPException | None = request.environ.get(BODY_PROBLEM)
    if problem is not None:
        raise problem
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise RequestEntityTooLarge()
    return raw


def json_object(raw: bytes | None = None) -> dict[str, Any]:
    """The request body (or ``raw``) as a JSON object; empty reads as ``{}``, as in DRF."""
    if raw is None:
        raw = raw_body()
    if not raw:
        return {}
    if request.mimetype != "application/json":
        content_type = request.headers.get("Content-Type", "")
        raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')
    try:
        data = loads(raw.decode(request.mimetype_params.get("charset", "utf-8")))
    except (ValueError, LookupError) as problem:  # UnicodeDecodeError is a ValueError
        raise BadRequest(f"JSON parse error - {problem}") from None
    except RecursionError:
        raise BadRequest("JSON parse error - nested too deeply") from None
    if not isinstance(data, dict):
        message = f"Invalid data. Expected a dictionary, but got {json_type(data)}."
        raise InvalidInput({"non_field_errors": [message]})
    return data


def no_content() -> Response:
    return JsonResponse(status=204)
