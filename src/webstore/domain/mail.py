"""Mail the shop sends, and its journey through the outbox: pending, then sent or given up."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

# Anything that could end a header line or confuse a mail client: never in a header's text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_text(value: str) -> str:
    """``value`` on one line: control characters (CR and LF above all) become one space."""
    return _CONTROL.sub(" ", value).strip()


class MailKind(enum.StrEnum):
    """Why a message is sent."""

    ORDER_CONFIRMATION = "order_confirmation"
    NEW_ORDER_NOTICE = "new_order_notice"
    CANCELLATION_NOTICE = "cancellation_notice"
    PASSWORD_RESET = "password_reset"


@dataclass(frozen=True, slots=True)
class Mail:
    """One plain-text message to one address. Its recipient and subject hold no line breaks,
    whatever a user typed: no header can be smuggled into the message."""

    kind: MailKind
    to: str
    subject: str
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "to", header_text(self.to))
        object.__setattr__(self, "subject", header_text(self.subject))


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENT = "sent"  # handed to the mail server (or written to the folder)
    FAILED = "failed"  # given up: refused for good, expired, or too old


@dataclass(eq=False)
class OutboxMessage:
    """A message stored with the change it reports, sent after that change is committed.

    ``due_at`` is when a sender may next take it: on claiming, a sender moves it past the
    time it needs to send (its lease), so that no other sender takes it meanwhile; after a
    failed attempt it is the time of the retry. Once settled (sent or failed) the body is
    dropped: the outbox remembers who was sent what and when, not the text (a password-reset
    link, say, must not outlive its delivery in the database).
    """

    mail: Mail
    created_at: datetime
    due_at: datetime
    expires_at: datetime | None = None  # past this, sending it would be pointless
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0  # failed attempts so far
    last_error: str | None = None
    settled_at: datetime | None = None
    id: int | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OutboxMessage) and other.id is not None and other.id == self.id

    def __hash__(self) -> int:
        return hash(("OutboxMessage", self.id))

    def is_due(self, now: datetime) -> bool:
        return self.status is DeliveryStatus.PENDING and self.due_at <= now

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def claim(self, until: datetime) -> None:
        """Taken by a sender, which must settle it or let it go before ``until``."""
        self.due_at = until

    def release(self, due_at: datetime) -> None:
        """Given back unattempted: due again at ``due_at``."""
        self.due_at = due_at

    def sent(self, now: datetime) -> None:
        self._settle(DeliveryStatus.SENT, now)

    def give_up(self, now: datetime, reason: str) -> None:
        self.last_error = reason
        self._settle(DeliveryStatus.FAILED, now)

    def retry_at(self, due_at: datetime, reason: str) -> None:
        """An attempt failed for now; try again at ``due_at``."""
        self.attempts += 1
        self.last_error = reason
        self.due_at = due_at

    def _settle(self, status: DeliveryStatus, now: datetime) -> None:
        self.status = status
        self.settled_at = now
        self.mail = replace(self.mail, body="")
