"""Real processes racing through the real use cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from collections import Counter
from multiprocessing.pool import Pool

from tests.integration.persistence import workers
from tests.integration.persistence.helpers import add_product, add_user, query
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.domain.values import username_key

TIMEOUT = 60  # seconds: a deadlock or a lost wake-up fails the test instead of hanging it


def _start_soon() -> float:
    return time.time() + 1.0  # long enough for every worker to pick up its task and connect


def _total(results: list[Counter[str]]) -> Counter[str]:
    return sum(results, Counter())


def test_a_hundred_units_are_sold_exactly_once_to_eight_processes(
    sql_url: str, sql_uow: SqlAlchemyUnitOfWorkFactory, workers_pool: Pool
) -> None:
    buyer, chair = add_user(sql_uow, "buyer"), add_product(sql_uow, stock=100)
    basket = [{"product_id": chair, "amount": 1}]
    start_at = _start_soon()
    tasks = [(sql_url, buyer, [basket] * 25, start_at) for _ in range(8)]
    results = workers_pool.starmap_async(workers.place_orders, tasks).get(TIMEOUT)
    assert _total(results) == Counter({"placed": 100, "insufficient stock": 100})
    [(stock, sold, orders)] = query(
        sql_url,
        "SELECT p.amount, (SELECT SUM(amount) FROM order_lines WHERE product_id = p.id),"
        " (SELECT COUNT(*) FROM orders) FROM products p WHERE p.id = :id",
        id=chair,
    )
    assert (stock, sold, orders) == (0, 100, 100)


def test_orders_for_a_b_and_b_a_never_deadlock(
    sql_url: str, sql_uow: SqlAlchemyUnitOfWorkFactory, workers_pool: Pool
) -> None:
    buyer = add_user(sql_uow, "buyer")
    a, b = (
        add_product(sql_uow, "RED-CHAIR", stock=500),
        add_product(sql_uow, "BLUE-SOFA", stock=500),
    )
    a_then_b = [{"product_id": a, "amount": 2}, {"product_id": b, "amount": 1}]
    b_then_a = [{"product_id": b, "amount": 1}, {"product_id": a, "amount": 2}]
    start_at = _start_soon()
    tasks = [(sql_url, buyer, [a_then_b if n % 2 else b_then_a] * 15, start_at) for n in range(8)]
    results = workers_pool.starmap_async(workers.place_orders, tasks).get(TIMEOUT)
    assert _total(results) == Counter({"placed": 120})
    stock = dict(query(sql_url, "SELECT id, amount FROM products"))
    assert stock == {a: 500 - 240, b: 500 - 120}


def test_ten_processes_signing_up_one_username_make_one_user(
    sql_url: str, workers_pool: Pool
) -> None:
    variants = ["zoë", "Zoë", "ZOË", "zoe\u0308", "\uff5a\uff4fë"]  # NFKC and case variants
    start_at = _start_soon()
    tasks = [(sql_url, variants[n % len(variants)], start_at) for n in range(10)]
    results = workers_pool.starmap_async(workers.sign_up, tasks).get(TIMEOUT)
    assert sorted(results) == ["created"] + ["taken"] * 9
    users = query(sql_url, "SELECT username_key FROM users")
    assert users == [(username_key("zoë"),)]


def test_six_processes_sending_one_idempotency_key_place_one_order(
    sql_url: str, sql_uow: SqlAlchemyUnitOfWorkFactory, workers_pool: Pool
) -> None:
    # Exactly enough stock for one order per key: a request that queued for the stock behind
    # the first one with its key, instead of finding its record, would find none left.
    buyer, chair = add_user(sql_uow, "buyer"), add_product(sql_uow, stock=30)
    keys = [f"checkout-{n}" for n in range(10)]  # ten rounds, every process sends each key
    start_at = _start_soon()
    tasks = [(sql_url, buyer, [{"product_id": chair, "amount": 3}], keys, start_at)] * 6
    results = workers_pool.starmap_async(workers.place_keyed_orders, tasks).get(TIMEOUT)

    for round_ in zip(*results, strict=True):  # what the six processes got for one key
        outcomes = Counter(outcome for outcome, _ in round_)
        assert outcomes["placed"] == 1 and set(outcomes) <= {"placed", "replayed", "in progress"}
        assert len({order_id for _, order_id in round_} - {None}) == 1
    [(stock, sold, orders)] = query(
        sql_url,
        "SELECT p.amount, (SELECT SUM(amount) FROM order_lines WHERE product_id = p.id),"
        " (SELECT COUNT(*) FROM orders) FROM products p WHERE p.id = :id",
        id=chair,
    )
    assert (stock, sold, orders) == (0, 30, 10)
    assert query(sql_url, "SELECT COUNT(*) FROM idempotency_keys") == [(10,)]
