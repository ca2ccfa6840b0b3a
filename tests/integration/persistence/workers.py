"""What the spawned processes of the concurrency tests run: the real use cases, nothing mocked."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from tests.conftest import fast_settings
from webstore import bootstrap
from webstore.adapters.sql.migrations import upgrade
from webstore.application.dto import Principal
from webstore.application.errors import IdempotencyConflict
from webstore.application.idempotency import IdempotencyRequest
from webstore.domain.errors import InsufficientStock, UsernameTaken, WebstoreError

ADDRESS, PHONE = "1 Main Street", "+1 555 0100"


def _wait_until(start_at: float) -> None:
    # Every process is set up before the shared start time, so the work itself overlaps.
    time.sleep(max(0.0, start_at - time.time()))


def place_orders(
    url: str, user_id: int, baskets: list[list[dict[str, int]]], start_at: float
) -> Counter[str]:
    """Place each basket as one order; count what happened. Anything unexpected propagates."""
    store = bootstrap(fast_settings(url))
    buyer = Principal(user_id, "buyer", "buyer@example.com")
    outcomes: Counter[str] = Counter()
    try:
        store.is_healthy()  # opens a connection before the start
        _wait_until(start_at)
        for items in baskets:
            try:
                store.place_order(buyer, ADDRESS, PHONE, items)
                outcomes["placed"] += 1
            except InsufficientStock:
                outcomes["insufficient stock"] += 1
    finally:
        store.uow.dispose()
    return outcomes


def place_keyed_orders(
    url: str, user_id: int, items: list[dict[str, int]], keys: list[str], start_at: float
) -> list[tuple[str, int | None]]:
    """Send one order with each key in turn: what each answer was, and the order id it names."""
    store = bootstrap(fast_settings(url))
    buyer = Principal(user_id, "buyer", "buyer@example.com")
    outcomes: list[tuple[str, int | None]] = []
    try:
        store.is_healthy()
        _wait_until(start_at)
        for key in keys:
            request = IdempotencyRequest(key, "f" * 64)
            try:
                answer = store.place_order_once(buyer, ADDRESS, PHONE, items, request)
            except IdempotencyConflict:
                outcomes.append(("in progress", None))
                continue
            except WebstoreError as error:  # e.g. out of stock: reported, not raised, because
                outcomes.append((repr(error), None))  # our errors do not survive pickling
                continue
            outcomes.append(("replayed" if answer.replayed else "placed", answer.order.id))
    finally:
        store.uow.dispose()
    return outcomes


def sign_up(url: str, username: str, start_at: float) -> str:
    store = bootstrap(fast_settings(url))
    try:
        store.is_healthy()
        _wait_until(start_at)
        store.register_user(username, "zoe@example.com", "correct horse battery")
        return "created"
    except UsernameTaken:
        return "taken"
    finally:
        store.uow.dispose()


def migrate(url: str, start_at: float) -> str:
    _wait_until(start_at)
    upgrade(url)
    return "upgraded"


def place_orders_until_killed(url: str, user_id: int, items: list[dict[str, Any]]) -> None:
    """Place the same order over and over; the test kills this process mid-way."""
    store = bootstrap(fast_settings(url))
    buyer = Principal(user_id, "buyer", "buyer@example.com")
    while True:
        store.place_order(buyer, ADDRESS, PHONE, items)
