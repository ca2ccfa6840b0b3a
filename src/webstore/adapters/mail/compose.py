"""An outbox message as an RFC 5322 message, built by the standard library's ``email`` package."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from webstore.domain.mail import OutboxMessage


def email_message(message: OutboxMessage, sender: str) -> EmailMessage:
    """Plain text in UTF-8, from ``sender``. The same message gets the same Message-ID on every
    attempt, so that a mail client can tell a resend (after a crash) for what it is."""
    letter = EmailMessage(policy=policy.SMTP)
    # The email package refuses a header value with a line break in it (ValueError): with
    # the domain's own clean-up of recipients and subjects, no user data can add a header.
    letter["From"] = sender
    letter["To"] = message.mail.to
    letter["Subject"] = message.mail.subject
    letter["Date"] = format_datetime(message.created_at)
    letter["Message-ID"] = message_id(message, sender)
    letter["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    letter.set_content(message.mail.body)
    return letter


def message_id(message: OutboxMessage, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<webstore.{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"
