"""Read-only units of work: a transaction begun at once, a session only if one is used.

A read-only unit of work begins its transaction at once, so that the statements every request
runs can go straight to the driver (``direct.py``); the session reads through the same
connection, in the same snapshot, if it is used at all.
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from webstore.adapters.sql.runtime.availability import is_outage
from webstore.adapters.sql.runtime.deadlines import DeadlinePassed, Deadlines
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.unit_of_work.transaction import SessionOnDemand, Transaction
from webstore.concurrency import Concurrency


class ReadingSession(SessionOnDemand):
    """A read-only unit of work's session, made on first use and bound to its transaction.

    Most read-only units of work (authenticating a request, a listing served from a cache)
    only send statements straight to the driver: they never pay for a session.
    """

    def __init__(self, factory: sessionmaker[Session], reading: ReadTransaction) -> None:
        super().__init__()
        self._factory = factory
        self._reading = reading

    def made(self) -> Session:
        if self._session is None:
            self._session = self._factory(bind=self._reading.connection())
        return self._session


class SharedReads:
    """The one read-only transaction of the readers of a ``shared_reads`` block."""

    def __init__(
        self,
        engine: Engine,
        deadlines: Deadlines | None = None,
        concurrency: Concurrency = Concurrency.THREADS,
    ) -> None:
        self._engine = engine
        self._deadlines = deadlines
        self._concurrency = concurrency
        self._transaction: ReadTransaction | None = None

    def take(self) -> ReadTransaction:
        if self._transaction is None:
            self._transaction = ReadTransaction(self._engine, self._concurrency)
        return self._transaction

    def end(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is None:
            return
        # Between its readers (at the end of a request, say), under a deadline of its own.
        deadline = self._deadlines.start() if self._deadlines is not None else None
        try:
            transaction.close()
        except DeadlinePassed as passed:  # no answer to the rollback: drop the connection
            with suppress(Exception):
                transaction.invalidate(passed)
        except Exception as error:  # a connection that broke: the pool has dropped it
            if not is_outage(error):
                raise
        finally:
            if deadline is not None:
                deadline.cancel()


class _Read(Transaction):
    writing = False
    reading: ReadTransaction

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def _read_through(self, reading: ReadTransaction) -> None:
        self.reading = reading
        self._session = ReadingSession(self._factory, reading)
        self.session = self._session

    def commit(self) -> None:
        self._session.commit()

    def rollback(self) -> None:
        self._session.rollback()

    def discard(self, error: BaseException | None) -> None:
        self.reading.invalidate(error or DeadlinePassed())


class OwnRead(_Read):
    """A read-only transaction of its own, rolled back when the unit of work ends."""

    def __init__(
        self, factory: sessionmaker[Session], engine: Engine, concurrency: Concurrency
    ) -> None:
        super().__init__(factory)
        self._engine = engine
        self._concurrency = concurrency

    def begin(self) -> None:
        self._read_through(ReadTransaction(self._engine, self._concurrency))

    def end(self, *, failed: bool) -> None:
        try:
            self._session.close()
        finally:
            self.reading.close()  # rolls the read-only transaction back


class SharedRead(_Read):
    """The transaction of a ``shared_reads`` block, which outlives this unit of work."""

    def __init__(self, factory: sessionmaker[Session], shared: SharedReads) -> None:
        super().__init__(factory)
        self._shared = shared

    def begin(self) -> None:
        self._read_through(self._shared.take())

    def end(self, *, failed: bool) -> None:
        try:
            self._session.close()
        finally:
            if failed:
                self._shared.end()  # it may be broken: the next reader begins afresh
