"""The SQLAlchemy unit of work: one transaction, rolled back unless committed."""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType
from typing import NoReturn, Self

from sqlalchemy import literal_column, select
from sqlalchemy.orm.exc import StaleDataError

from webstore.adapters.sql.idempotency import SqlAlchemyIdempotencyRepository
from webstore.adapters.sql.login_attempts import SqlAlchemyLoginAttemptRepository
from webstore.adapters.sql.mail import (
    SqlAlchemyOutboxRepository,
    SqlAlchemyPasswordResetRepository,
)
from webstore.adapters.sql.pictures import SqlAlchemyProductImageRepository
from webstore.adapters.sql.repositories import (
    SqlAlchemyLoginSessionRepository,
    SqlAlchemyOrderRepository,
    SqlAlchemyProductRepository,
    SqlAlchemyUserRepository,
)
from webstore.adapters.sql.repositories.orders import OrderNumbers
from webstore.adapters.sql.runtime.availability import OutageLog, is_outage
from webstore.adapters.sql.runtime.deadlines import Deadline, DeadlinePassed, Deadlines
from webstore.adapters.sql.runtime.direct import DirectRead, in_session
from webstore.adapters.sql.runtime.last_writes import LastWrites
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.runtime.writer_groups import GroupCommitFailed
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.unit_of_work.transaction import Transaction
from webstore.application.errors import ConcurrentUpdate, StorageUnavailable

_PING = DirectRead(select(literal_column("1")), alone=True)


class SqlAlchemyUnitOfWork:
    """One transaction, held as ``transaction`` says; leaving the block rolls back what was
    not committed."""

    session: SqlSession
    _reading: ReadTransaction | None  # a read-only one's (``direct.py`` statements run on it)

    def __init__(
        self,
        transaction: Transaction,
        outages: OutageLog | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        self._transaction = transaction
        self._outages = outages or OutageLog()
        self._writing = transaction.writing
        self._deadlines = deadlines
        self._deadline: Deadline | None = None

    def __enter__(self) -> Self:
        # The deadline covers everything this unit of work waits on: its turn, a connection,
        # each statement, the commit, and the rollback that ends it.
        self._deadline = self._deadlines.start() if self._deadlines is not None else None
        try:
            self._begin()
        except BaseException as error:
            self._end_deadline()
            if isinstance(error, DeadlinePassed):  # waited too long for its turn
                self._abandon(error)
            raise
        return self

    def _begin(self) -> None:
        transaction = self._transaction
        try:
            transaction.begin()
        except BaseException as error:
            self._abandon(error)
        self.session = session = transaction.session
        self._reading = direct = transaction.reading
        self._last = LastWrites()
        # A PostgreSQL writer sends a new order (numbered with its products' lock) and the
        # outbox's inserts together with its last writes.
        together = transaction.sends_last_writes_together
        last = self._last if together else None
        numbers = OrderNumbers() if together else None
        self.users = SqlAlchemyUserRepository(session, direct)
        self.products = SqlAlchemyProductRepository(session, direct, numbers)
        self.orders = SqlAlchemyOrderRepository(session, direct, numbers, last)
        self.sessions = SqlAlchemyLoginSessionRepository(session, direct)
        self.login_attempts = SqlAlchemyLoginAttemptRepository(session)
        self.idempotency = SqlAlchemyIdempotencyRepository(session)
        self.images = SqlAlchemyProductImageRepository(session)
        self.outbox = SqlAlchemyOutboxRepository(session, last)
        self.password_resets = SqlAlchemyPasswordResetRepository(session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing the session rolls the transaction back too, but unlike rollback() it leaves
        # the loaded entities readable: use cases return them after the block.
        try:
            self._close(exc)
        finally:
            self._end_deadline()
        if isinstance(exc, StaleDataError):  # raised by an autoflush inside the block
            raise ConcurrentUpdate() from exc

    def _abandon(self, error: BaseException) -> NoReturn:
        """The connection could not be had: say why, as __exit__ would."""
        if is_outage(error) or isinstance(error, GroupCommitFailed):
            self._outages.failed(error, writing=self._writing)
            raise StorageUnavailable() from error
        raise error

    def _end_deadline(self) -> None:
        deadline, self._deadline = self._deadline, None
        if deadline is not None:
            deadline.cancel()

    def _close(self, exc: BaseException | None) -> None:
        problem = exc
        passed = self._deadline is not None and self._deadline.passed
        if passed:
            self._discard(exc)  # whatever it was waiting on, its connection is mid-statement
        try:
            self._transaction.end(failed=exc is not None or passed)
        except GroupCommitFailed as failed:
            problem = problem or failed  # what this writer read may not have been kept
        except DeadlinePassed as passed_now:  # the rollback itself found no answer
            self._discard(passed_now)
            problem = problem or passed_now
        except Exception as error:  # a connection that broke cannot even roll back
            if not is_outage(error):
                raise
            problem = problem or error
        if problem is not None and (is_outage(problem) or isinstance(problem, GroupCommitFailed)):
            self._outages.failed(problem, writing=self._writing)
            raise StorageUnavailable() from problem
        if not isinstance(exc, StorageUnavailable):  # an inner unit's outage, logged by it
            self._outages.answered(writing=self._writing)

    def _discard(self, error: BaseException | None) -> None:
        """Drop this unit of work's connection, which a deadline caught waiting: it may be in
        the middle of a statement, and ending it would wait on the database again."""
        with suppress(Exception):  # SQLAlchemy may have dropped it already
            self._transaction.discard(error)

    def commit(self) -> None:
        try:
            # The last writes (the products' changes; a PostgreSQL writer's new order and
            # outbox) need no answer before the COMMIT: on PostgreSQL they are sent in one
            # round trip, and a writer that sends them together sends its COMMIT in it too,
            # after what its session held unsaved (``in_session`` flushes it first). The
            # session's commit then finds the connection idle and sends nothing.
            self.products.queue_changes(self._last)
            if self._last:
                writing = in_session(self.session, self._reading)
                self._last.send(writing, commit=self._transaction.sends_last_writes_together)
            self._transaction.commit()  # a writer of a group: once the group's is durable
        except StaleDataError as error:
            # A versioned row (a login session's generation) changed since we read it.
            raise ConcurrentUpdate() from error

    def rollback(self) -> None:
        self._last.clear()  # rolled back before they were even sent
        self._transaction.rollback()

    def ping(self) -> None:
        _PING.rows(in_session(self.session, self._reading))
