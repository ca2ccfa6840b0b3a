"""Errors of the use cases that are not broken shop rules: authentication and permission."""

from __future__ import annotations

from webstore.domain.errors import WebstoreError


class NotAuthenticated(WebstoreError):
    message = "Authentication credentials were not provided."


class InvalidToken(WebstoreError):
    message = "Invalid token."


class TokenExpired(InvalidToken):
    message = "access_token expired"


class RefreshRejected(WebstoreError):
    """Expired, revoked, reused, forged or malformed refresh token, or an inactive user."""

    message = "expired refresh token, please login again."


class CsrfFailed(WebstoreError):
    message = "CSRF Failed: CSRF token incorrect."

    @classmethod
    def missing(cls) -> CsrfFailed:
        return cls("CSRF Failed: CSRF token missing.")

    @classmethod
    def incorrect(cls) -> CsrfFailed:
        return cls("CSRF Failed: CSRF token incorrect.")


class PermissionDenied(WebstoreError):
    message = "You do not have permission to perform this action."


class ConcurrentUpdate(WebstoreError):
    """Another transaction changed the same record first; the caller may retry."""

    message = "the record was changed by another request"


class ConfigurationError(WebstoreError):
    """The store cannot start with these settings; the message says why in one line."""
