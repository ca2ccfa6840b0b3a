"""Login throttling: too many failed logins for one username, or from one address, for a while.

Failures are stored (not kept in a process's memory), so that the limits hold across every
worker and node sharing the database. The check and the count are two steps, as in DRF's
throttles: attempts already past the check when the limit is reached are still verified (at
most as many as the servers run at once); every later one is refused until the window moves.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from webstore.application.errors import Throttled
from webstore.application.ports import (
    LoginAttemptRepository,
    LoginFailureKind,
    UnitOfWorkFactory,
)
from webstore.domain.values import username_key


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failed logins one window allows per username and per address (0: no limit)."""

    per_username: int = 5
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class FailureCounter:
    kind: LoginFailureKind
    key: str
    limit: int


@dataclass(frozen=True, slots=True)
class LoginGuard:
    """The failure counters of one login attempt: its username's and its client address's."""

    username: FailureCounter
    address: FailureCounter | None  # None: no client address known (e.g. a Python caller)
    window: timedelta

    @classmethod
    def of(cls, username: str, address: str | None, policy: ThrottlePolicy) -> LoginGuard:
        # ALICE and alice share a count; a username key may be long, its digest never is.
        by_name = FailureCounter(
            LoginFailureKind.USERNAME, digest(username_key(username)), policy.per_username
        )
        by_address = (
            FailureCounter(LoginFailureKind.ADDRESS, digest(address), policy.per_address)
            if address
            else None
        )
        return cls(by_name, by_address, policy.window)

    @property
    def counters(self) -> list[FailureCounter]:
        return [self.username] if self.address is None else [self.username, self.address]

    def check(self, attempts: LoginAttemptRepository, now: datetime) -> None:
        """Raise ``Throttled`` while a counter holds its limit of failures within the window."""
        since = now - self.window
        waits = [
            latest + self.window - now
            for c in self.counters
            if c.limit > 0
            and (latest := attempts.nth_latest_failure(c.kind, c.key, c.limit, since)) is not None
        ]
        if waits:
            # When the limit-th latest failure leaves the window, one more attempt is allowed.
            raise Throttled(max(1, math.ceil(max(waits).total_seconds())))

    def count_failure(self, uow: UnitOfWorkFactory, now: datetime) -> None:
        """Record a failure on every counter, committed at once; drop failures out of the window."""
        with uow() as work:
            for counter in self.counters:
                work.login_attempts.add_failure(counter.kind, counter.key, now)
            work.login_attempts.prune(now - self.window)
            work.commit()

    def forget_username(self, attempts: LoginAttemptRepository) -> None:
        """A successful login clears its username's count (not its address's)."""
        attempts.clear(self.username.kind, self.username.key)


def digest(text: str) -> str:
    """A fixed-width key for any text: SHA-256 in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
