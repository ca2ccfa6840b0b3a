"""No row that every checkout writes: a transaction held open on product A and on customer X's
orders, in psql, delays no checkout of product B by customer Y through ``webstore serve``."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.integration.e2e.running import (
    Customer,
    Running,
    add_product,
    admin,
    customer,
    order_body,
    running,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
HOLDER = "webstore-test-holder"  # psql's application_name, to find its backend
QUICKLY = 5.0  # seconds; a checkout behind the held transaction would wait until it ends


@pytest.fixture
def shop(postgres_url: str, tmp_path: Path) -> Iterator[Running]:
    with running(postgres_url, tmp_path / "server.log") as served:
        yield served


def place(shop: Running, who: Customer, product_id: int) -> tuple[int, float]:
    started = time.monotonic()
    answer = who.session.post(
        f"{shop.api}/post_order", json=order_body(product_id, 1), headers=who.headers,
        timeout=QUICKLY * 3,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    order_id: int = answer.json()["id"]
    return order_id, time.monotonic() - started


def hold_in_psql(url: str, statements: str) -> subprocess.Popen[str]:
    """A psql process that ran ``statements`` in a transaction it keeps open (until its
    standard input ends), once its backend is idle in that transaction."""
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed")
    parsed = sa.engine.make_url(url)
    schema = str(parsed.query["options"]).removeprefix("-csearch_path=")
    connect = ["-h", parsed.host or "127.0.0.1", "-U", parsed.username or "postgres"]
    process = subprocess.Popen(
        [psql, *connect, "-d", parsed.database or "postgres", "-v", "ON_ERROR_STOP=1", "-q"],
        stdin=subprocess.PIPE,
        text=True,
        env={"PGOPTIONS": f"-csearch_path={schema}", "PGAPPNAME": HOLDER, "PATH": "/usr/bin:/bin"},
    )
    assert process.stdin is not None
    process.stdin.write(f"BEGIN;\n{statements}\n")
    process.stdin.flush()
    engine = sa.create_engine(url)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                state = connection.scalar(
                    sa.text("SELECT state FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": HOLDER},
                )
            if state == "idle in transaction":
                return process
            assert process.poll() is None, "psql failed"
            time.sleep(0.05)
    finally:
        engine.dispose()
    process.kill()
    raise AssertionError("psql never held its transaction")


def test_a_checkout_never_waits_for_another_customers_open_transaction_on_another_product(
    shop: Running, postgres_url: str
) -> None:
    root = admin(shop)
    x, y = customer(shop, "xavier"), customer(shop, "yvonne")
    product_a = add_product(shop, root, "Armchair", 100)
    product_b = add_product(shop, root, "Bench", 100)
    x_order, _ = place(shop, x, product_a)
    place(shop, y, product_b)  # every statement of a checkout prepared, every path warm

    # What a checkout of A by X writes, and a change to X's earlier order, left uncommitted.
    holder = hold_in_psql(
        postgres_url,
        f"UPDATE products SET amount = amount - 1 WHERE id = {product_a};\n"
        "WITH placed AS (INSERT INTO orders (user_id, address, phone, status, created_at) "
        f"SELECT user_id, address, phone, status, created_at FROM orders WHERE id = {x_order} "
        "RETURNING id) "
        "INSERT INTO order_lines (order_id, position, product_id, product_name, amount, price) "
        "SELECT placed.id, position, product_id, product_name, amount, price "
        f"FROM placed, order_lines WHERE order_id = {x_order};\n"
        f"UPDATE orders SET address = 'held open' WHERE id = {x_order};",
    )
    try:
        took = [place(shop, y, product_b)[1] for _ in range(3)]
        listed = y.session.get(f"{shop.api}/get_all_products", headers=y.headers, timeout=10)
        mine = y.session.get(f"{shop.api}/get_order", headers=y.headers, timeout=10)
        assert holder.poll() is None  # the other transaction is still open
    finally:
        assert holder.stdin is not None
        holder.stdin.write("ROLLBACK;\n")
        holder.stdin.close()
        holder.wait(timeout=30)

    assert max(took) < QUICKLY, took
    assert [(p["name"], p["amount"]) for p in listed.json()] == [("Armchair", 99), ("Bench", 96)]
    assert len(mine.json()) == 4
