"""Every error the store raises on purpose; all are ``WebstoreError``s."""

from webstore.application.errors import (
    ConcurrentUpdate,
    ConfigurationError,
    CsrfFailed,
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    InvalidToken,
    NotAuthenticated,
    PermissionDenied,
    RefreshRejected,
    Throttled,
    TokenExpired,
)
from webstore.application.imports import InvalidImport
from webstore.domain.errors import (
    IllegalTransition,
    InsufficientStock,
    InvalidCredentials,
    InvalidInput,
    OrderNotFound,
    ProductNotFound,
    UsernameTaken,
    UserNotFound,
    WebstoreError,
)

__all__ = [
    "ConcurrentUpdate",
    "ConfigurationError",
    "CsrfFailed",
    "IdempotencyConflict",
    "IdempotencyKeyReused",
    "IllegalTransition",
    "InsufficientStock",
    "InvalidCredentials",
    "InvalidIdempotencyKey",
    "InvalidImport",
    "InvalidInput",
    "InvalidToken",
    "NotAuthenticated",
    "OrderNotFound",
    "PermissionDenied",
    "ProductNotFound",
    "RefreshRejected",
    "Throttled",
    "TokenExpired",
    "UserNotFound",
    "UsernameTaken",
    "WebstoreError",
]
