"""JSON in and out, as Django REST Framework reads and writes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from flask import Flask, Response, current_app, g, request
from flask.json.provider import JSONProvider
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from webstore.application.catalogue.json_numbers import exact_decimal
from webstore.application.store import Webstore
from webstore.config import Settings
from webstore.domain.errors import InvalidInput
from webstore.domain.values import json_type

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

MAX_BODY = 1024 * 1024  # 1 MiB (docs/api.md, "Errors on every endpoint")
# What werkzeug lets a view read: one byte more, so that a body streamed without a length
# (chunked) and cut off at the limit can be told from one that fits exactly.
READ_LIMIT = MAX_BODY + 1
# The WSGI environ's key for what went wrong reading the body (whole_bodies.py), if anything.
BODY_PROBLEM = "webstore.body_problem"
BODY_LIMIT = "webstore_body_limit"  # an attribute of the views that take more than MAX_BODY
SHARED_READS = "webstore_shared_reads"
View = TypeVar("View", bound=Callable[..., Any])


def larger_body(limit: int) -> Callable[[View], View]:
    """Let a view take a body of up to ``limit`` bytes (an upload) instead of ``MAX_BODY``."""

    def mark(view: View) -> View:
        setattr(view, BODY_LIMIT, limit)
        return view

    return mark


def body_limit() -> int:
    """The most bytes this request's body may have: ``MAX_BODY``, unless its view says more."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit: int = getattr(view, BODY_LIMIT, MAX_BODY)
    return limit


def route_body_limit(app: Flask, environ: WSGIEnvironment) -> int:
    """``body_limit`` before the request reaches Flask: what the route it names allows."""
    try:
        endpoint, _ = app.url_map.bind_to_environ(environ).match()
    except HTTPException:  # no such route, or not with that method: the usual limit
        return MAX_BODY
    limit: int = getattr(app.view_functions.get(endpoint), BODY_LIMIT, MAX_BODY)
    return limit


def stop_reading_together(error: BaseException | None = None) -> None:
    """End the request's shared read transaction (``flask_app.read_together``), if any: before
    a long wait on the client, and when the request ends."""
    stack = g.pop(SHARED_READS, None)
    if stack is not None:
        stack.close()


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
    if len(raw) > body_limit():
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
