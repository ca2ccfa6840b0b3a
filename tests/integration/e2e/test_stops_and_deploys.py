"""Stopping and reloading a real ``webstore serve`` under a load of orders."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.integration.e2e.running import (
    Customer,
    Running,
    add_product,
    admin,
    customer,
    order_body,
    running,
)

pytestmark = pytest.mark.slow

STOCK = 100_000
CLIENTS = 12
LOAD_SECONDS = 90


@dataclass
class Outcome:
    status: int | None  # None: no HTTP answer at all
    finished: float
    order_id: int | None = None
    error: str = ""


def load(
    shop: Running, buyers: list[Customer], product_id: int, stop: threading.Event
) -> tuple[list[threading.Thread], list[Outcome]]:
    """Each buyer places orders of 1 unit in a loop, until ``stop`` or the server is gone."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def buy(buyer: Customer) -> None:
        deadline = time.monotonic() + LOAD_SECONDS  # a bounded load, whatever happens
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                answer = buyer.session.post(
                    f"{shop.api}/post_order", json=order_body(product_id, 1),
                    headers=buyer.headers, timeout=30,
                )  # fmt: skip
            except requests.ConnectionError as error:
                with lock:
                    outcomes.append(Outcome(None, time.monotonic(), error=repr(error)))
                if shop.process.poll() is not None or stop.is_set():
                    return
                time.sleep(0.01)  # refused: the server is stopping
                continue
            placed = answer.json()["id"] if answer.status_code == 201 else None
            with lock:
                outcomes.append(Outcome(answer.status_code, time.monotonic(), placed))

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers for _ in range(2)]
    for thread in threads:
        thread.start()
    return threads, outcomes


def shop_with_buyers(shop: Running) -> tuple[int, list[Customer]]:
    product_id = add_product(shop, admin(shop), "Red chair", STOCK)
    return product_id, [customer(shop, f"buyer{i}") for i in range(CLIENTS // 2)]


def stored_orders(database: Path, product_id: int) -> tuple[set[int], int, int]:
    """Order ids, units in their lines, and the product's stock, read from the file."""
    with sqlite3.connect(database) as db:
        ids = {row[0] for row in db.execute("SELECT id FROM orders")}
        units = db.execute("SELECT coalesce(sum(amount), 0) FROM order_lines").fetchone()[0]
        stock = db.execute("SELECT amount FROM products WHERE id = ?", (product_id,)).fetchone()[0]
        lineless = db.execute(
            "SELECT count(*) FROM orders o WHERE NOT EXISTS "
            "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
        ).fetchone()[0]
    assert lineless == 0
    return ids, units, stock


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigterm_under_concurrent_orders_answers_what_it_started_and_keeps_stock_whole(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    with running(sqlite_url, tmp_path / "server.log") as shop:
        product_id, buyers = shop_with_buyers(shop)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        wait_for(lambda: sum(o.status == 201 for o in outcomes) >= 100)
        signalled = time.monotonic()
        exit_code = shop.stop(signal.SIGTERM)
        stopped = time.monotonic()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        refused_after = requests.Session()
        with pytest.raises(requests.ConnectionError):
            refused_after.get(f"{shop.api}/health", timeout=5)

    assert exit_code == 0
    assert stopped - signalled < 12  # gunicorn's graceful_timeout is 10 s
    answered = [o for o in outcomes if o.status is not None]
    assert {o.status for o in answered} == {201}
    assert any(o.finished > signalled for o in answered), "no request was in flight at SIGTERM"
    ids, units, stock = stored_orders(database, product_id)
    # Every order written was answered with its 201, and only those were written.
    assert ids == {o.order_id for o in answered}
    assert units == len(ids)
    assert stock == STOCK - units
    assert all(o.finished >= signalled for o in outcomes if o.status is None)


def test_a_worker_reload_fails_no_request(sqlite_url: str, tmp_path: Path) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    with running(sqlite_url, tmp_path / "server.log", WEBSTORE_LOG_FORMAT="json") as shop:
        product_id, buyers = shop_with_buyers(shop)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        wait_for(lambda: len(outcomes) >= 50)
        before = {e["pid"] for e in shop.json_lines() if e.get("path") == "/api/post_order"}
        reloaded_at = len(outcomes)
        shop.process.send_signal(signal.SIGHUP)

        def new_workers_answer() -> bool:
            pids = {e["pid"] for e in shop.json_lines() if e.get("path") == "/api/post_order"}
            return len(pids - before) >= 2

        wait_for(new_workers_answer, seconds=30)
        wait_for(lambda: len(outcomes) >= reloaded_at + 100)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert [o for o in outcomes if o.status != 201] == []
    ids, units, stock = stored_orders(database, product_id)
    assert ids == {o.order_id for o in outcomes}
    assert stock == STOCK - units == STOCK - len(ids)
