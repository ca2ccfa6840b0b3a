"""Every error the store raises on purpose; all are ``WebstoreError``s."""

from webstore.application.errors import (
    ConcurrentUpdate,
    ConfigurationError,
    CsrfFailed,
    InvalidToken,
    NotAuthenticated,
    PermissionDenied,
    RefreshRejected,
    TokenExpired,
)
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
    "IllegalTransition",
    "InsufficientStock",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidToken",
    "NotAuthenticated",
    "OrderNotFound",
    "PermissionDenied",
    "ProductNotFound",
    "RefreshRejected",
    "TokenExpired",
    "UserNotFound",
    "UsernameTaken",
    "WebstoreError",
]
