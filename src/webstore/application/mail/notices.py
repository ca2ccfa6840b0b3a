"""The mail the store writes: what each message says, stored in the outbox of the unit of work
that makes the change it reports (so it is sent if, and only if, that change is committed)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta

from webstore.application.ports import UnitOfWork
from webstore.domain.mail import Mail, MailKind, OutboxMessage
from webstore.domain.orders import Order

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
RESET_FRAGMENT = "#reset="  # the storefront reads the token from the link's fragment


@dataclass(frozen=True, slots=True)
class MailPolicy:
    """Who hears of what, and where the links in the mail point."""

    staff: tuple[str, ...] = ()  # addresses told of every new order
    public_url: str = DEFAULT_PUBLIC_URL  # where customers reach the storefront
    reset_lifetime: timedelta = timedelta(hours=1)

    def reset_link(self, token: str) -> str:
        """The storefront with the token in the fragment: never sent to any server, logged or
        passed on in a Referer."""
        return f"{self.public_url.rstrip('/')}/{RESET_FRAGMENT}{token}"


@dataclass(frozen=True, slots=True)
class Recipient:
    username: str
    email: str


def post(work: UnitOfWork, mail: Mail, now: datetime, expires_at: datetime | None = None) -> None:
    """Store ``mail`` in the unit of work's outbox, due at once."""
    work.outbox.add(OutboxMessage(mail, created_at=now, due_at=now, expires_at=expires_at))


def order_placed(
    work: UnitOfWork, order: Order, customer: Recipient, policy: MailPolicy, now: datetime
) -> None:
    """The customer's confirmation, and a notice to each staff address."""
    post(
        work,
        Mail(
            MailKind.ORDER_CONFIRMATION,
            customer.email,
            f"Your order #{order.id}",
            _text(
                f"Hello {customer.username},",
                f"thank you for your order #{order.id}.",
                _summary(order),
                f"Your orders: {policy.public_url.rstrip('/')}/",
            ),
        ),
        now,
    )
    for address in policy.staff:
        post(
            work,
            Mail(
                MailKind.NEW_ORDER_NOTICE,
                address,
                f"New order #{order.id} from {customer.username}",
                _text(
                    f"Order #{order.id} was placed by {customer.username} <{customer.email}> "
                    f"(user {order.user_id}).",
                    _summary(order),
                ),
            ),
            now,
        )


def order_cancelled(work: UnitOfWork, order: Order, customer: Recipient, now: datetime) -> None:
    """The customer hears that the order is cancelled, whoever cancelled it."""
    post(
        work,
        Mail(
            MailKind.CANCELLATION_NOTICE,
            customer.email,
            f"Your order #{order.id} is cancelled",
            _text(
                f"Hello {customer.username},",
                f"your order #{order.id} has been cancelled; nothing will be delivered.",
                _summary(order),
            ),
        ),
        now,
    )


def password_reset(
    work: UnitOfWork, user: Recipient, link: str, policy: MailPolicy, now: datetime
) -> None:
    """The link to choose a new password; not sent at all once the link has expired."""
    minutes = max(1, int(policy.reset_lifetime.total_seconds()) // 60)
    post(
        work,
        Mail(
            MailKind.PASSWORD_RESET,
            user.email,
            "Reset your password",
            _text(
                f"Hello {user.username},",
                f"someone (we hope you) asked to reset the password of the account "
                f"{user.username}. To choose a new password, open this link within {minutes} "
                "minutes:",
                link,
                "The link works once. If you did not ask, ignore this message: your password "
                "stays as it is.",
            ),
        ),
        now,
        expires_at=now + policy.reset_lifetime,
    )


def _text(*paragraphs: str) -> str:
    """Paragraphs wrapped at 72 characters (lines of data and links are kept whole)."""
    return "\n\n".join(_wrapped(part) for part in paragraphs) + "\n"


def _wrapped(paragraph: str) -> str:
    if len(paragraph) <= 72 or "\n" in paragraph or " " not in paragraph:
        return paragraph
    return textwrap.fill(paragraph, 72, break_long_words=False, break_on_hyphens=False)


def _summary(order: Order) -> str:
    lines = [
        f"  {line.quantity} x {line.product_name} at {line.price} = {line.subtotal}"
        for line in order.lines
    ]
    return "\n".join(
        [
            *lines,
            "",
            f"Total: {order.total_price}",
            "",
            "Delivery address:",
            order.address,
            f"Phone: {order.phone}",
        ]
    )
