"""What the spawned processes of the concurrency tests run: the real use cases, nothing mocked."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Any

from tests.conftest import fast_settings
from webstore import bootstrap
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.application.dto import Principal
from webstore.application.errors import IdempotencyConflict, Throttled
from webstore.application.ordering.idempotency import IdempotencyRequest
from webstore.domain.errors import (
    InsufficientStock,
    InvalidCredentials,
    UsernameTaken,
    WebstoreError,
)

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


def place_orders_for(url: str, user_id: int, product_id: int, seconds: float) -> int:
    """Place one-line orders of one unit for ``seconds``; how many were placed."""
    store = bootstrap(fast_settings(url))
    buyer = Principal(user_id, "buyer", "buyer@example.com")
    placed = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            store.place_order(buyer, ADDRESS, PHONE, [{"product_id": product_id, "amount": 1}])
            placed += 1
    finally:
        store.uow.dispose()
    return placed


def list_pages_for(url: str, seconds: float) -> tuple[int, int]:
    """List the newest two orders over and over: (orders seen, orders seen without lines)."""
    store = bootstrap(fast_settings(url))
    admin = Principal(1, "admin", "admin@example.com", is_superuser=True)
    seen = empty = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for order in store.list_orders(admin, limit=2).items:
                seen += 1
                empty += not order.lines
    finally:
        store.uow.dispose()
    return seen, empty


class CountingHasher:
    """The real hasher, counting verifications, each one slow enough for attempts to overlap."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.verifications = 0

    def hash(self, password: str) -> str:
        result: str = self.inner.hash(password)
        return result

    def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        time.sleep(0.05)
        result: bool = self.inner.verify(password_hash, password)
        return result

    def needs_rehash(self, password_hash: str) -> bool:
        result: bool = self.inner.needs_rehash(password_hash)
        return result

    def burn(self, password: str) -> None:
        self.verifications += 1
        self.inner.burn(password)


def guess_passwords(url: str, username: str, attempts: int, start_at: float) -> tuple[int, int]:
    """Try wrong passwords: (real password verifications, attempts refused as throttled)."""
    store = bootstrap(fast_settings(url))
    hasher = CountingHasher(store.hasher)
    store = replace(store, hasher=hasher)
    throttled = 0
    try:
        store.is_healthy()
        _wait_until(start_at)
        for n in range(attempts):
            try:
                store.log_in(username, f"wrong guess {n}", "192.0.2.7")
            except Throttled:
                throttled += 1
            except InvalidCredentials:
                pass
    finally:
        store.uow.dispose()
    return hasher.verifications, throttled
