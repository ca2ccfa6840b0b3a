"""Login throttling: too many failed logins for one username, or from one address, for a while.

Failures are stored (not kept in a process's memory), so that the limits hold across every
worker and node sharing the database. Every attempt is counted as a failure *before* its
password is verified, in one locked step with the check: however many arrive at once, across
however many processes, no more than the limit are ever verified. A login that succeeds takes
its count back (and clears its username's count).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from webstore.application.errors import Throttled
from webstore.application.ports import LoginAttemptRepository, LoginFailureKind
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
    def of(
        cls, username: str, address: str | None, policy: ThrottlePolicy, scope: str = ""
    ) -> LoginGuard:
        """The counters of ``username`` and ``address``; another ``scope`` (say, password
        resets) counts apart from logins, under the same limits."""
        # ALICE and alice share a count; a username key may be long, its digest never is.
        by_name = FailureCounter(
            LoginFailureKind.USERNAME, digest(scope + username_key(username)), policy.per_username
        )
        by_address = (
            FailureCounter(LoginFailureKind.ADDRESS, digest(scope + address), policy.per_address)
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

    def reserve(self, attempts: LoginAttemptRepository, now: datetime) -> list[int]:
        """Check the counters and count this attempt as a failure, as one step; the records.

        Call inside a unit of work and commit it before verifying the password: the counters
        stay locked until then, so concurrent attempts are checked one after the other.
        """
        for counter in self.counters:  # always in this order: no two logins wait on each other
            attempts.lock(counter.kind, counter.key)
        self.check(attempts, now)
        reserved = [attempts.add_failure(c.kind, c.key, now) for c in self.counters]
        attempts.prune(now - self.window)
        return reserved

    def forgive(self, attempts: LoginAttemptRepository) -> None:
        """Forget every failure of the username (its owner proved who they are)."""
        attempts.clear(self.username.kind, self.username.key)

    def succeeded(self, attempts: LoginAttemptRepository, reserved: list[int]) -> None:
        """A successful login: its username's count is cleared, its own failure taken back."""
        attempts.clear(self.username.kind, self.username.key)
        for failure_id in reserved:
            attempts.remove(failure_id)


def digest(text: str) -> str:
    """A fixed-width key for any text: SHA-256 in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
