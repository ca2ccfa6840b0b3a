"""The real clock and the operating system's random source."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SystemRandom:
    def token(self, nbytes: int) -> str:
        return secrets.token_urlsafe(nbytes)
