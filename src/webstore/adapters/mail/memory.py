"""A mailbox in memory: the mail of the in-memory store, and the tests' fake mail server."""

from __future__ import annotations

import threading
from email.message import EmailMessage

from webstore.adapters.mail.compose import email_message
from webstore.application.errors import MailNotSent
from webstore.domain.mail import OutboxMessage


class InMemoryMailbox:
    """Keeps every message it is given, as it would have gone out; ``failure``, when set, is
    raised instead (a mail server that is down, or that refuses)."""

    def __init__(self, sender: str = "webstore@localhost") -> None:
        self.sender = sender
        self.sent: list[EmailMessage] = []
        self.failure: MailNotSent | None = None
        self._lock = threading.Lock()

    def send(self, message: OutboxMessage) -> None:
        if self.failure is not None:
            raise self.failure
        letter = email_message(message, self.sender)
        with self._lock:
            self.sent.append(letter)

    def flush(self) -> None:
        pass  # nothing outlives the process anyway
