"""How many statements the hot paths cost, counted at the cursor, on SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy import text

from tests.integration.persistence.helpers import (
    NOW,
    add_product,
    add_session,
    add_user,
    money,
    statements,
)
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.dto import Principal
from webstore.application.mail.notices import MailPolicy
from webstore.application.ordering.orders import list_orders_versioned, place_order
from webstore.application.ports import OrderQuery, ProductQuery
from webstore.application.snapshots import OrderSnapshot
from webstore.application.versioned import Versioned
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


@dataclass(frozen=True)
class _FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


@contextmanager
def _round_trips(uow: SqlAlchemyUnitOfWorkFactory) -> Iterator[list[str]]:
    """What each PostgreSQL connection checked out in the block sends, read from libpq's trace
    of the wire: ``Query`` (BEGIN, COMMIT) or ``Execute`` (a statement), and ``Sync`` where
    the client waits for the server's answers (one round trip each); ``COMMIT`` where a
    COMMIT is parsed as a statement of a pipeline (its ``Execute`` follows)."""
    sent: list[str] = []
    with tempfile.TemporaryFile("w+") as trace:
        traced: list[Any] = []

        def on_checkout(driver: Any, *_: object) -> None:
            driver.pgconn.trace(trace.fileno())
            driver.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            traced.append(driver)

        sa.event.listen(uow.engine.pool, "checkout", on_checkout)
        try:
            yield sent
        finally:
            sa.event.remove(uow.engine.pool, "checkout", on_checkout)
            for driver in traced:
                if not driver.closed:
                    driver.pgconn.untrace()
            trace.seek(0)
            for line in trace.read().splitlines():
                fields = line.split("\t")  # direction, length, message, its contents
                if len(fields) < 3 or fields[0] != "F":
                    continue
                message = fields[2].split(" ")[0]
                if message in ("Query", "Execute", "Sync"):
                    sent.append(message)
                elif message == "Parse" and '"COMMIT"' in " ".join(fields[2:]):
                    sent.append("COMMIT")


def _checkout_of(
    uow: SqlAlchemyUnitOfWorkFactory, lines: int
) -> tuple[Callable[[], OrderSnapshot], list[int]]:
    """A customer with a live session, ``lines`` products of ten, and their checkout of two of
    each (the products' ids with it)."""
    user = add_user(uow)
    add_session(uow, user)
    products = [add_product(uow, f"ITEM-{n}", stock=10) for n in range(lines)]
    buyer = Principal(user, "alice", "alice@example.com", session_id="s-alice")
    items = [{"product_id": pid, "amount": 2} for pid in products]

    def checkout() -> OrderSnapshot:
        return place_order(
            buyer, "1 Main Street", "+1 555 0100", items,
            uow=uow, clock=_FixedClock(NOW), mail=MailPolicy(),
        )  # fmt: skip

    return checkout, products


def test_an_sqlite_checkout_runs_on_the_driver_without_an_orm_session(sqlite_url: str) -> None:
    """The grouped writer's ORM session (and the savepoint it opens through SQLAlchemy) is made
    only if something needs one: a checkout needs none, and making it cost a sixth of the
    checkout's CPU."""
    upgrade(sqlite_url)
    uow = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    try:
        checkout, _ = _checkout_of(uow, 2)
        checkout()
        with statements(uow.engine) as seen:
            checkout()
        assert not [sql for sql, _ in seen if "SAVEPOINT" in sql.upper()], seen
        with uow(read_only=True) as work:
            assert [p.stock for p in work.products.list(ProductQuery())] == [6, 6]
    finally:
        uow.dispose()


def test_an_sqlite_checkout_writes_only_the_stock_of_its_products(sqlite_url: str) -> None:
    """Its products' other columns stay as they are: the UPDATE names the stock alone, one row
    per line, and the catalogue's version (which follows the other columns) is not drawn."""
    upgrade(sqlite_url)
    uow = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    try:
        checkout, products = _checkout_of(uow, 2)
        checkout()
        with uow(read_only=True) as work:
            version = work.products.catalogue_version()
        with statements(uow.engine) as seen:
            checkout()
        updates = [(sql, values) for sql, values in seen if sql.startswith("UPDATE products")]
        assert [" ".join(sql.split()) for sql, _ in updates] == [
            "UPDATE products SET amount=? WHERE products.id = ?"
        ]
        assert [list(row) for row in updates[0][1]] == [[6, pid] for pid in products]
        with uow(read_only=True) as work:
            assert [p.stock for p in work.products.list(ProductQuery())] == [6, 6]
            assert work.products.catalogue_version() == version
    finally:
        uow.dispose()


@pytest.mark.postgres
def test_a_checkout_on_postgresql_waits_for_the_server_three_times(postgres_url: str) -> None:
    upgrade(postgres_url)
    uow = SqlAlchemyUnitOfWorkFactory.from_url(postgres_url)
    try:
        checkout, products = _checkout_of(uow, 3)
        checkout()  # connects, and compiles what it runs
        with _round_trips(uow) as sent:
            placed = checkout()
        # BEGIN with the live customer; the products locked, the order numbered; the order
        # with its lines, its confirmation in the outbox, the stock of every line and the
        # COMMIT. One wait while the products are locked; the session's own commit after it
        # finds nothing left to send.
        waits = sent.count("Query") + sent.count("Sync")
        assert waits == 3, sent
        assert sent == [
            *("Execute", "Execute", "Sync"),  # BEGIN, the live customer
            *("Execute", "Sync"),  # the products locked
            *("Execute", "Execute", "Execute"),  # the order, the mail, the stock
            *("COMMIT", "Execute", "Sync"),  # COMMIT, in the same pipeline
        ]
        with uow(read_only=True) as work:
            assert [p.stock for p in work.products.list(ProductQuery())] == [6, 6, 6]
            stored = work.orders.get(placed.id)
            assert stored is not None
            assert [(line.product_id, line.quantity) for line in stored.lines] == [
                (pid, 2) for pid in products
            ]
    finally:
        uow.dispose()


@pytest.mark.postgres
def test_a_customers_order_listing_on_postgresql_waits_twice_on_a_miss_once_on_a_hit(
    postgres_url: str,
) -> None:
    upgrade(postgres_url)
    uow = SqlAlchemyUnitOfWorkFactory.from_url(postgres_url)
    try:
        user = add_user(uow)
        add_session(uow, user)
        products = [add_product(uow, f"ITEM-{n}") for n in range(3)]
        _place(uow, user, products, 20)
        buyer = Principal(user, "alice", "alice@example.com", session_id="s-alice")

        def listing(known: Callable[[Hashable, int], bool]) -> Versioned[OrderSnapshot]:
            return list_orders_versioned(buyer, uow=uow, clock=_FixedClock(NOW), known=known)

        listing(lambda key, version: False)  # connects, and compiles what it runs
        with _round_trips(uow) as missed:
            first = listing(lambda key, version: False)
        assert first.page is not None and first.version is not None
        assert len(first.page.items) == first.page.total == 20
        assert all(len(order.lines) == 3 for order in first.page.items)
        # The login session with the owner's version; then (not kept) the version, the
        # orders and their lines in one statement: no BEGIN, no ROLLBACK.
        assert missed == ["Execute", "Sync", "Execute", "Sync"]
        with _round_trips(uow) as hit:
            again = listing(lambda key, version: (key, version) == (first.key, first.version))
        assert again.page is None and again.version == first.version
        assert hit == ["Execute", "Sync"]  # the login session with the owner's version
    finally:
        uow.dispose()
