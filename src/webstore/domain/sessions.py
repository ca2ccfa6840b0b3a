"""A login session: the family of refresh tokens descended from one login."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from webstore.domain.users import User


def grants_access(
    *, revoked_at: datetime | None, expires_at: datetime, user_is_active: bool, now: datetime
) -> bool:
    """The one rule of a usable login: a live session (not revoked, not expired) of an active user.

    Stated on the facts rather than on objects, so that storage which reads them from one
    joined row applies this very rule instead of a copy of it.
    """
    return revoked_at is None and now < expires_at and user_is_active


class Rotation(enum.Enum):
    ROTATED = "rotated"  # the current token: a new one replaces it
    GRACE = "grace"  # the token just replaced, shown again within the grace period
    THEFT = "theft"  # an older token shown again: the whole session is revoked
    REJECTED = "rejected"  # dead session or a token that was never this session's


@dataclass(eq=False)
class LoginSession:
    """Keeps only the hashes of its current and previous refresh tokens and a generation count.

    Refresh tokens name their session and generation, so an authentic token of an older
    generation is recognised as a replay without storing every hash ever issued.
    """

    id: str
    user_id: int
    created_at: datetime
    expires_at: datetime
    token_hash: str
    generation: int = 0
    previous_token_hash: str | None = None
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LoginSession) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("LoginSession", self.id))

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def grants_access(self, user: User, now: datetime) -> bool:
        """Whether this session lets ``user`` act now (see ``grants_access``)."""
        return user.id == self.user_id and grants_access(
            revoked_at=self.revoked_at,
            expires_at=self.expires_at,
            user_is_active=user.is_active,
            now=now,
        )

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now

    def rotate(
        self,
        *,
        generation: int,
        token_hash: str,
        new_token_hash: str,
        now: datetime,
        lifetime: timedelta,
        grace: timedelta,
    ) -> Rotation:
        """Decide what presenting the refresh token (``generation``, ``token_hash``) means."""
        if not self.is_live(now):
            return Rotation.REJECTED
        if generation == self.generation and token_hash == self.token_hash:
            self.previous_token_hash = self.token_hash
            self.token_hash = new_token_hash
            self.generation += 1
            self.rotated_at = now
            self.expires_at = now + lifetime
            return Rotation.ROTATED
        if generation == self.generation - 1 and token_hash == self.previous_token_hash:
            assert self.rotated_at is not None
            if grace > timedelta(0) and now - self.rotated_at <= grace:
                return Rotation.GRACE
        if generation < self.generation:
            self.revoke(now)
            return Rotation.THEFT
        return Rotation.REJECTED
