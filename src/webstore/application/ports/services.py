"""Ports of the services the use cases call besides storage: time, randomness, password
hashing, tokens, picture processing and the mail server."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from webstore.application.dto import (
    AccessClaims,
    IssuedRefreshToken,
    PresentedRefreshToken,
)
from webstore.domain.mail import OutboxMessage
from webstore.domain.pictures import ImageVariant


class PictureProcessor(Protocol):
    def variants(self, data: bytes) -> list[ImageVariant]:
        """The picture in ``data`` re-encoded at each of ``pictures.SIZES`` (never larger than
        it is), from its pixels alone; ``InvalidImage`` for anything but an accepted picture."""


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A salted one-way hash of ``password``."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; never raises for a wrong password."""

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the configured ones."""

    def burn(self, password: str) -> None:
        """Spend the time of one verification, for users that do not exist."""


class AccessTokenService(Protocol):
    def issue(self, user_id: int, session_id: str) -> str:
        """A signed, short-lived access token for this user and login session."""

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raise ``TokenExpired`` or ``InvalidToken``."""


class RefreshTokenService(Protocol):
    def issue(self, session_id: str, generation: int) -> IssuedRefreshToken:
        """A new random refresh token of this session and generation, and its hash."""

    def read(self, token: str) -> PresentedRefreshToken | None:
        """What an authentic token names, or ``None`` for a malformed or forged one."""


class CsrfTokenService(Protocol):
    def issue(self, user_id: int) -> str:
        """A random CSRF token signed for this user."""

    def is_valid(self, token: str, user_id: int) -> bool:
        """Whether the token was signed by this server for this user."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class RandomSource(Protocol):
    def token(self, nbytes: int) -> str:
        """A URL-safe text of ``nbytes`` unpredictable bytes."""


class Mailer(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Hand one message to the mail server; its id names it (Message-ID) on every attempt.

        Raises ``MailServerUnavailable`` when no message can go now, ``MailRejected`` when
        this one never will, ``MailNotSent`` when this one may later.
        """

    def flush(self) -> None:
        """Make every message ``send`` took since the last call durable (a no-op where
        ``send`` already is); the sender marks them sent only after it returns.

        Raises ``MailServerUnavailable`` when they may be lost: they are then sent again.
        """
