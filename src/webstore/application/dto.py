"""Small results the use cases hand back to their callers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from webstore.domain.users import User

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an authenticated user (and the login session behind the token)."""

    user_id: int
    username: str
    email: str
    is_superuser: bool = False
    session_id: str | None = None

    @classmethod
    def of(cls, user: User, session_id: str | None = None) -> Principal:
        assert user.id is not None
        return cls(user.id, user.username, user.email, user.is_superuser, session_id)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: str


@dataclass(frozen=True, slots=True)
class LoginResult:
    access_token: str
    refresh_token: str
    csrf_token: str
    user: Principal


@dataclass(frozen=True, slots=True)
class RefreshResult:
    access_token: str
    # None when an immediately previous token was accepted within the grace period:
    # the client keeps the newest refresh token it already has.
    refresh_token: str | None
    # A fresh CSRF token with each rotation (None with ``refresh_token``): CSRF tokens expire
    # after the refresh lifetime, and a session slides past it.
    csrf_token: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedRefreshToken:
    token: str
    token_hash: str


@dataclass(frozen=True, slots=True)
class PresentedRefreshToken:
    session_id: str
    generation: int
    token_hash: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One slice of a listing; ``total`` counts every match, not only this slice."""

    items: Sequence[T]
    total: int


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The response first given to one user's request with one Idempotency-Key."""

    user_id: int
    key: str
    fingerprint: str  # SHA-256 (hex) of what the request asked
    status_code: int
    response_body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class KeyedResponse:
    """What a request with an Idempotency-Key gets: a new response, or the stored one again."""

    status_code: int
    body: str
    replayed: bool
