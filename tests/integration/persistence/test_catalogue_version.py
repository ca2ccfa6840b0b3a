"""The catalogue's version follows what a kept listing holds, and no checkout writes a version
row that every other checkout writes too."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

import webstore.adapters.sql
from tests.integration.persistence.helpers import NOW, add_product, add_user, connection, money
from webstore.adapters.sql.tables import products
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.domain.orders import Order


def revision(name: str) -> ModuleType:
    """A migration's module (their file names start with digits: no import statement)."""
    folder = Path(webstore.adapters.sql.__file__).parent / "operator" / "alembic" / "versions"
    [path] = folder.glob(f"{name}_*.py")
    spec = importlib.util.spec_from_file_location(f"revision_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def version(uow: SqlAlchemyUnitOfWorkFactory) -> int | None:
    with uow(read_only=True) as work:
        return work.products.catalogue_version()


@pytest.fixture
def operator(sql_url: str) -> Iterator[sa.Connection]:
    """Plain SQL, as psql would send it, each statement committed."""
    with connection(sql_url) as conn:
        yield conn


def run(conn: sa.Connection, statement: str) -> None:
    conn.exec_driver_sql(statement)
    conn.commit()


def checkout(uow: SqlAlchemyUnitOfWorkFactory, user_id: int, product_id: int) -> None:
    with uow() as work:
        locked = {p.product_id: p for p in work.products.get_for_update([product_id])}
        order = Order.place(
            user_id=user_id, address="1 Oak Road", phone="+1 555 0100", wanted={product_id: 1},
            products=locked, now=NOW,
        )  # fmt: skip
        work.orders.add(order)
        work.commit()


def test_the_trigger_watches_every_column_of_products_but_the_stock() -> None:
    assert set(revision("0030").LISTED_COLUMNS) == {c.name for c in products.c} - {"amount"}


def test_stock_changes_leave_the_version_and_every_other_change_draws_a_new_one(
    sql_uow: SqlAlchemyUnitOfWorkFactory, operator: sa.Connection
) -> None:
    chair = add_product(sql_uow, "RED-CHAIR", stock=10)
    buyer = add_user(sql_uow, "buyer")
    kept = version(sql_uow)
    assert kept is not None

    checkout(sql_uow, buyer, chair)
    run(operator, f"UPDATE products SET amount = amount + 5 WHERE id = {chair}")
    run(operator, f"UPDATE products SET name = name, price = price, amount = 3 WHERE id = {chair}")
    assert version(sql_uow) == kept

    for change in (
        "name = 'BLUE-CHAIR', name_key = 'blue-chair'",
        "description = 'Oak'",
        f"price = {money('21.00').amount}",
        "is_active = false",
    ):
        run(operator, f"UPDATE products SET {change} WHERE id = {chair}")
        assert version(sql_uow) != kept, change
        kept = version(sql_uow)
    add_product(sql_uow, "LAMP")
    assert version(sql_uow) != kept


def test_a_checkout_writes_its_owners_order_version_and_no_row_for_every_order(
    sql_uow: SqlAlchemyUnitOfWorkFactory, operator: sa.Connection
) -> None:
    chair = add_product(sql_uow, stock=10)
    alice, bob = add_user(sql_uow, "alice"), add_user(sql_uow, "bob")

    checkout(sql_uow, alice, chair)
    checkout(sql_uow, bob, chair)

    scopes = operator.exec_driver_sql("SELECT scope FROM order_versions ORDER BY scope")
    assert [scope for (scope,) in scopes] == [alice, bob]
