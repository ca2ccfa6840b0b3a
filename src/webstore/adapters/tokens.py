"""Access tokens as JWTs on PyJWT: HS256 pinned, expiry checked against an injected clock."""

from __future__ import annotations

import base64
import re
import threading
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import jwt

from webstore.application.dto import AccessClaims
from webstore.application.errors import InvalidToken, TokenExpired
from webstore.application.ports import Clock

ALGORITHM = "HS256"
ISSUER = "webstore"
ACCESS = "access"
REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "iss", "token_type", "sid"]
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+\Z")
_USER_ID = re.compile(r"^[1-9][0-9]{0,18}\Z")


def is_canonical_segment(segment: str) -> bool:
    """Whether ``segment`` is the one unpadded base64url spelling of the bytes it decodes to.

    Python's decoder accepts several spellings of the same bytes (stray bits in the last
    character); refusing them keeps "any change to the token invalidates it" literally true.
    """
    if not _SEGMENT.match(segment) or len(segment) % 4 == 1:
        return False
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == segment


VERIFIED_KEPT = 4096  # tokens whose signature and claims were checked, per process


class JwtAccessTokenService:
    def __init__(self, secret_key: bytes, lifetime: timedelta, clock: Clock) -> None:
        self._key = secret_key
        self._lifetime = lifetime
        self._clock = clock
        # A client sends the same token with every request until it expires. What the token
        # says can be checked once: the exact string whose signature verified maps to its
        # claims, and only the expiry (which depends on the time) is checked on every use.
        # Whether its session is still alive is the caller's question, asked every time.
        self._verified: dict[str, tuple[AccessClaims, int]] = {}
        self._verified_lock = threading.Lock()

    def issue(self, user_id: int, session_id: str) -> str:
        now = self._clock.now()
        claims = {
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self._lifetime).timestamp()),
            "jti": uuid.uuid4().hex,
            "iss": ISSUER,
            "token_type": ACCESS,
            "sid": session_id,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        known = self._verified.get(token)
        if known is None:
            known = self._verify_signed(token)
            with self._verified_lock:
                if len(self._verified) >= VERIFIED_KEPT:
                    del self._verified[next(iter(self._verified))]  # the oldest goes first
                self._verified[token] = known
        claims, expires = known
        if self._clock.now().timestamp() >= expires:
            raise TokenExpired()
        return claims

    def _verify_signed(self, token: str) -> tuple[AccessClaims, int]:
        segments = token.split(".")
        if len(segments) != 3 or not all(is_canonical_segment(s) for s in segments):
            raise InvalidToken()
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                # Time claims are checked below against the injected clock instead.
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise InvalidToken() from None
        return self._checked(claims)

    def _checked(self, claims: Mapping[str, Any]) -> tuple[AccessClaims, int]:
        sub, sid, exp = claims["sub"], claims["sid"], claims["exp"]
        if claims["token_type"] != ACCESS or not isinstance(sid, str) or not sid:
            raise InvalidToken()
        if not isinstance(sub, str) or not _USER_ID.match(sub):
            raise InvalidToken()
        if type(exp) is not int:
            raise InvalidToken()
        return AccessClaims(int(sub), sid), exp
