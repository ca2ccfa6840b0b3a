"""The parts the operation tables are written with: OpenAPI operation and response objects.

Bodies are the marshmallow classes that load requests and document responses
(``request_schemas``, ``response_schemas``); ``document.build_spec`` turns them into components
with apispec's MarshmallowPlugin. Error responses name the reusable ones of
``document.RESPONSES`` by status: those an operation's own checks give (``errors``), and those
any request can get from the HTTP server, the request handling around the views or the front
proxy (``EVERY_OPERATION``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

JSON = "application/json"
Security = list[dict[str, list[str]]]

NOBODY: Security = []
TOKEN: Security = [{"tokenAuth": []}]
TOKEN_AND_CSRF: Security = [{"tokenAuth": [], "csrfHeader": [], "csrfCookie": []}]
REFRESH_AND_CSRF: Security = [{"refreshCookie": [], "csrfHeader": [], "csrfCookie": []}]
STATUS = {
    "400": "InvalidInput",
    "403": "Forbidden",
    "404": "NotFound",
    "409": "Conflict",
    "413": "TooLarge",
    "415": "UnsupportedMediaType",
    "422": "Unprocessable",
    "429": "Throttled",
    "500": "ServerError",
    "503": "Unavailable",
}
BODY_ERRORS = ("400", "413", "415")
# What any request may be answered, whatever its operation: a request the server cannot read
# (400), a method another route of the path takes (405, e.g. GET /api/products/import), a body
# that does not arrive in time (408) or is over the limit (413: declared on any request), a
# request line or header over the server's limits (414, 431), a transfer coding it does not
# implement (501), a failure (500), no database (503), and from the front proxy no node (502)
# or none in time (504). An operation's own ``errors`` take precedence (a 400 that validates).
EVERY_OPERATION = {
    "400": "BadRequest",
    "405": "MethodNotAllowed",
    "408": "RequestTimeout",
    "413": "TooLarge",
    "414": "UriTooLong",
    "431": "HeadersTooLarge",
    "500": "ServerError",
    "501": "NotImplemented",
    "502": "BadGateway",
    "503": "Unavailable",
    "504": "GatewayTimeout",
}


def header(description: str, kind: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


def returns(description: str, schema: Any = None, **headers: dict[str, Any]) -> dict[str, Any]:
    """A response object: ``schema`` is its JSON body, keyword arguments its headers."""
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    if headers:
        response["headers"] = {name.replace("_", "-"): value for name, value in headers.items()}
    return response


def array(schema: type[Schema]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def operation(
    summary: str,
    security: Security,
    responses: dict[str, dict[str, Any]],
    errors: tuple[str, ...] = (),
    body: type[Schema] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    body_required: bool = True,
) -> dict[str, Any]:
    """An operation object: ``responses``, then the shared ones of ``errors`` and of every
    operation."""
    described: dict[str, Any] = {"summary": summary, "security": security}
    if parameters:
        described["parameters"] = parameters
    if body is not None:
        described["requestBody"] = {
            "required": body_required,
            "content": {JSON: {"schema": body}},
        }
        errors = (*errors, *BODY_ERRORS)
    shared = {**EVERY_OPERATION, **{code: STATUS[code] for code in errors}}
    return {**described, "responses": dict(sorted({**shared, **responses}.items()))}


# The X-Total-Count header of every listing.
TOTAL = header("The number of items before limit and offset.", "integer")
