"""What the spawned processes of the outbox's crash tests run: the real use cases."""

from __future__ import annotations

import time

from tests.conftest import fast_settings
from webstore import Principal, bootstrap


def place_order_then_hang(url: str, user_id: int, product_id: int) -> None:
    """Place one order (committed with its mail) and wait to be killed, sending nothing."""
    store = bootstrap(fast_settings(url))
    store.place_order(
        Principal(user_id, "alice", "alice@example.com"), "1 Main Street", "+1 555 0100",
        [{"product_id": product_id, "amount": 1}],
    )  # fmt: skip
    time.sleep(3600)


def send_pending_mail(url: str, mail_url: str) -> None:
    """Claim what is due and send it (the test's mail server hangs: until killed)."""
    bootstrap(fast_settings(url, mail_url=mail_url)).send_pending_mail()
