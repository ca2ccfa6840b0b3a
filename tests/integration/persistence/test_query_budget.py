"""How many statements the hot paths cost, counted at the cursor, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.persistence.helpers import (
    NOW,
    add_product,
    add_session,
    add_user,
    money,
    statements,
)
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.ports import OrderQuery, ProductQuery
from webstore.domain.orders import Order, OrderLine, OrderStatus


def _place(uow: SqlAlchemyUnitOfWorkFactory, user: int, products: list[int], count: int) -> None:
    lines = [OrderLine(pid, f"ITEM-{pid}", 1, money("19.99")) for pid in products]
    with uow() as work:
        for _ in range(count):
            work.orders.add(Order(user, "1 Main Street", "+1 555 0100", NOW, list(lines)))
        work.commit()


def _statements_to_list_orders(uow: SqlAlchemyUnitOfWorkFactory, query: OrderQuery) -> int:
    with uow(read_only=True) as work:
        work.ping()  # begins the transaction, so that BEGIN is not counted below
        with statements(uow.engine) as seen:
            listed = work.orders.list(query, limit=1000)
            assert all(len(order.lines) == 3 for order in listed)
    return len(seen)


@pytest.mark.parametrize("user_filter", [False, True])
def test_listing_orders_costs_the_same_for_one_and_for_two_hundred(
    sql_uow: SqlAlchemyUnitOfWorkFactory, user_filter: bool
) -> None:
    user = add_user(sql_uow)
    products = [add_product(sql_uow, f"ITEM-{n}") for n in range(3)]
    query = OrderQuery(user_id=user) if user_filter else OrderQuery()
    _place(sql_uow, user, products, 1)
    for_one = _statements_to_list_orders(sql_uow, query)
    _place(sql_uow, user, products, 199)
    for_two_hundred = _statements_to_list_orders(sql_uow, query)
    assert for_one == for_two_hundred == 2  # the orders, then the lines of all of them


def test_listing_products_is_one_statement(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    for n in range(20):
        add_product(sql_uow, f"ITEM-{n}")
    with sql_uow(read_only=True) as work:
        work.ping()
        with statements(sql_uow.engine) as seen:
            assert len(work.products.list(ProductQuery(), limit=10, offset=5)) == 10
    assert len(seen) == 1


def test_principal_is_one_statement(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    user = add_user(sql_uow)
    add_session(sql_uow, user)
    with sql_uow(read_only=True) as work:
        work.ping()
        with statements(sql_uow.engine) as seen:
            assert work.sessions.principal("s-alice", user, NOW) is not None
    assert len(seen) == 1
    assert "JOIN users" in seen[0][0]


def test_locking_products_for_an_order_is_one_statement_in_id_order(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ids = [add_product(sql_uow, f"ITEM-{n}") for n in range(3)]
    with sql_uow() as work:
        work.ping()
        with statements(sql_uow.engine) as seen:
            work.products.get_for_update(list(reversed(ids)))
    [(statement, _)] = seen
    assert "ORDER BY products.id" in statement
    if sql_uow.engine.dialect.name == "postgresql":
        assert statement.rstrip().endswith("FOR NO KEY UPDATE")


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (OrderQuery(), "ix_orders_newest"),
        (OrderQuery(user_id=1), "ix_orders_user_newest"),
        (OrderQuery(status=OrderStatus.PENDING), "ix_orders_status_newest"),
    ],
)
def test_each_order_listing_reads_its_own_index(
    sql_uow: SqlAlchemyUnitOfWorkFactory, query: OrderQuery, index: str
) -> None:
    postgres = sql_uow.engine.dialect.name == "postgresql"
    with sql_uow(read_only=True) as work:
        work.ping()
        if postgres:  # on empty tables the planner would rather scan; ask what it would use
            work.session.execute(text("SET LOCAL enable_seqscan = off"))
        with statements(sql_uow.engine) as seen:
            work.orders.list(query, limit=20)
        statement, parameters = seen[0]
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = work.session.connection().exec_driver_sql(explain + statement, parameters).all()
    assert index in str(plan)
    assert "TEMP B-TREE" not in str(plan)  # SQLite's sign of a sort the index did not spare
