"""What the SQL schema and engine refuse or guarantee even when the code above them is wrong."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from tests.integration.persistence.helpers import (
    NOW,
    add_order,
    add_product,
    add_session,
    add_user,
    connection,
    money,
    query,
)
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.errors import ConcurrentUpdate
from webstore.application.ports import ProductQuery
from webstore.domain.orders import Order, OrderLine
from webstore.domain.products import Product


def test_stock_cannot_be_stored_negative(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    chair = add_product(sql_uow, stock=1)
    with sql_uow() as work, pytest.raises(IntegrityError):
        [product] = work.products.get_for_update([chair])
        product.stock = -1  # what a buggy use case might do, bypassing reserve()
        work.commit()


@pytest.mark.parametrize("price", ["0.00", "-1.00"])
def test_a_price_must_be_positive(sql_uow: SqlAlchemyUnitOfWorkFactory, price: str) -> None:
    with sql_uow() as work, pytest.raises(IntegrityError):
        work.products.add(Product("FREE-CHAIR", money(price), 1))


def test_order_lines_need_a_positive_amount_an_existing_product_and_no_repeats(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    user, chair = add_user(sql_uow), add_product(sql_uow)
    bad_lines = [
        [OrderLine(chair, "RED-CHAIR", 0, money("19.99"))],
        [OrderLine(2**40, "GHOST", 1, money("19.99"))],
        [OrderLine(chair, "RED-CHAIR", 1, money("19.99"))] * 2,
    ]
    for lines in bad_lines:
        with sql_uow() as work, pytest.raises(IntegrityError):
            work.orders.add(Order(user, "1 Main Street", "+1 555 0100", NOW, lines))


def test_an_order_needs_an_existing_user(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    with sql_uow() as work, pytest.raises(IntegrityError):
        work.orders.add(Order(2**40, "1 Main Street", "+1 555 0100", NOW, []))


def test_an_unknown_status_is_refused_by_the_database(sql_url: str) -> None:
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sql_url)
    try:
        order_id = add_order(factory, add_user(factory), add_product(factory))
    finally:
        factory.dispose()
    with connection(sql_url) as conn, pytest.raises(IntegrityError):
        conn.execute(sa.text("UPDATE orders SET status = 'lost' WHERE id = :id"), {"id": order_id})


def test_naive_datetimes_are_refused(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    user, chair = add_user(sql_uow), add_product(sql_uow)
    naive = datetime(2026, 11, 26, 20, 12, 30)
    with sql_uow() as work, pytest.raises(StatementError, match="naive datetime"):
        line = OrderLine(chair, "RED-CHAIR", 1, money("19.99"))
        work.orders.add(Order(user, "1 Main Street", "+1 555 0100", naive, [line]))


def test_times_are_stored_in_utc(sql_url: str) -> None:
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sql_url)
    try:
        add_session(factory, add_user(factory))
    finally:
        factory.dispose()
    [(stored,)] = query(sql_url, "SELECT created_at FROM login_sessions")
    as_text = stored if isinstance(stored, str) else stored.astimezone(NOW.tzinfo).isoformat()
    assert as_text.replace("T", " ").startswith("2026-11-26 20:12:30.123456")


def test_a_stale_generation_makes_commit_raise_concurrent_update(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    add_session(sql_uow, add_user(sql_uow))
    with sql_uow() as work:
        session = work.sessions.get("s-alice")
        assert session is not None
        # Another writer's rotation, squeezed in where SQLite's one-writer rule would not let
        # a real one in: the version check must still refuse to overwrite it.
        work.session.execute(sa.text("UPDATE login_sessions SET generation = generation + 1"))
        session.revoke(NOW)
        with pytest.raises(ConcurrentUpdate):
            work.commit()


def test_a_stale_generation_found_by_an_autoflush_is_a_concurrent_update_too(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    add_session(sql_uow, add_user(sql_uow))
    with pytest.raises(ConcurrentUpdate), sql_uow() as work:
        session = work.sessions.get("s-alice")
        assert session is not None
        work.session.execute(sa.text("UPDATE login_sessions SET generation = generation + 1"))
        session.revoke(NOW)
        work.products.list(ProductQuery())  # flushes the revocation first


def test_read_only_units_of_work_cannot_write(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    with sql_uow(read_only=True) as work, pytest.raises(DBAPIError, match=r"read-?only"):
        work.products.add(Product("RED-CHAIR", money("19.99"), 1))
    chair = add_product(sql_uow)  # and the pooled connection writes again afterwards
    with sql_uow(read_only=True) as work:
        assert work.products.get(chair) is not None
