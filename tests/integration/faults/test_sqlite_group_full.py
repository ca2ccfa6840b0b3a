"""A full SQLite database (``PRAGMA max_page_count``) under writers that share a commit.

SQLITE_FULL may roll back the whole transaction of a group, the work its writers released
included. Every writer hears the truth (503 for all of them: the disk is full, nothing of the
request is stored), and once there is room again a retry with the same key places the order
once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import fast_settings
from tests.integration.faults.sqlite_faults import (
    PHONE,
    THREADS,
    Outcomes,
    address_of,
    assert_stock_whole,
    fingerprint,
    in_threads,
    page_limit,
    reconcile,
)
from webstore import bootstrap
from webstore.application.dto import Principal
from webstore.application.errors import StorageUnavailable
from webstore.application.ordering.idempotency import IdempotencyRequest
from webstore.application.store import Webstore

STOCK = 100_000
ROUNDS = 4  # each one fills the database up; which statement meets the limit first varies
ROOM = 20  # pages each round adds: about a hundred orders, then the database is full
ORDERS_PER_THREAD = 8  # in each round


@dataclass
class Shop:
    store: Webstore
    database: Path
    owner: Principal
    buyer: Principal
    product_id: int

    def order(self, key: str) -> Exception | None:
        items = [{"product_id": self.product_id, "amount": 1}]
        request = IdempotencyRequest(key, fingerprint(key))
        try:
            self.store.place_order_once(self.buyer, address_of(key), PHONE, items, request)
        except Exception as error:
            return error
        return None

    def place(self, keys_of_thread: Callable[[int], list[str]]) -> dict[str, Exception | None]:
        outcomes = Outcomes()
        in_threads(
            THREADS, lambda t: [outcomes.note(key, self.order(key)) for key in keys_of_thread(t)]
        )
        return outcomes.answers


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    database = tmp_path / "webstore.db"
    store = bootstrap(fast_settings(f"sqlite:///{database}"), migrate=True)
    owner = store.create_superuser("root", "root@example.com", "root password 1")
    buyer = store.register_user("buyer", "buyer@example.com", "buyer password 1")
    chair = {"name": "Chair", "price": "2.50", "amount": STOCK}
    product_id = store.add_product(owner, chair).id
    yield Shop(store, database, owner, buyer, product_id)
    store.uow.dispose()


def keys_of(round_: int, thread: int) -> list[str]:
    return [f"r{round_}-t{thread}-{n}" for n in range(ORDERS_PER_THREAD)]


def fill_up(
    shop: Shop, keys_of_round: Callable[[int, int], list[str]]
) -> dict[str, Exception | None]:
    """Rounds of orders, each with room for some of them only; then room again."""
    answers: dict[str, Exception | None] = {}
    with page_limit(shop.store.uow.engine, shop.database) as limit:
        for round_ in range(ROUNDS):
            limit.room_for(ROOM)
            answers |= shop.place(lambda t, r=round_: keys_of_round(r, t))
        limit.lift()
    return answers


def check_then_retry(shop: Shop, first: dict[str, Exception | None]) -> None:
    """Every answer against the database; then, with room again, every error retried once."""
    reconcile({key: error is None for key, error in first.items()}, shop.database)
    errors = [error for error in first.values() if error is not None]
    assert errors, "the database never filled up"
    assert all(isinstance(error, StorageUnavailable) for error in errors), errors[:3]

    failed = [key for key, error in first.items() if error is not None]
    retried = shop.place(lambda t: failed[t::THREADS])
    assert all(error is None for error in retried.values()), "a retry failed with room again"
    reconcile({key: error is None for key, error in (first | retried).items()}, shop.database)
    assert_stock_whole(shop.database, shop.product_id, STOCK)


def test_a_full_database_during_orders(shop: Shop) -> None:
    check_then_retry(shop, fill_up(shop, keys_of))


def test_a_full_database_during_a_product_import(shop: Shop) -> None:
    # An import fills the database while orders go on: the import is all or nothing, and the
    # orders of the groups it fills up are each told the truth.
    imported: dict[str, bool] = {}

    def import_or_order(round_: int, thread: int) -> list[str]:
        if thread > 0:
            return keys_of(round_, thread)
        for batch in range(ROOM):  # until one meets the full database
            name = f"r{round_}-b{batch}"
            rows = [
                {"name": f"{name}-{n}", "price": "1.00", "amount": 1, "description": "x" * 900}
                for n in range(8)
            ]
            try:
                shop.store.import_products(shop.owner, rows)
                imported[name] = True
            except StorageUnavailable:
                imported[name] = False
                break
        return []

    first = fill_up(shop, import_or_order)
    assert False in imported.values(), "no import met a full database"
    with closing(sqlite3.connect(shop.database)) as db:
        names = [name for (name,) in db.execute("SELECT name FROM products")]
    for batch, ok in imported.items():
        stored = [name for name in names if name.startswith(f"{batch}-")]
        assert len(stored) == (8 if ok else 0), (batch, ok, len(stored))
    check_then_retry(shop, first)
