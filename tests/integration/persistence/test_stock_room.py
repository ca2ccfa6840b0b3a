"""Returning stock never fails: cancelled units come back even on top of the largest stock."""

from __future__ import annotations

import pytest
from alembic import command

from tests.conftest import fast_settings
from tests.integration.persistence.helpers import POSTGRES, connection, query
from webstore import bootstrap
from webstore.adapters.sql.operator.migrations import config, drift, upgrade
from webstore.domain.values import MAX_STOCK

ADDRESS, PHONE = "1 Main Street", "+1 555 0100"


@pytest.fixture(params=["sqlite", POSTGRES])
def empty_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_a_cancel_returns_units_on_top_of_the_largest_settable_stock(sql_url: str) -> None:
    store = bootstrap(fast_settings(sql_url))
    try:
        admin = store.create_superuser("root", "root@example.com", "correct horse battery")
        product = store.add_product(admin, {"name": "Nail", "price": "0.01", "amount": MAX_STOCK})
        assert product.id is not None
        order = store.place_order(admin, ADDRESS, PHONE, [{"product_id": product.id, "amount": 10}])
        assert order.id is not None
        store.update_product(admin, product.id, {"amount": MAX_STOCK})

        cancelled = store.cancel_order(admin, order.id)

        assert cancelled.status.value == "cancelled"
        assert store.get_product(admin, product.id).stock == MAX_STOCK + 10
        listed = store.list_products().items
        assert [p.stock for p in listed] == [MAX_STOCK + 10]
    finally:
        store.uow.dispose()


def test_the_stock_column_is_widened_in_a_database_made_before(empty_url: str) -> None:
    with connection(empty_url) as conn:
        command.upgrade(config(conn), "0002")
        conn.exec_driver_sql(
            "INSERT INTO products (id, name, description, price, amount, is_active)"
            f" VALUES (1, 'Nail', '', 0.01, {MAX_STOCK}, true)"
        )
        conn.commit()

    upgrade(empty_url)

    assert drift(empty_url) == []
    with connection(empty_url) as conn:
        conn.exec_driver_sql(f"UPDATE products SET amount = amount + {2**40} WHERE id = 1")
        conn.commit()
    assert query(empty_url, "SELECT amount FROM products") == [(MAX_STOCK + 2**40,)]
