"""A process killed while it places orders leaves whole orders and exact stock behind."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

from tests.conftest import fast_settings
from tests.integration.persistence import workers
from tests.integration.persistence.helpers import add_product, add_user, query
from webstore import bootstrap
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.dto import Principal

STOCK = 10_000


def _orders_placed(url: str) -> int:
    [(count,)] = query(url, "SELECT COUNT(*) FROM orders")
    return int(count)


def _wait_for_orders(url: str, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _orders_placed(url) < at_least:
        assert time.monotonic() < deadline, "the child placed no orders in time"
        time.sleep(0.05)


def test_killing_a_process_mid_order_loses_nothing_and_corrupts_nothing(
    sql_url: str, sql_uow: SqlAlchemyUnitOfWorkFactory
) -> None:
    buyer = add_user(sql_uow, "buyer")
    products = [add_product(sql_uow, f"ITEM-{n}", stock=STOCK) for n in range(10)]
    items = [{"product_id": pid, "amount": 1 + n % 3} for n, pid in enumerate(products)]
    child = multiprocessing.get_context("spawn").Process(
        target=workers.place_orders_until_killed, args=(sql_url, buyer, items)
    )
    child.start()
    try:
        _wait_for_orders(sql_url, at_least=20)
        time.sleep(random.uniform(0, 0.05))  # land anywhere in an order's transaction
    finally:
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)
    assert child.exitcode == -signal.SIGKILL

    without_lines = query(
        sql_url,
        "SELECT o.id FROM orders o WHERE (SELECT COUNT(*) FROM order_lines l"
        " WHERE l.order_id = o.id) <> :lines",
        lines=len(items),
    )
    assert without_lines == []
    accounted = query(
        sql_url,
        "SELECT p.id, p.amount + COALESCE((SELECT SUM(l.amount) FROM order_lines l"
        " WHERE l.product_id = p.id), 0) FROM products p",
    )
    assert dict(accounted) == dict.fromkeys(products, STOCK)

    # The database is not left locked: another process's order goes through at once.
    store = bootstrap(fast_settings(sql_url))
    try:
        store.place_order(Principal(buyer, "buyer", "b@example.com"), "1 Main St", "5550100", items)
    finally:
        store.uow.dispose()
    assert _orders_placed(sql_url) > 20
