"""Statements sent straight to the driver read exactly what SQLAlchemy's own path reads."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.integration.persistence.helpers import (
    NOW,
    add_product,
    add_session,
    add_user,
    statements,
)
from webstore.adapters.sql.repositories.login_sessions import _PRINCIPAL
from webstore.adapters.sql.runtime.direct import DirectRead
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.ports import LoginFailureKind, ProductQuery


def read_both_ways(
    uow: SqlAlchemyUnitOfWorkFactory, session_id: str, user_id: int
) -> tuple[Any, Any]:
    with uow(read_only=True) as work:
        assert work._reading is not None
        direct = _PRINCIPAL.first(work._reading, session_id=session_id, user_id=user_id)
        params = {"session_id": session_id, "user_id": user_id}
        through_sqlalchemy = work.session.execute(_PRINCIPAL.statement, params).first()
    return direct, None if through_sqlalchemy is None else tuple(through_sqlalchemy)


@pytest.mark.parametrize(
    "changes",
    [{}, {"revoked_at": NOW}, {"expires_at": NOW}],
    ids=["live", "revoked", "expired"],
)
@pytest.mark.parametrize("active", [True, False], ids=["active", "inactive"])
def test_a_login_session_reads_the_same_both_ways(
    sql_uow: SqlAlchemyUnitOfWorkFactory, changes: dict[str, Any], active: bool
) -> None:
    user = add_user(sql_uow, active=active)
    add_session(sql_uow, user, **changes)
    direct, through_sqlalchemy = read_both_ways(sql_uow, "s-alice", user)
    assert direct == through_sqlalchemy
    assert direct is not None
    assert [type(value) for value in direct] == [type(v) for v in through_sqlalchemy]
    expires_at = direct[6]
    assert expires_at == changes.get("expires_at", expires_at)
    assert expires_at.tzinfo is not None and expires_at.utcoffset().total_seconds() == 0
    assert direct[4] is active  # a boolean, not SQLite's 0 or 1
    assert read_both_ways(sql_uow, "s-nobody", user) == (None, None)


def test_the_principal_is_the_same_in_reading_and_writing_units_of_work(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    user = add_user(sql_uow)
    add_session(sql_uow, user)
    with sql_uow(read_only=True) as work:
        read = work.sessions.principal("s-alice", user, NOW)
    with sql_uow() as work:
        written = work.sessions.principal("s-alice", user, NOW)
    assert read == written
    assert read is not None and read.username == "alice"


def test_driver_reads_and_the_session_share_one_snapshot(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    product = add_product(sql_uow, stock=10)
    with sql_uow(read_only=True) as reading:
        version = reading.products.catalogue_version()
        with sql_uow() as writing:  # commits while the reader is between two statements
            [changed] = writing.products.get_for_update([product])
            changed.revise(description="Oak", stock=3)
            writing.commit()
        [seen] = reading.products.list(ProductQuery())  # through the session
        assert (seen.stock, seen.description) == (10, "A red-chair")
        assert reading.products.catalogue_version() == version
    with sql_uow(read_only=True) as later:
        now = later.products.catalogue_version()
        assert now != version
        assert later.products.listing_state(ProductQuery()) == (now, (str(product), "3"))
        assert [p.stock for p in later.products.list(ProductQuery())] == [3]


def test_every_connection_goes_back_to_the_pool(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    user = add_user(sql_uow)
    pool = sql_uow.engine.pool
    for _ in range(20):
        with sql_uow(read_only=True) as work:  # driver only
            work.sessions.principal("s-alice", user, NOW)
        with sql_uow(read_only=True) as work:  # driver, then the session
            work.products.catalogue_version()
            work.products.list(ProductQuery())
        with pytest.raises(ZeroDivisionError), sql_uow(read_only=True) as work:
            work.products.catalogue_version()
            1 / 0  # noqa: B018
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


def test_driver_errors_are_sqlalchemy_errors_and_cursor_events_see_the_statement(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    missing = DirectRead(sa.select(sa.table("no_such_table", sa.column("x")).c.x))
    with statements(sql_uow.engine) as seen:
        with pytest.raises(sa.exc.DBAPIError) as raised, sql_uow(read_only=True) as work:
            assert work._reading is not None
            missing.rows(work._reading)
        with sql_uow(read_only=True) as work:
            work.products.catalogue_version()
    assert "no_such_table" in str(raised.value.statement)
    assert [statement for statement, _ in seen][-1].startswith("SELECT catalogue_version.version")


def test_a_statement_that_stands_alone_sees_what_committed_since_the_read_began(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    product = add_product(sql_uow, stock=10)
    with sql_uow(read_only=True) as reading:
        assert reading.products.listing_state(ProductQuery()).stock == (str(product), "10")
        with sql_uow() as writing:
            [changed] = writing.products.get_for_update([product])
            changed.stock = 3
            writing.commit()
        # Its own snapshot (PostgreSQL sends it outside any transaction; SQLite's read
        # transaction, begun at once, is one snapshot anyway).
        state = reading.products.listing_state(ProductQuery())
        version = reading.products.catalogue_version()  # the snapshot begins here
        if sql_uow.engine.dialect.name == "postgresql":
            assert state.stock == (str(product), "3")
        with sql_uow() as writing:
            [changed] = writing.products.get_for_update([product])
            changed.revise(description="Oak", stock=2)
            writing.commit()
        assert reading.products.catalogue_version() == version
        assert [str(p.stock) for p in reading.products.list(ProductQuery())] == [
            state.stock.amounts
        ]


class CursorListener:
    """A cursor listener as tracing libraries write them (OpenTelemetry's, for one): it reads
    the connection's engine and dialect, and keeps its span on the execution context."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, str, bool]] = []

    def before(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        context = rest[1]
        context._span = statement  # would fail on a None context
        assert conn.engine.url == self.engine.url  # the engine, or its read-only options
        assert cursor is context.cursor

    def after(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        context = rest[1]
        self.seen.append((statement, conn.dialect.name, context._span == statement))


def test_cursor_listeners_get_the_connection_and_context_of_direct_statements(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    user = add_user(sql_uow)
    add_session(sql_uow, user)
    quiet = read_both_ways(sql_uow, "s-alice", user)
    listener = CursorListener(sql_uow.engine)
    sa.event.listen(sql_uow.engine, "before_cursor_execute", listener.before)
    sa.event.listen(sql_uow.engine, "after_cursor_execute", listener.after)
    try:
        with sql_uow(read_only=True) as work:  # a read on the driver only
            assert work.sessions.principal("s-alice", user, NOW) is not None
        with sql_uow() as work:  # writes in the session's transaction
            failure = work.login_attempts.add_failure(LoginFailureKind.USERNAME, "alice", NOW)
            work.login_attempts.remove(failure)
            work.commit()
        observed = read_both_ways(sql_uow, "s-alice", user)
    finally:
        sa.event.remove(sql_uow.engine, "before_cursor_execute", listener.before)
        sa.event.remove(sql_uow.engine, "after_cursor_execute", listener.after)
    dialect = sql_uow.engine.dialect.name
    assert ("JOIN users" in listener.seen[0][0], listener.seen[0][1:]) == (True, (dialect, True))
    assert any(
        statement.startswith("INSERT INTO login_failures") for statement, *_ in listener.seen
    )
    assert all(seen[1:] == (dialect, True) for seen in listener.seen)
    assert observed == quiet  # the same values, read either way
    assert [type(value) for value in observed[0]] == [type(value) for value in quiet[0]]


def test_without_cursor_listeners_a_sqlite_read_makes_no_sqlalchemy_connection(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    user = add_user(sql_uow)
    add_session(sql_uow, user)
    with sql_uow(read_only=True) as work:
        assert work.sessions.principal("s-alice", user, NOW) is not None
        assert work._reading is not None
        made = work._reading.opened is not None
    assert made == (sql_uow.engine.dialect.name == "postgresql")  # which always makes one
