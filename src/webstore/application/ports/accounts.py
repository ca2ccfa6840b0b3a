"""Ports of accounts: users, their login sessions, failed logins and password-reset links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from webstore.application.dto import Principal
from webstore.domain.password_resets import PasswordReset
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User


@dataclass(frozen=True, slots=True)
class UserQuery:
    """Which users a listing wants: ``None`` means no filter on that attribute."""

    ids: frozenset[int] | None = None
    # A ``values.search_key`` that the username's or the email's key must contain.
    search_key_contains: str | None = None


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user; raise ``UsernameTaken`` if its username key exists."""

    def get(self, user_id: int) -> User | None:
        """The user with this id."""

    def get_by_username(self, username: str) -> User | None:
        """The user whose normalized username key equals that of ``username``."""

    def find_by_email(self, email: str, limit: int) -> list[User]:
        """Up to ``limit`` users whose address equals ``email``, ignoring case, by id."""

    def list(self, query: UserQuery, limit: int | None = None, offset: int = 0) -> list[User]:
        """Matching users ordered by id, sliced by ``limit``/``offset``."""

    def count(self, query: UserQuery) -> int:
        """How many users match."""

    def active_superuser_ids(self) -> frozenset[int]:
        """The ids of the active superusers, their rows locked until the unit of work ends
        (so that two superusers cannot each deactivate the other at once)."""


class LoginSessionRepository(Protocol):
    def add(self, session: LoginSession) -> None:
        """Store a new login session."""

    def get(self, session_id: str) -> LoginSession | None:
        """The session with this id, live or not."""

    def prefetch(self, session_id: str, user_id: int) -> None:
        """``principal`` of this session will be asked for after the unit of work's next read:
        storage that can may look it up with that read (one round trip for both)."""

    def principal(self, session_id: str, user_id: int, now: datetime) -> Principal | None:
        """The user behind a live session of an active user, in one indexed query."""

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        """End every live session of this user, but the one named ``keep`` (if any)."""


class LoginFailureKind(StrEnum):
    """What a failed login is counted against."""

    USERNAME = "username"
    ADDRESS = "address"


class LoginAttemptRepository(Protocol):
    """Failed logins, counted per key (a username's or a client address's digest)."""

    def lock(self, kind: LoginFailureKind, key: str) -> None:
        """Make every other unit of work that locks this key wait until this one ends."""

    def add_failure(self, kind: LoginFailureKind, key: str, at: datetime) -> int:
        """Record one failed login for this key; the record's id."""

    def remove(self, failure_id: int) -> None:
        """Forget one recorded failure (an attempt counted up front that succeeded)."""

    def nth_latest_failure(
        self, kind: LoginFailureKind, key: str, n: int, since: datetime
    ) -> datetime | None:
        """When the ``n``-th (n >= 1) latest failure after ``since`` was; ``None`` if fewer."""

    def clear(self, kind: LoginFailureKind, key: str) -> None:
        """Forget every failure of this key."""

    def prune(self, before: datetime) -> None:
        """Forget failures from before ``before``, a bounded batch at a time (housekeeping)."""


class PasswordResetRepository(Protocol):
    """Password-reset links, by the hash of their token."""

    def add(self, reset: PasswordReset) -> None:
        """Store a new link."""

    def get(self, token_hash: str) -> PasswordReset | None:
        """The link with this token hash."""

    def get_for_update(self, token_hash: str) -> PasswordReset | None:
        """The link with this token hash, locked until the unit of work ends."""

    def count_live(self, user_id: int, now: datetime) -> int:
        """How many of the user's links are neither used nor expired."""

    def revoke_all_for_user(self, user_id: int, now: datetime) -> None:
        """Spend every live link of this user (a password was set some other way)."""

    def prune(self, before: datetime) -> None:
        """Forget links that expired before ``before``, a bounded batch at a time."""
