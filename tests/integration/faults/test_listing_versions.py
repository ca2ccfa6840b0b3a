"""Listings a worker keeps stay the truth after what an operator does with SQL.

The app keeps encoded listings; the changes are made the way an operator would, in plain SQL
on another connection (TRUNCATE, a bare DELETE, an UPDATE of order lines, an order moved to
another user), or with pg_dump and pg_restore. The next listing must show the database.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from flask.testing import FlaskClient

from tests.conftest import fast_settings, require_postgres
from webstore import Webstore, bootstrap
from webstore.adapters.sql.operator.migrations import config, missing_listing_triggers, upgrade
from webstore.application.dto import Principal
from webstore.entrypoints.web.app import create_app

PASSWORD = "correct horse battery staple"
CHAIR = {"name": "Red chair", "description": "Beech", "price": "19.99", "amount": 5}
ADDRESS, PHONE = "1 Oak Road", "+1 555 0100"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Webstore]:
    built = bootstrap(fast_settings(database_url), migrate=True)
    yield built
    built.uow.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(store: Webstore, database_url: str) -> FlaskClient:
    return create_app(fast_settings(database_url), store).test_client()


@pytest.fixture
def psql(database_url: str) -> Iterator[sa.Connection]:
    """An operator's own connection, each statement committed at once."""
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


class Shop:
    def __init__(self, store: Webstore) -> None:
        store.create_superuser("root", "root@example.com", PASSWORD)
        self.admin = store.authenticate(store.log_in("root", PASSWORD).access_token)
        self.tokens = {"root": store.log_in("root", PASSWORD).access_token}
        self.people: dict[str, Principal] = {}
        for name in ("alice", "bob"):
            store.register_user(name, f"{name}@example.com", PASSWORD)
            self.tokens[name] = store.log_in(name, PASSWORD).access_token
            self.people[name] = store.authenticate(self.tokens[name])
        self.chair = store.add_product(self.admin, CHAIR)

    def order(self, store: Webstore, who: str, amount: int = 1) -> int:
        line = [{"product_id": self.chair.id, "amount": amount}]
        return store.place_order(self.people[who], ADDRESS, PHONE, line).id


