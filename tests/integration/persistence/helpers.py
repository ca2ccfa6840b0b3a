"""Sample data and small shortcuts shared by the persistence tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from webstore.adapters.sql.engine import create_engine
from webstore.application.ports import UnitOfWorkFactory
from webstore.domain.orders import Order, OrderLine
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User
from webstore.domain.values import Money

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
NOW = datetime(2026, 11, 26, 20, 12, 30, 123456, tzinfo=UTC)
LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Backend:
    """A storage under test: its name and a factory of units of work over a fresh database."""

    name: str
    uow: UnitOfWorkFactory

    @property
    def serialises_writers(self) -> bool:
        # The in-memory store's lock and SQLite's BEGIN IMMEDIATE run one writer at a time;
        # PostgreSQL lets writers overlap and relies on row locks and version checks.
        return self.name != "postgres"


def money(text: str) -> Money:
    return Money(Decimal(text))


def add_user(uow: UnitOfWorkFactory, username: str = "alice", *, active: bool = True) -> int:
    user = User(username, f"{username}@example.com", "argon2-hash", is_active=active)
    with uow() as work:
        work.users.add(user)
        work.commit()
    assert user.id is not None
    return user.id


def add_product(
    uow: UnitOfWorkFactory,
    name: str = "RED-CHAIR",
    price: str = "19.99",
    stock: int = 10,
    *,
    active: bool = True,
) -> int:
    product = Product(name, money(price), stock, f"A {name.lower()}", is_active=active)
    with uow() as work:
        work.products.add(product)
        work.commit()
    return product.product_id


def add_order(
    uow: UnitOfWorkFactory, user_id: int, product_id: int, *, created_at: datetime = NOW
) -> int:
    line = OrderLine(product_id, "RED-CHAIR", 2, money("19.99"))
    order = Order(user_id, "1 Main Street", "+1 555 0100", created_at, [line])
    with uow() as work:
        work.orders.add(order)
        work.commit()
    assert order.id is not None
    return order.id


def login_session(user_id: int, session_id: str = "s-alice", **changes: Any) -> LoginSession:
    values: dict[str, Any] = {
        "id": session_id,
        "user_id": user_id,
        "created_at": NOW,
        "expires_at": NOW + LIFETIME,
        "token_hash": f"hash-of-{session_id}-0",
    }
    return LoginSession(**(values | changes))


def add_session(
    uow: UnitOfWorkFactory, user_id: int, session_id: str = "s-alice", **changes: Any
) -> None:
    with uow() as work:
        work.sessions.add(login_session(user_id, session_id, **changes))
        work.commit()


@contextmanager
def connection(url: str) -> Iterator[sa.Connection]:
    """A connection of its own, for checking what is really stored."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def query(url: str, sql: str, **params: Any) -> list[Any]:
    with connection(url) as conn:
        return list(conn.execute(sa.text(sql), params).all())


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Record every statement (and its parameters) sent to the database while the block runs.

    A read's BEGIN is left out, as the driver's own BEGIN always was (PostgreSQL reads begin
    their transaction themselves, when a statement needs one)."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def run_together(*targets: Callable[[], None]) -> None:
    """Run each target in a thread of its own; re-raise the first failure, fail on a hang."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a unit of work hung"
    if errors:
        raise errors[0]
