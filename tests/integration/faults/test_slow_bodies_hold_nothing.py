"""Forty clients trickling order bodies hold no database connection and no read snapshot.

Meanwhile others are answered at once (health, the listing, whole orders), SQLite's log keeps
being checkpointed, PostgreSQL shows no transaction left open, and every order answered 201 is
stored once while no trickled one is.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import postgres_schema, require_postgres
from tests.integration.e2e.running import (
    STOCK,
    Customer,
    Running,
    add_product,
    admin,
    customer,
    order_body,
    running,
    stored_orders,
)
from tests.integration.faults.hostile_clients import (
    Trickler,
    order_bytes,
    raw_headers,
    timed,
    tricklers,
)

pytestmark = pytest.mark.slow

TRICKLERS = 40  # more than both workers' pools together (2 x 15 connections)
ROUNDS = 12  # half a second each: a byte from every trickler, then one of each probe
ANSWER_WITHIN = (
    3.0  # seconds; with the bodies holding connections: 30 s (the pool's wait), or never
)
PROBE_TIMEOUT = 6.0
WAL_LIMIT = (
    12 * 1024 * 1024
)  # checkpointed at 4 MB; with a snapshot held, it grew by 12 MB a second
APPLICATION = f"webstore-faults-{uuid.uuid4().hex[:8]}"
HELD_TRANSACTIONS = sa.text(
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
    " AND state LIKE 'idle in transaction%' AND now() - state_change > interval '1 second'"
)


@dataclass
class Measured:
    slowest: float = 0.0  # seconds, the slowest probe
    wal: int = 0  # bytes, the largest the SQLite WAL was seen
    held: int = 0  # PostgreSQL transactions seen idle for over a second, at most at once
    failures: list[str] = field(default_factory=list)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'webstore.db'}"
        return
    with postgres_schema(require_postgres()) as url:
        yield f"{url}&application_name={APPLICATION}"


def test_trickled_bodies_hold_no_connection_and_no_snapshot(
    database_url: str, tmp_path: Path
) -> None:
    with running(database_url, tmp_path / "server.log") as shop:
        product_id = add_product(shop, admin(shop), "Red chair", STOCK)
        buyers = [customer(shop, f"buyer{n}") for n in range(3)]
        placed: list[int] = []
        refused: list[str] = []
        stop = threading.Event()
        writers = [
            threading.Thread(
                target=keep_ordering, args=(shop, buyer, product_id, stop, placed, refused)
            )
            for buyer in buyers[1:]
        ]
        body_of = lambda n: order_bytes(product_id, f"trickler {n}")  # noqa: E731
        with tricklers(shop, TRICKLERS, "/api/post_order", body_of, raw_headers(buyers[0])) as slow:
            for writer in writers:
                writer.start()
            try:
                measured = probe(shop, database_url, buyers[0], product_id, slow, placed)
            finally:
                stop.set()
                for writer in writers:
                    writer.join(30)
        # The tricklers are cut off now, their bodies never whole.

    assert measured.failures == [], measured
    assert measured.slowest < ANSWER_WITHIN, measured
    assert measured.wal < WAL_LIMIT, measured
    assert measured.held == 0, measured  # transactions open for over a second on PostgreSQL
    assert refused == []
    ids, units, stock = stored_orders(database_url, product_id)
    assert ids == set(placed)  # every 201 stored, no trickled order
    assert units == len(placed) and stock == STOCK - units


def probe(
    shop: Running,
    database_url: str,
    buyer: Customer,
    product_id: int,
    slow: list[Trickler],
    placed: list[int],
) -> Measured:
    """Each round: a byte from every trickler, the WAL's size and the transactions held open,
    then health, the listing and an order, timed (a probe left unanswered ends the rounds)."""
    measured = Measured()
    api, session = shop.api, buyer.session
    order, headers = order_body(product_id, 1), buyer.headers
    calls = [
        lambda: requests.get(f"{api}/health", timeout=PROBE_TIMEOUT),
        lambda: session.get(f"{api}/get_all_products", headers=headers, timeout=PROBE_TIMEOUT),
        lambda: session.post(
            f"{api}/post_order", json=order, headers=headers, timeout=PROBE_TIMEOUT
        ),
    ]
    time.sleep(1.5)  # what the tricklers hold, they have held for a while
    for _ in range(ROUNDS):
        for trickler in slow:
            trickler.send()
        measured.wal = max(measured.wal, wal_size(database_url))
        measured.held = max(measured.held, transactions_held(database_url))
        for call in calls:
            took, answer = timed(call)
            measured.slowest = max(measured.slowest, took)
            if not isinstance(answer, requests.Response):
                measured.failures.append(f"no answer in {took:.1f} s")
                return measured
            if answer.status_code not in (200, 201):
                measured.failures.append(f"{answer.status_code} {answer.text}")
            elif answer.status_code == 201:
                placed.append(answer.json()["id"])
        time.sleep(0.5)
    return measured


def keep_ordering(
    shop: Running,
    buyer: Customer,
    product_id: int,
    stop: threading.Event,
    placed: list[int],
    refused: list[str],
) -> None:
    """Orders one after another, so that the database keeps writing (and SQLite's log grows
    unless it is checkpointed)."""
    while not stop.is_set():
        try:
            answer = buyer.session.post(
                f"{shop.api}/post_order", json=order_body(product_id, 1),
                headers=buyer.headers, timeout=10,
            )  # fmt: skip
        except requests.RequestException as error:
            refused.append(repr(error))
            return
        if answer.status_code != 201:
            refused.append(f"{answer.status_code} {answer.text}")
            return
        placed.append(answer.json()["id"])


def wal_size(database_url: str) -> int:
    if not database_url.startswith("sqlite:///"):
        return 0
    wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def transactions_held(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        return 0
    engine = sa.create_engine(require_postgres(), poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(HELD_TRANSACTIONS, {"name": APPLICATION}) or 0)
    finally:
        engine.dispose()
