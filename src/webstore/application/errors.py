"""Errors of the use cases that are not broken shop rules: authentication and permission."""

from __future__ import annotations

from webstore.domain.errors import WebstoreError


class NotAuthenticated(WebstoreError):
    message = "Authentication credentials were not provided."


class InvalidToken(WebstoreError):
    message = "Invalid token."


class TokenExpired(InvalidToken):
    message = "access_token expired"


class PrincipalRevoked(InvalidToken):
    """The principal's user no longer exists or is deactivated, or its login session ended.

    Checked by every use case that acts for someone, at the moment it acts: a ``Principal``
    is a claim, not a permit. Over HTTP it reads as "Invalid token.", as the next request would.
    """

    message = "the principal's user does not exist or is inactive, or its session has ended"


class RefreshRejected(WebstoreError):
    """Expired, revoked, reused, forged or malformed refresh token, or an inactive user."""

    message = "expired refresh token, please login again."


class RefreshReuseDetected(RefreshRejected):
    """An already-rotated refresh token came back: taken as theft, its login session is revoked."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        super().__init__()


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


class Throttled(WebstoreError):
    """Too many failed logins for a username or from an address; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"Request was throttled. Expected available in {retry_after} seconds.")


class InvalidIdempotencyKey(WebstoreError):
    """An Idempotency-Key that is empty, over 255 characters or not printable ASCII."""

    message = "Invalid Idempotency-Key header."


class IdempotencyKeyReused(WebstoreError):
    """The key was used, within its lifetime, for a request that asked something else."""

    message = "Idempotency-Key reused with a different request."


class IdempotencyConflict(WebstoreError):
    """Another request with the same key holds it: storage refused our record of that key."""

    message = "A request with this Idempotency-Key is still being processed."


class StorageUnavailable(WebstoreError):
    """The database cannot be reached (down, locked past its timeout, unreadable) for now."""

    message = "Service temporarily unavailable."
    retry_after = 5  # seconds a client should wait before trying again


class MailNotSent(WebstoreError):
    """The mail server did not take this message now; it may later (retried with back-off)."""

    message = "the message was not sent"


class MailServerUnavailable(MailNotSent):
    """The mail server cannot be reached or refuses us (down, timing out, bad credentials):
    no message can be sent until that changes."""

    message = "the mail server cannot be reached"


class MailRejected(MailNotSent):
    """The mail server refused this message for good (a permanent 5xx, an unknown recipient):
    sending it again would be refused again."""

    message = "the mail server refused the message"
