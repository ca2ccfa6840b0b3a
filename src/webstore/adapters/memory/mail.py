"""The in-memory outbox and password-reset links."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from webstore.adapters.memory.tables import Table
from webstore.domain.mail import DeliveryStatus, OutboxMessage
from webstore.domain.password_resets import PasswordReset


class InMemoryOutboxRepository:
    def __init__(self, table: Table[int, OutboxMessage], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def add(self, message: OutboxMessage) -> None:
        message.id = next(self._ids)
        self._table.put(message)

    def get(self, message_id: int) -> OutboxMessage | None:
        return self._table.get(message_id)

    def next_due(self) -> datetime | None:
        return min((m.due_at for m in self._pending()), default=None)

    def claim(self, now: datetime, until: datetime, limit: int) -> list[OutboxMessage]:
        # The store's lock serialises units of work: nobody else is claiming meanwhile.
        due = sorted((m for m in self._pending() if m.due_at <= now), key=_oldest_first)
        for message in due[:limit]:
            message.claim(until)
        return due[:limit]

    def save(self, message: OutboxMessage) -> None:
        self._table.put(message)

    def save_all(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            self.save(message)

    def prune(self, before: datetime) -> None:
        for message in self._table.all():
            if message.settled_at is not None and message.settled_at < before:
                assert message.id is not None
                self._table.remove(message.id)

    def _pending(self) -> list[OutboxMessage]:
        return [m for m in self._table.all() if m.status is DeliveryStatus.PENDING]


def _oldest_first(message: OutboxMessage) -> tuple[datetime, int]:
    return message.due_at, message.id or 0


class InMemoryPasswordResetRepository:
    def __init__(self, table: Table[str, PasswordReset]) -> None:
        self._table = table

    def add(self, reset: PasswordReset) -> None:
        self._table.put(reset)

    def get(self, token_hash: str) -> PasswordReset | None:
        return self._table.get(token_hash)

    get_for_update = get  # the store's lock already serialises units of work

    def count_live(self, user_id: int, now: datetime) -> int:
        return sum(1 for r in self._table.all() if r.user_id == user_id and r.is_live(now))

    def revoke_all_for_user(self, user_id: int, now: datetime) -> None:
        for reset in self._table.all():
            if reset.user_id == user_id and reset.used_at is None:
                reset.used_at = now

    def prune(self, before: datetime) -> None:
        for reset in self._table.all():
            if reset.expires_at < before:
                self._table.remove(reset.token_hash)


def token_hash_of(reset: PasswordReset) -> str:
    return reset.token_hash
