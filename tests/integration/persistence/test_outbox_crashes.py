"""A crash never loses a message: processes killed with SIGKILL after the commit that stored
it, or after claiming it, leave it to the next sender, which sends it once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.process import BaseProcess

from tests.conftest import fast_settings
from tests.fakes import FakeClock
from tests.integration.persistence import mail_workers
from tests.integration.persistence.helpers import add_product, add_user, query
from tests.smtp import silent_server, smtp_server
from webstore import Principal, bootstrap
from webstore.application.mail.delivery import DeliveryOutcome


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited in vain for {what}"
        time.sleep(0.05)


def kill(child: BaseProcess) -> None:
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=10)
    assert child.exitcode == -signal.SIGKILL


def spawn(target: Callable[..., None], *args: object) -> BaseProcess:
    child = multiprocessing.get_context("spawn").Process(target=target, args=args)
    child.start()
    return child


def send_with(url: str, port: int, clock: FakeClock | None = None) -> list[DeliveryOutcome]:
    store = bootstrap(fast_settings(url, mail_url=f"smtp://127.0.0.1:{port}"), clock=clock)
    try:
        return [delivery.outcome for delivery in store.send_pending_mail().deliveries]
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]


def test_a_process_killed_after_committing_an_order_leaves_its_mail_to_the_next_sender(
    sql_url: str,
) -> None:
    uow = bootstrap(fast_settings(sql_url)).uow
    user, product = add_user(uow, "alice"), add_product(uow)
    uow.dispose()  # type: ignore[attr-defined]
    child = spawn(mail_workers.place_order_then_hang, sql_url, user, product)
    try:
        wait_for(lambda: query(sql_url, "SELECT COUNT(*) FROM outbox") == [(1,)], "the order")
    finally:
        kill(child)

    with smtp_server() as (handler, port):
        assert send_with(sql_url, port) == [DeliveryOutcome.SENT]
        assert send_with(sql_url, port) == []

    assert [r.recipients for r in handler.received] == [["alice@example.com"]]


def test_a_sender_killed_after_claiming_leaves_the_message_to_the_next_once_its_lease_ends(
    sql_url: str,
) -> None:
    store = bootstrap(fast_settings(sql_url))
    try:
        user, product = add_user(store.uow, "alice"), add_product(store.uow)
        store.place_order(
            Principal(user, "alice", "alice@example.com"), "1 Main Street", "+1 555 0100",
            [{"product_id": product, "amount": 1}],
        )  # fmt: skip
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]

    def claimed() -> bool:
        [(created, due)] = query(sql_url, "SELECT created_at, due_at FROM outbox")
        return bool(due != created)

    with silent_server() as hung:  # the sender waits for its greeting until killed
        child = spawn(
            mail_workers.send_pending_mail, sql_url, f"smtp://127.0.0.1:{hung}?timeout=60"
        )
        try:
            wait_for(claimed, "the claim")
            time.sleep(0.2)  # well into its wait for the server
        finally:
            kill(child)

    with smtp_server() as (handler, port):
        assert send_with(sql_url, port) == []  # still claimed by the dead sender
        after_lease = FakeClock(datetime.now(UTC) + timedelta(minutes=5, seconds=1))
        assert send_with(sql_url, port, after_lease) == [DeliveryOutcome.SENT]
        assert send_with(sql_url, port, after_lease) == []

    assert [r.recipients for r in handler.received] == [["alice@example.com"]]
