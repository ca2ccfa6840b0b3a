"""Refresh and CSRF tokens: random values authenticated with an HMAC of the server's key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

from webstore.adapters.system import SystemClock
from webstore.application.dto import IssuedRefreshToken, PresentedRefreshToken
from webstore.application.ports import Clock, RandomSource

_REFRESH = re.compile(
    r"^([A-Za-z0-9_-]{16,64})\.(0|[1-9][0-9]{0,8})\.([A-Za-z0-9_-]{32,64})\.([A-Za-z0-9_-]{43})\Z"
)
_CSRF = re.compile(r"^([A-Za-z0-9_-]{32})\.(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})\Z")
# A token from a node whose clock runs a little ahead is still good.
CLOCK_SKEW = timedelta(minutes=1)


def derive_key(secret_key: bytes, purpose: str) -> bytes:
    """A separate key per purpose, so one token kind can never pass for another."""
    return hmac.new(secret_key, f"webstore.{purpose}".encode(), hashlib.sha256).digest()


def _mac(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What storage keeps instead of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()


class HmacRefreshTokenService:
    """``<session>.<generation>.<random>.<mac>``: random, but provably this server's."""

    def __init__(self, secret_key: bytes, random: RandomSource) -> None:
        self._key = derive_key(secret_key, "refresh")
        self._random = random

    def issue(self, session_id: str, generation: int) -> IssuedRefreshToken:
        body = f"{session_id}.{generation}.{self._random.token(32)}"
        token = f"{body}.{_mac(self._key, body)}"
        return IssuedRefreshToken(token, token_hash(token))

    def read(self, token: str) -> PresentedRefreshToken | None:
        match = _REFRESH.match(token)
        if match is None:
            return None
        session_id, generation, nonce, mac = match.groups()
        expected = _mac(self._key, f"{session_id}.{generation}.{nonce}")
        if not hmac.compare_digest(mac, expected):
            return None
        return PresentedRefreshToken(session_id, int(generation), token_hash(token))


class HmacCsrfTokenService:
    """``<nonce>.<issued>.<mac over user id, nonce and issue time>``, good for ``lifetime``.

    Signed for a user (a planted or another user's token fails) rather than for a login
    session, so that a second tab logging in does not break the first; the issue time, inside
    the signature, bounds how long a leaked token is worth anything. Tokens of the earlier
    ``<nonce>.<mac>`` form are refused like any malformed one.
    """

    def __init__(
        self,
        secret_key: bytes,
        random: RandomSource,
        clock: Clock | None = None,
        lifetime: timedelta = timedelta(days=7),
    ) -> None:
        self._key = derive_key(secret_key, "csrf")
        self._random = random
        self._clock = clock or SystemClock()
        self._lifetime = lifetime

    def issue(self, user_id: int) -> str:
        nonce = self._random.token(24)
        issued = int(self._clock.now().timestamp())
        return f"{nonce}.{issued}.{_mac(self._key, f'{user_id}.{nonce}.{issued}')}"

    def is_valid(self, token: str, user_id: int) -> bool:
        match = _CSRF.match(token)
        if match is None:
            return False
        nonce, issued, mac = match.groups()
        if not hmac.compare_digest(mac, _mac(self._key, f"{user_id}.{nonce}.{issued}")):
            return False
        age = self._clock.now() - datetime.fromtimestamp(int(issued), UTC)
        return -CLOCK_SKEW <= age <= self._lifetime
