"""The SQLAlchemy unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from webstore.adapters.sql import engine as engines
from webstore.adapters.sql.availability import OutageLog, is_outage
from webstore.adapters.sql.idempotency import SqlAlchemyIdempotencyRepository
from webstore.adapters.sql.login_attempts import SqlAlchemyLoginAttemptRepository
from webstore.adapters.sql.orm import start_mappers
from webstore.adapters.sql.repositories import (
    SqlAlchemyLoginSessionRepository,
    SqlAlchemyOrderRepository,
    SqlAlchemyProductRepository,
    SqlAlchemyUserRepository,
)
from webstore.application.errors import ConcurrentUpdate, StorageUnavailable


class SqlAlchemyUnitOfWork:
    """One session and its transaction; leaving the block rolls back what was not committed."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outages: OutageLog | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._outages = outages or OutageLog()
        self._writing = not read_only

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.users = SqlAlchemyUserRepository(self.session)
        self.products = SqlAlchemyProductRepository(self.session)
        self.orders = SqlAlchemyOrderRepository(self.session)
        self.sessions = SqlAlchemyLoginSessionRepository(self.session)
        self.login_attempts = SqlAlchemyLoginAttemptRepository(self.session)
        self.idempotency = SqlAlchemyIdempotencyRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls the transaction back too, but unlike rollback() it leaves the loaded
        # entities readable: use cases return them after the block.
        problem = exc
        try:
            self.session.close()
        except Exception as error:  # a connection that broke cannot even roll back
            if not is_outage(error):
                raise
            problem = problem or error
        if problem is not None and is_outage(problem):
            self._outages.failed(problem, writing=self._writing)
            raise StorageUnavailable() from problem
        self._outages.answered(writing=self._writing)
        if isinstance(exc, StaleDataError):  # raised by an autoflush inside the block
            raise ConcurrentUpdate() from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as error:
            # A versioned row (a login session's generation) changed since we read it.
            raise ConcurrentUpdate() from error

    def rollback(self) -> None:
        self.session.rollback()

    def ping(self) -> None:
        self.session.execute(text("SELECT 1"))


class SqlAlchemyUnitOfWorkFactory:
    """Units of work over one engine; read-only ones run side by side on both databases."""

    def __init__(self, engine: Engine) -> None:
        start_mappers()
        self.engine = engine
        # expire_on_commit=False: use cases hand entities back after the unit of work closed.
        self._writer = sessionmaker(engine, expire_on_commit=False)
        self._reader = sessionmaker(engines.read_only(engine), expire_on_commit=False)
        self._outages = OutageLog()

    @classmethod
    def from_url(
        cls, url: str, *, pool_size: int = 5, max_overflow: int = 10
    ) -> SqlAlchemyUnitOfWorkFactory:
        return cls(engines.create_engine(url, pool_size=pool_size, max_overflow=max_overflow))

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            self._reader if read_only else self._writer, self._outages, read_only=read_only
        )

    def dispose(self) -> None:
        """Close every pooled connection (tests, and processes that are about to exit)."""
        self.engine.dispose()
