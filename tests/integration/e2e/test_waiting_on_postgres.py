"""A request waiting on PostgreSQL (for a row lock, here) leaves its worker free for the others."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.integration.e2e.conftest import serve
from tests.integration.e2e.shop import log_in_admin
from webstore.adapters.sql.engine import create_engine

pytestmark = pytest.mark.postgres

ORDER = {"address": "1 Main Street", "phone": "+1 555 0100"}


def test_an_order_waiting_for_a_row_lock_does_not_stop_its_worker(
    postgres_url: str, tmp_path: Path
) -> None:
    # One worker: whatever it serves while the order waits, it serves beside that order.
    with contextlib.contextmanager(serve)(
        postgres_url, tmp_path / "server.log", workers=1
    ) as server:
        admin = log_in_admin(server)
        product = admin.add_product(amount=5)
        outside = create_engine(postgres_url, pool_size=1, max_overflow=0)
        answered: list[requests.Response] = []
        try:
            with outside.connect() as holder:
                holder.execute(  # another node's transaction holds the product's row
                    sa.text("SELECT id FROM products WHERE id = :id FOR UPDATE"), {"id": product}
                )
                buyer = threading.Thread(
                    target=lambda: answered.append(
                        admin.post(
                            "/post_order",
                            json={**ORDER, "items": [{"product_id": product, "amount": 2}]},
                            timeout=30,
                        )
                    )
                )
                buyer.start()
                time.sleep(0.5)  # the order is waiting for the lock by now
                assert not answered
                started = time.monotonic()
                health = requests.get(f"{server.base_url}/api/health", timeout=5)
                listing = admin.session.get(
                    f"{admin.api}/get_all_products", headers=admin.headers, timeout=5
                )
                waited = time.monotonic() - started
                assert (health.status_code, listing.status_code) == (200, 200)
                assert waited < 2.0
                assert not answered  # still waiting: the lock is held
                holder.rollback()
            buyer.join(30)
        finally:
            outside.dispose()
        assert [a.status_code for a in answered] == [201]
        stock = admin.session.get(f"{admin.api}/get_all_products", headers=admin.headers)
        assert stock.json()[0]["amount"] == 3
