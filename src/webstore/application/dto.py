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
    """What one user's first request with one Idempotency-Key got, kept for its replays."""

    user_id: int
    key: str
    fingerprint: str  # of what the request asked: equal for the same request
    payload: str  # opaque to the storage: the answer as the use case encoded it
    created_at: datetime
