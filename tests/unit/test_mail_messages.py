"""What goes out: standard messages whose headers no user data can add to."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

from webstore.adapters.mail.compose import email_message
from webstore.domain.mail import Mail, MailKind, OutboxMessage

WHEN = datetime(2026, 11, 26, 20, 12, 30, 123456, tzinfo=UTC)


def stored(mail: Mail, message_id: int = 42) -> OutboxMessage:
    return OutboxMessage(mail, created_at=WHEN, due_at=WHEN, id=message_id)


def test_line_breaks_never_reach_a_recipient_or_a_subject() -> None:
    mail = Mail(
        MailKind.NEW_ORDER_NOTICE,
        "staff@example.com\r\nBcc: thief@example.com",
        "New order\nBcc: thief@example.com\u2028X-Evil: 1",
        "line one\r\nBcc: not a header\n",
    )

    assert mail.to == "staff@example.com Bcc: thief@example.com"
    assert mail.subject == "New order Bcc: thief@example.com X-Evil: 1"


def test_a_message_is_plain_utf8_text_with_the_usual_headers() -> None:
    body = "Hello Zoë,\n\n.\nBcc: thief@example.com\n\nTotal: 39.98\n"
    mail = Mail(MailKind.ORDER_CONFIRMATION, "zoe@example.com", "Your order #7 — merci", body)

    letter = email_message(stored(mail), "Café Shop <shop@example.com>")
    parsed = message_from_bytes(letter.as_bytes(), policy=policy.default)

    assert parsed["From"] == "Café Shop <shop@example.com>"
    assert parsed["To"] == "zoe@example.com"
    assert parsed["Subject"] == "Your order #7 — merci"
    assert parsed["Date"] == "Thu, 26 Nov 2026 20:12:30 +0000"
    assert parsed["Message-ID"] == "<webstore.42.20261126201230123456@example.com>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content().replace("\r\n", "\n") == body
    assert "Bcc" not in parsed  # only in the text


def test_every_attempt_at_one_message_carries_the_same_message_id() -> None:
    message = stored(Mail(MailKind.PASSWORD_RESET, "a@example.com", "Reset", "text"), 9)

    first = email_message(message, "shop@example.com")
    again = email_message(message, "shop@example.com")
    other = email_message(stored(message.mail, 10), "shop@example.com")

    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
