"""On PostgreSQL, a worker's checkouts overlap in the database (no row is written by them all):
orders of one product queue on its row lock there, and every one answered 201 is kept."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.integration.e2e.running import (
    STOCK,
    load,
    running,
    shop_with_buyers,
    stored_orders,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

NAME = "webstore_writers_overlap_test"


def test_a_workers_checkouts_overlap_in_the_database_and_every_order_is_kept(
    postgres_url: str, tmp_path: Path
) -> None:
    url = f"{postgres_url}&application_name={NAME}"
    watcher = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    writing_at_once: list[int] = []
    # No mail sender: its claims are writing transactions of their own, not the worker's.
    with running(url, tmp_path / "server.log", workers=1, WEBSTORE_MAIL_URL="") as shop:
        product_id, buyers = shop_with_buyers(shop)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        try:
            wait_for(lambda: len(outcomes) >= 20)
            # A transaction that has locked or written a row has an id: count the server's.
            with watcher.connect() as db:
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:
                    writing_at_once.append(
                        db.scalar(
                            sa.text(
                                "SELECT count(*) FROM pg_stat_activity "
                                "WHERE application_name = :name AND backend_xid IS NOT NULL"
                            ),
                            {"name": NAME},
                        )
                    )
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
    watcher.dispose()

    assert {o.status for o in outcomes} == {201}
    # Twelve buyers on one worker: several writers in the database at once.
    assert max(writing_at_once) > 1, writing_at_once
    ids, units, stock = stored_orders(postgres_url, product_id)
    assert ids == {o.order_id for o in outcomes}
    assert units == len(ids)
    assert stock == STOCK - units
