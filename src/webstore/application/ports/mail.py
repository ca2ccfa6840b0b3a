"""Ports of mail: the outbox that keeps mail with the changes it reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from webstore.domain.mail import OutboxMessage


class OutboxRepository(Protocol):
    """Mail stored with the changes it reports, until a sender has settled it."""

    def add(self, message: OutboxMessage) -> None:
        """Store a new message (written by the unit of work's commit, with everything else)."""

    def get(self, message_id: int) -> OutboxMessage | None:
        """The message with this id, pending or settled."""

    def next_due(self) -> datetime | None:
        """When the earliest pending message is due (``None``: nothing pending)."""

    def claim(self, now: datetime, until: datetime, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` pending messages due at ``now``, oldest first, each claimed until
        ``until``; messages another unit of work is claiming are skipped, not waited for."""

    def save(self, message: OutboxMessage) -> None:
        """Write back the delivery state of a message this unit of work claimed or read."""

    def save_all(self, messages: Sequence[OutboxMessage]) -> None:
        """``save`` each of ``messages`` (in one statement where storage can)."""

    def prune(self, before: datetime) -> None:
        """Forget messages settled before ``before``, a bounded batch at a time."""
