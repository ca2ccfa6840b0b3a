"""The one error layer: every failure becomes a JSON response, never an HTML page or a trace."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

from webstore.application.errors import (
    ConcurrentUpdate,
    CsrfFailed,
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    InvalidToken,
    NotAuthenticated,
    PermissionDenied,
    PrincipalRevoked,
    RefreshRejected,
    StorageUnavailable,
    Throttled,
)
from webstore.domain.errors import (
    IllegalTransition,
    ImageNotFound,
    InsufficientStock,
    InvalidCredentials,
    InvalidInput,
    LastSuperuser,
    OrderNotFound,
    ProductNotFound,
    UnknownProduct,
    UsernameTaken,
    UserNotFound,
    WebstoreError,
)
from webstore.entrypoints.serve.observability import request_id as current_request_id
from webstore.entrypoints.web.json_codec import JsonResponse

NOT_FOUND = "Not found."
SERVER_ERROR = "A server error occurred."

# status, body key, and a fixed message (None: the error's own message)
STATUS: dict[type, tuple[int, str, str | None]] = {
    UsernameTaken: (400, "error", None),
    InsufficientStock: (400, "error", None),
    UnknownProduct: (400, "error", None),  # named in an order
    InvalidIdempotencyKey: (400, "detail", None),
    InvalidCredentials: (403, "detail", None),
    NotAuthenticated: (403, "detail", None),
    PrincipalRevoked: (403, "detail", "Invalid token."),  # as the next request would hear
    InvalidToken: (403, "detail", None),  # TokenExpired too
    RefreshRejected: (403, "detail", None),
    CsrfFailed: (403, "detail", None),
    PermissionDenied: (403, "detail", None),
    OrderNotFound: (404, "detail", NOT_FOUND),
    ProductNotFound: (404, "detail", NOT_FOUND),
    ImageNotFound: (404, "detail", NOT_FOUND),
    UserNotFound: (404, "detail", NOT_FOUND),
    IllegalTransition: (409, "detail", None),
    LastSuperuser: (409, "detail", None),
    ConcurrentUpdate: (409, "detail", None),
    IdempotencyConflict: (409, "detail", None),
    IdempotencyKeyReused: (422, "detail", None),
    Throttled: (429, "detail", None),
    StorageUnavailable: (503, "detail", None),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(WebstoreError, webstore_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)


def webstore_error(error: WebstoreError) -> Response:
    if isinstance(error, InvalidInput):
        return JsonResponse.of({"error": str(error), "errors": error.errors}, 400)
    for kind in type(error).__mro__:
        if kind in STATUS:
            status, key, message = STATUS[kind]
            response = JsonResponse.of({key: message or str(error)}, status)
            if isinstance(error, Throttled | StorageUnavailable):
                response.headers["Retry-After"] = str(error.retry_after)
            return response
    return server_error(error)  # e.g. ConfigurationError: ours to fix, not the client's


def http_error(error: HTTPException) -> Response:
    if isinstance(error, InternalServerError) and error.original_exception is not None:
        # A failure before any view ran (while matching the URL, say): Flask wraps it here.
        return server_error(error.original_exception)
    if isinstance(error, NotFound):
        return JsonResponse.of({"detail": NOT_FOUND}, 404)
    if isinstance(error, MethodNotAllowed):
        response = JsonResponse.of({"detail": f'Method "{request.method}" not allowed.'}, 405)
        response.allow.update(error.valid_methods or ())
        return response
    response = JsonResponse.of({"detail": error.description}, error.code or 500)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value  # e.g. Retry-After, WWW-Authenticate
    return response


def server_error(error: BaseException) -> Response:
    """Log the failure with an id to quote, and tell the client nothing more."""
    request_id = current_request_id()
    current_app.logger.error(
        "request %s failed: %s %s", request_id, request.method, request.path, exc_info=error
    )
    return JsonResponse.of({"detail": SERVER_ERROR, "request_id": request_id}, 500)
