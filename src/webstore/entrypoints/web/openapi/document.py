"""The OpenAPI document: the routes the app serves, described by the schemas that validate them.

Paths come from the app's own URL map, so the document cannot name a path the app does not
serve; what each endpoint takes and answers comes from ``operations.OPERATIONS``. An endpoint
missing from that table is left out of the document, and a test that compares the document
with the URL map fails.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from werkzeug.routing import Rule

from webstore.entrypoints.web.openapi.operations import OPERATIONS
from webstore.entrypoints.web.openapi.operations.objects import header, returns
from webstore.entrypoints.web.openapi.response_schemas import (
    DetailSchema,
    ServerErrorSchema,
    ValidationErrorSchema,
)
from webstore.entrypoints.web.security import CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE

OPENAPI_VERSION = "3.1.0"  # 3.1: type lists, e.g. a price is a JSON number or a string
UNDOCUMENTED_METHODS = frozenset({"HEAD", "OPTIONS"})  # Flask answers those for every route
DESCRIPTION = (
    "The webstore API. Request and response bodies are JSON. Authentication failures are 403. "
    "Unsafe methods need the X-CSRFToken header equal to the csrftoken cookie, except on "
    "sign_in and login_view."
)
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "tokenAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <access_token>` (or `Bearer <access_token>`), from login_view.",
    },
    "csrfHeader": {
        "type": "apiKey",
        "in": "header",
        "name": CSRF_HEADER,
        "description": f"The value of the {CSRF_COOKIE} cookie (double submit).",
    },
    "csrfCookie": {"type": "apiKey", "in": "cookie", "name": CSRF_COOKIE},
    "refreshCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": REFRESH_COOKIE,
        "description": "HttpOnly, Path=/api; set by login_view, rotated by refresh_token.",
    },
}
# The error responses that operations name by status (operations.objects.STATUS)
RESPONSES: dict[str, dict[str, Any]] = {
    "InvalidInput": returns(
        "Invalid input (error, and errors by field), or a body that is not JSON (detail).",
        {"oneOf": [ValidationErrorSchema, DetailSchema]},
    ),
    "Forbidden": returns(
        "An authentication, CSRF, Origin or permission check failed.", DetailSchema
    ),
    "NotFound": returns("No such resource.", DetailSchema),
    "Conflict": returns(
        "Not possible in the resource's current state, or the same Idempotency-Key is still "
        "being processed.",
        DetailSchema,
    ),
    "BadRequest": returns(
        "The request could not be read (a malformed request line, header or chunked body).",
        DetailSchema,
    ),
    "MethodNotAllowed": returns(
        "The path does not take this method.",
        DetailSchema,
        Allow=header("The methods the path takes."),
    ),
    "RequestTimeout": returns("The request body did not arrive in time.", DetailSchema),
    "TooLarge": returns("The body is over 1 MiB (declared, or as it was read).", DetailSchema),
    "UriTooLong": returns("The request line is over 8 KiB.", DetailSchema),
    "HeadersTooLarge": returns("A header field is over 16 KiB, or too many.", DetailSchema),
    "UnsupportedMediaType": returns("The body is not application/json.", DetailSchema),
    "Unprocessable": returns("Idempotency-Key reused with a different request.", DetailSchema),
    "Throttled": returns(
        "Too many failed logins for this username, or from this client address.",
        DetailSchema,
        Retry_After=header("Seconds to wait before the next attempt.", "integer"),
    ),
    "ServerError": returns(
        "Unexpected failure.", ServerErrorSchema, X_Request_ID=header("Quote it to the operator.")
    ),
    "NotImplemented": returns("A Transfer-Encoding the server does not implement.", DetailSchema),
    "BadGateway": returns(
        "From the front proxy: no node could be reached.",
        DetailSchema,
        Retry_After=header("Seconds to wait before trying again.", "integer"),
    ),
    "Unavailable": returns(
        "The database cannot be reached for now.",
        DetailSchema,
        Retry_After=header("Seconds to wait before trying again.", "integer"),
    ),
    "GatewayTimeout": returns("From the front proxy: no node answered in time.", DetailSchema),
}
# <name>, <converter:name> or <converter(arguments):name>, as werkzeug writes a rule
_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<arguments>[^)]*)\))?:)?(?P<name>\w+)>")
_MINIMUM = re.compile(r"\bmin=(\d+)")


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of every documented route of ``app`` (call once, after blueprints)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="webstore",
        version=_version(),
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={"description": DESCRIPTION},
    )
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    for name, response in RESPONSES.items():
        spec.components.response(name, _copy(response))
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint in OPERATIONS:
            spec.path(
                path=openapi_path(rule.rule),
                operations=_operations(rule),
                parameters=_path_parameters(rule.rule),
            )
    return spec.to_dict()


def openapi_path(rule: str) -> str:
    """``/api/products/<int(min=1):product_id>`` -> ``/api/products/{product_id}``."""
    return _VARIABLE.sub(lambda match: "{" + match["name"] + "}", rule)


def _operations(rule: Rule) -> dict[str, dict[str, Any]]:
    blueprint, _, view = rule.endpoint.rpartition(".")
    methods = sorted((rule.methods or set()) - UNDOCUMENTED_METHODS)
    return {
        method.lower(): {
            "operationId": view if len(methods) == 1 else f"{view}_{method.lower()}",
            "tags": [blueprint or "meta"],
            **_copy(OPERATIONS[rule.endpoint]),
        }
        for method in methods
    }


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    parameters = []
    for match in _VARIABLE.finditer(rule):
        schema: dict[str, Any] = {"type": "string"}
        if match["converter"] == "id":
            schema = {"type": "integer", "format": "int64", "minimum": 1}
        elif match["converter"] == "int":
            schema = {"type": "integer", "format": "int64"}
            if minimum := _MINIMUM.search(match["arguments"] or ""):
                schema["minimum"] = int(minimum[1])
        parameters.append({"in": "path", "name": match["name"], "required": True, "schema": schema})
    return parameters


def _copy(value: Any) -> Any:
    """A fresh copy of the table's dicts and lists: apispec resolves schemas in place."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _version() -> str:
    try:
        return version("webstore")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
