"""A real ``webstore serve`` keeps listings; an operator changes the database behind it.

psql (or sqlite3) moves an order, edits an order line, empties the tables, and on PostgreSQL
``pg_restore --clean`` puts back an earlier dump whose version counters a worker had already
seen climb past. After each, every worker's next listing is the database's.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

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

pytestmark = pytest.mark.slow
READS = 6  # consecutive requests: each of the two workers answers some, mostly


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Iterator[Running]:
    with running(database_url, tmp_path / "server.log") as served:
        yield served


def operator_sql(database_url: str, statement: str) -> None:
    """``statement`` run as psql or sqlite3 would, outside the server."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path, isolation_level=None, timeout=30)) as connection:
            connection.executescript(statement)
        return
    connect, schema = client_arguments(database_url)
    subprocess.run(
        [tool("psql"), *connect, "-v", "ON_ERROR_STOP=1", "-qc", statement],
        env={"PGOPTIONS": f"-csearch_path={schema}", "PATH": "/usr/bin:/bin"},
        check=True,
    )


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def client_arguments(url: str) -> tuple[list[str], str]:
    """Connection arguments for the PostgreSQL client tools, and the test's schema."""
    parsed = sa.engine.make_url(url)
    schema = str(parsed.query["options"]).removeprefix("-csearch_path=")
    host, user = parsed.host or "127.0.0.1", parsed.username or "postgres"
    return ["-h", host, "-U", user, "-d", parsed.database or "postgres"], schema


def listed(shop: Running, who: Customer, path: str) -> list[Any]:
    """What ``path`` answered ``READS`` times in a row (the same thing, or the test fails)."""
    seen = []
    for _ in range(READS):
        answer = who.session.get(f"{shop.api}{path}", headers=who.headers, timeout=30)
        assert answer.status_code == 200, answer.text
        seen.append(answer.json())
    assert all(each == seen[0] for each in seen), seen
    return seen[0]


def stock(shop: Running, who: Customer) -> list[tuple[str, int]]:
    return [(p["name"], p["amount"]) for p in listed(shop, who, "/get_all_products")]


def orders(shop: Running, who: Customer) -> list[tuple[int, list[int]]]:
    return [
        (o["id"], [line["amount"] for line in o["items"]]) for o in listed(shop, who, "/get_order")
    ]


def place(shop: Running, who: Customer, product_id: int, amount: int) -> int:
    answer = who.session.post(
        f"{shop.api}/post_order", json=order_body(product_id, amount), headers=who.headers
    )
    assert answer.status_code == 201, answer.text
    order_id: int = answer.json()["id"]
    return order_id


def test_every_listing_shows_what_the_operator_left_in_the_database(
    shop: Running, database_url: str, tmp_path: Path
) -> None:
    root = admin(shop)
    alice, bob = customer(shop, "alice"), customer(shop, "bob")
    chair = add_product(shop, root, "Chair", 10)
    first = place(shop, alice, chair, 1)
    assert stock(shop, alice) == [("Chair", 9)]
    assert orders(shop, alice) == [(first, [1])]

    if database_url.startswith("postgresql"):
        connect, schema = client_arguments(database_url)
        dump = tmp_path / "shop.dump"
        subprocess.run(
            [tool("pg_dump"), *connect, "-n", schema, "-Fc", "-f", str(dump)], check=True
        )
        place(shop, alice, chair, 2)
        assert stock(shop, alice) == [("Chair", 7)]
        subprocess.run(
            [tool("pg_restore"), *connect, "--clean", "--if-exists", str(dump)], check=True
        )
        assert stock(shop, alice) == [("Chair", 9)]
        assert orders(shop, alice) == [(first, [1])]
        # As many changes as before the restore: counters would be back at what was kept.
        again = place(shop, alice, chair, 1)
        assert stock(shop, alice) == [("Chair", 8)]
        assert orders(shop, alice) == [(again, [1]), (first, [1])]
        first = again

    operator_sql(database_url, f"UPDATE order_lines SET amount = 4 WHERE order_id = {first}")
    assert orders(shop, alice)[0] == (first, [4])

    assert orders(shop, bob) == []
    operator_sql(database_url, f"UPDATE orders SET user_id = {bob.user_id} WHERE id = {first}")
    assert first not in [order_id for order_id, _ in orders(shop, alice)]
    assert orders(shop, bob) == [(first, [4])]

    if database_url.startswith("postgresql"):
        operator_sql(database_url, "TRUNCATE products, product_images, orders, order_lines")
    else:
        operator_sql(
            database_url, "DELETE FROM order_lines; DELETE FROM orders; DELETE FROM products;"
        )
    assert stock(shop, alice) == []
    assert [orders(shop, who) for who in (alice, bob, root)] == [[], [], []]
