"""A password reset: a single-use link, known to the store only by its token's hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webstore.domain.errors import InvalidResetToken


@dataclass(eq=False)
class PasswordReset:
    token_hash: str  # SHA-256 of the token in the link; the token itself is never stored
    user_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PasswordReset) and other.token_hash == self.token_hash

    def __hash__(self) -> int:
        return hash(("PasswordReset", self.token_hash))

    def is_live(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def use(self, now: datetime) -> None:
        """Spend the link; ``InvalidResetToken`` if it was used or has expired."""
        if not self.is_live(now):
            raise InvalidResetToken()
        self.used_at = now
