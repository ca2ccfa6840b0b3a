"""Access tokens as JWTs on PyJWT: HS256 pinned, expiry checked against an injected clock."""

from __future__ import annotations

import base64
import re
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


class JwtAccessTokenService:
    def __init__(self, secret_key: bytes, lifetime: timedelta, clock: Clock) -> None:
        self._key = secret_key
        self._lifetime = lifetime
        self._clock = clock

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

    def _checked(self, claims: Mapping[str, Any]) -> AccessClaims:
        sub, sid, exp = claims["sub"], claims["sid"], claims["exp"]
        if claims["token_type"] != ACCESS or not isinstance(sid, str) or not sid:
            raise InvalidToken()
        if not isinstance(sub, str) or not _USER_ID.match(sub):
            raise InvalidToken()
        if type(exp) is not int:
            raise InvalidToken()
        if self._clock.now().timestamp() >= exp:
            raise TokenExpired()
        return AccessClaims(int(sub), sid)
