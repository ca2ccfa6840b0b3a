"""Fakes of the ports the core does not own: time, randomness and password hashing.

They satisfy the Protocols of ``webstore.application.ports`` by shape, without inheritance.
"""

from __future__ import annotations

import base64
import copy
import random
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from webstore.application.errors import MailNotSent, MailRejected, MailServerUnavailable
from webstore.domain.mail import OutboxMessage

SHOP_OPENING = datetime(2026, 11, 26, 20, 12, 30, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = SHOP_OPENING) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **more: float) -> None:
        self._now += timedelta(seconds=seconds, **more)


class FakeRandom:
    """Reproducible randomness: a seeded generator, so runs repeat but tokens still differ."""

    def __init__(self, seed: int = 2026) -> None:
        self._random = random.Random(seed)

    def token(self, nbytes: int) -> str:
        raw = self._random.randbytes(nbytes)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakePasswordHasher:
    """``"hashed:" + password``, instantly; ``burned`` counts the decoy verifications."""

    def __init__(self) -> None:
        self.rehash_needed = False
        self.burned = 0

    def hash(self, password: str) -> str:
        return "hashed:" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "hashed:" + password

    def needs_rehash(self, password_hash: str) -> bool:
        return self.rehash_needed

    def burn(self, password: str) -> None:
        self.burned += 1


class UnitOfWorkWrapper:
    """A unit of work that behaves as ``inner`` except where a subclass says otherwise:
    the base of the fakes that stage a race a real database would lose."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._inner.__exit__(kind, exc, tb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class FakeMailServer:
    """A mail server in memory: keeps what it takes. ``down`` refuses every message for now,
    ``refusing`` some recipients for good, ``busy`` some recipients for now; ``broken`` makes
    sending raise an error nobody expected."""

    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []
        self.attempts: list[int] = []  # message ids, in the order they were tried
        self.down = False
        self.refusing: set[str] = set()
        self.busy: set[str] = set()
        self.broken: set[str] = set()

    def send(self, message: OutboxMessage) -> None:
        assert message.id is not None
        self.attempts.append(message.id)
        to = message.mail.to
        if self.down:
            raise MailServerUnavailable("ConnectionRefusedError: [Errno 111] Connection refused")
        if to in self.refusing:
            raise MailRejected("recipient refused: 550 no such user")
        if to in self.busy:
            raise MailNotSent("recipient refused: 451 mailbox busy")
        if to in self.broken:
            raise RuntimeError("a bug in composing")
        self.sent.append(copy.deepcopy(message))

    def flush(self) -> None:
        pass  # what it took it keeps

    def sent_to(self, address: str) -> list[OutboxMessage]:
        return [message for message in self.sent if message.mail.to == address]