def get(client: FlaskClient, token: str, path: str) -> Any:
    response = client.get(path, headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200, response.json
    return response.json


def products(client: FlaskClient, shop: Shop) -> list[tuple[str, int]]:
    found = get(client, shop.tokens["alice"], "/api/get_all_products")
    return [(p["name"], p["amount"]) for p in found]


def orders(client: FlaskClient, shop: Shop, who: str) -> list[tuple[int, list[int]]]:
    """Each order the user's listing shows, with the amount of each of its lines."""
    found = get(client, shop.tokens[who], "/api/get_order")
    return [(o["id"], [line["amount"] for line in o["items"]]) for o in found]


def dialect(connection: sa.Connection) -> str:
    return connection.dialect.name


def test_emptying_the_products_table_empties_the_next_listing(
    store: Webstore, client: FlaskClient, psql: sa.Connection
) -> None:
    shop = Shop(store)
    assert products(client, shop) == [("Red chair", 5)]  # kept by the worker

    if dialect(psql) == "postgresql":
        psql.exec_driver_sql("TRUNCATE products CASCADE")  # order lines refer to it
    else:
        psql.exec_driver_sql("DELETE FROM products")  # SQLite's TRUNCATE

    assert products(client, shop) == []


def test_emptying_the_order_tables_empties_every_order_listing(
    store: Webstore, client: FlaskClient, psql: sa.Connection
) -> None:
    shop = Shop(store)
    shop.order(store, "alice")
    assert len(orders(client, shop, "alice")) == 1
    assert len(orders(client, shop, "root")) == 1  # every order, as a superuser sees them

    if dialect(psql) == "postgresql":
        psql.exec_driver_sql("TRUNCATE orders, order_lines")
    else:
        psql.exec_driver_sql("DELETE FROM order_lines")
        psql.exec_driver_sql("DELETE FROM orders")

    assert orders(client, shop, "alice") == []
    assert orders(client, shop, "root") == []


def test_changed_order_lines_show_in_the_next_order_listing(
    store: Webstore, client: FlaskClient, psql: sa.Connection
) -> None:
    shop = Shop(store)
    placed = shop.order(store, "alice", amount=2)
    assert orders(client, shop, "alice") == [(placed, [2])]

    psql.exec_driver_sql(f"UPDATE order_lines SET amount = 3 WHERE order_id = {placed}")
    assert orders(client, shop, "alice") == [(placed, [3])]

    lamp = store.add_product(shop.admin, {**CHAIR, "name": "Lamp"}).id
    psql.exec_driver_sql(
        "INSERT INTO order_lines (order_id, position, product_id, product_name, amount, price) "
        f"VALUES ({placed}, 1, {lamp}, 'Lamp', 1, 19.99)"
    )
    assert orders(client, shop, "alice") == [(placed, [3, 1])]
    psql.exec_driver_sql(f"DELETE FROM order_lines WHERE product_id = {lamp}")
    assert orders(client, shop, "alice") == [(placed, [3])]


def test_an_order_moved_to_another_user_leaves_the_first_users_listing(
    store: Webstore, client: FlaskClient, psql: sa.Connection
) -> None:
    shop = Shop(store)
    placed = shop.order(store, "alice")
    shop.order(store, "bob")
    assert [i for i, _ in orders(client, shop, "alice")] == [placed]
    bob_before = [i for i, _ in orders(client, shop, "bob")]

    bob = shop.people["bob"].user_id
    psql.exec_driver_sql(f"UPDATE orders SET user_id = {bob} WHERE id = {placed}")

    assert orders(client, shop, "alice") == []
    assert sorted(i for i, _ in orders(client, shop, "bob")) == sorted([placed, *bob_before])


def pg_tool(name: str) -> str:
    require_postgres()
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def libpq(url: str) -> tuple[list[str], str]:
    """Connection arguments for the PostgreSQL client tools, and the test's schema."""
    parsed = sa.engine.make_url(url)
    schema = str(parsed.query["options"]).removeprefix("-csearch_path=")
    args = ["-h", parsed.host or "127.0.0.1", "-U", parsed.username or "postgres"]
    return [*args, "-d", parsed.database or "postgres"], schema


@pytest.mark.postgres
def test_a_restore_seen_half_done_leaves_no_stale_listing(
    postgres_url: str, tmp_path: Path
) -> None:
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    store = bootstrap(fast_settings(postgres_url), migrate=True)
    try:
        client = create_app(fast_settings(postgres_url), store).test_client()
        shop = Shop(store)
        connect, schema = libpq(postgres_url)
        dump = tmp_path / "shop.dump"
        subprocess.run([pg_dump, *connect, "-n", schema, "-Fc", "-f", str(dump)], check=True)
        store.update_product(shop.admin, shop.chair.id, {"amount": 9})

        # pg_restore --clean: every object dropped, created again, then each table's rows
        # copied in, one table at a time, the triggers last. A worker lists in between.
        entries = subprocess.run(
            [pg_restore, "-l", str(dump)], check=True, capture_output=True, text=True
        ).stdout.splitlines()
        later = [e for e in entries if " TABLE DATA " in e and e.split()[-2] == "products"]
        post_data = (" CONSTRAINT ", " INDEX ", " TRIGGER ", " FK CONSTRAINT ")
        later += [e for e in entries if any(kind in e for kind in post_data)]
        first = [e for e in entries if e not in later]
        (tmp_path / "first.list").write_text("\n".join(first) + "\n")
        (tmp_path / "later.list").write_text("\n".join(later) + "\n")
        admin = sa.create_engine(require_postgres(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
        restore = [pg_restore, *connect, "--exit-on-error"]
        subprocess.run([*restore, "-L", str(tmp_path / "first.list"), str(dump)], check=True)
        assert products(client, shop) == []  # the catalogue's rows are not back yet
        subprocess.run([*restore, "-L", str(tmp_path / "later.list"), str(dump)], check=True)

        assert products(client, shop) == [("Red chair", 5)]
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]


def test_a_migration_leaves_no_stale_listing(
    store: Webstore, client: FlaskClient, psql: sa.Connection, database_url: str
) -> None:
    shop = Shop(store)
    placed = shop.order(store, "alice", amount=2)
    assert orders(client, shop, "alice") == [(placed, [2])]
    with psql.begin():
        command.downgrade(config(psql), "0006")  # its triggers never watched order lines
    psql.exec_driver_sql(f"UPDATE order_lines SET amount = 3 WHERE order_id = {placed}")

    upgrade(database_url)

    assert orders(client, shop, "alice") == [(placed, [3])]
    assert missing_listing_triggers(database_url) == []
