"""The in-memory unit of work: the store's lock for the whole block, writes kept until commit."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from webstore.adapters.memory.mail import (
    InMemoryOutboxRepository,
    InMemoryPasswordResetRepository,
    token_hash_of,
)
from webstore.adapters.memory.pictures import InMemoryProductImageRepository, product_and_size
from webstore.adapters.memory.repositories import (
    InMemoryIdempotencyRepository,
    InMemoryLoginAttemptRepository,
    InMemoryLoginSessionRepository,
    InMemoryOrderRepository,
    InMemoryProductRepository,
    InMemoryUserRepository,
    user_and_key,
)
from webstore.adapters.memory.tables import InMemoryDatabase, Table, identity


class InMemoryUnitOfWork:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    def __enter__(self) -> Self:
        self._db.lock.acquire()
        self._begin()
        return self

    def _begin(self) -> None:
        db = self._db
        self._tables: list[Table[Any, Any]] = [
            users := Table(db.users, identity),
            products := Table(db.products, identity),
            orders := Table(db.orders, identity),
            sessions := Table(db.sessions, identity),
            failures := Table(db.login_failures, identity),
            keys := Table(db.idempotency, user_and_key),
            images := Table(db.images, product_and_size),
            outbox := Table(db.outbox, identity),
            resets := Table(db.password_resets, token_hash_of),
        ]
        self.users = InMemoryUserRepository(users, db.user_ids)
        self.products = InMemoryProductRepository(products, db.product_ids)
        self.orders = InMemoryOrderRepository(orders, db.order_ids)
        self.sessions = InMemoryLoginSessionRepository(sessions, users)
        self.login_attempts = InMemoryLoginAttemptRepository(failures, db.login_failure_ids)
        self.idempotency = InMemoryIdempotencyRepository(keys)
        self.images = InMemoryProductImageRepository(images)
        self.outbox = InMemoryOutboxRepository(outbox, db.outbox_ids)
        self.password_resets = InMemoryPasswordResetRepository(resets)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._db.lock.release()

    def commit(self) -> None:
        # The unit of work keeps the objects it handed out, as an SQLAlchemy session does:
        # changes made to them after this commit belong to the next one.
        for table in self._tables:
            table.flush()

    def rollback(self) -> None:
        self._begin()

    def ping(self) -> None:
        return None


class InMemoryUnitOfWorkFactory:
    """Hands out units of work over one shared ``InMemoryDatabase``."""

    def __init__(self, database: InMemoryDatabase | None = None) -> None:
        self.database = database or InMemoryDatabase()

    def __call__(self, *, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.database)
