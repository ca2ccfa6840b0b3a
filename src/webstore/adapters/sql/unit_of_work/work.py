"""The SQLAlchemy unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from types import TracebackType
from typing import Any, NoReturn, Self, cast

from sqlalchemy import literal_column, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.exc import StaleDataError

from webstore.adapters.off_loop import cooperative
from webstore.adapters.sql import engine as engines
from webstore.adapters.sql.idempotency import SqlAlchemyIdempotencyRepository
from webstore.adapters.sql.login_attempts import SqlAlchemyLoginAttemptRepository
from webstore.adapters.sql.mail import (
    SqlAlchemyOutboxRepository,
    SqlAlchemyPasswordResetRepository,
)
from webstore.adapters.sql.orm import start_mappers
from webstore.adapters.sql.pictures import SqlAlchemyProductImageRepository
from webstore.adapters.sql.repositories import (
    SqlAlchemyLoginSessionRepository,
    SqlAlchemyOrderRepository,
    SqlAlchemyProductRepository,
    SqlAlchemyUserRepository,
)
from webstore.adapters.sql.runtime.availability import OutageLog, is_outage
from webstore.adapters.sql.runtime.deadlines import Deadline, DeadlinePassed, Deadlines
from webstore.adapters.sql.runtime.direct import DirectRead, in_session
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.runtime.writer_groups import (
    GroupCommitFailed,
    GroupMember,
    WriterGroups,
    holds_transaction,
)
from webstore.application.errors import ConcurrentUpdate, StorageUnavailable


class SqlAlchemyUnitOfWork:
    """One session and its transaction; leaving the block rolls back what was not committed."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outages: OutageLog | None = None,
        *,
        reader: Engine | None = None,
        shared: _SharedReads | None = None,
        groups: WriterGroups | None = None,
        writers: OpenWriters | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._outages = outages or OutageLog()
        self._reader = reader
        self._shared = shared
        self._groups = groups
        self._writing = reader is None
        self._reading: ReadTransaction | None = None
        self._member: GroupMember | None = None
        self._writers = writers
        self._entered = False
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
        direct = None
        if self._reader is not None:
            # A read-only unit of work begins its transaction at once, so that the statements
            # every request runs can go straight to the driver (``direct.py``); the session
            # reads through the same connection, in the same snapshot, if it is used at all.
            try:
                if self._shared is not None:
                    direct = self._reading = self._shared.take()
                else:
                    direct = self._reading = ReadTransaction(self._reader)
            except BaseException as error:
                self._abandon(error)
            self.session = cast(Session, _SessionOnDemand(self._session_factory, direct))
        elif self._groups is not None:
            # SQLite: a savepoint in the transaction this process's writers share
            # (``writer_groups.py``); committing it returns once the group is durable.
            self._writer_session = _GroupWriterSession(self._session_factory, self._join)
            try:
                self._writer_session.begin()
            except BaseException as error:
                if self._member is not None:  # joined, but its savepoint failed: leave
                    with suppress(GroupCommitFailed):
                        self._member.finish(keep=False)
                self._abandon(error)
            self.session = cast(Session, self._writer_session)
        else:
            if self._writers is not None:
                self._writers.enter()
                self._entered = True
            self.session = self._session_factory()  # connects on first use: nothing to fail
        self.users = SqlAlchemyUserRepository(self.session, direct)
        self.products = SqlAlchemyProductRepository(self.session, direct)
        self.orders = SqlAlchemyOrderRepository(self.session, direct)
        self.sessions = SqlAlchemyLoginSessionRepository(self.session, direct)
        self.login_attempts = SqlAlchemyLoginAttemptRepository(self.session)
        self.idempotency = SqlAlchemyIdempotencyRepository(self.session)
        self.images = SqlAlchemyProductImageRepository(self.session)
        self.outbox = SqlAlchemyOutboxRepository(self.session)
        self.password_resets = SqlAlchemyPasswordResetRepository(self.session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls the transaction back too, but unlike rollback() it leaves the loaded
        # entities readable: use cases return them after the block.
        try:
            self._close(exc)
        finally:
            self._end_deadline()
            if self._entered:
                self._entered = False
                assert self._writers is not None
                self._writers.leave()
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
            try:
                self.session.close()  # a writer of a group: rolls back to its savepoint
            finally:
                if self._shared is not None and (exc is not None or passed):
                    self._shared.end()  # it may be broken: the next reader begins afresh
                elif self._reading is not None and self._shared is None:
                    self._reading.close()  # rolls the read-only transaction back
                if self._member is not None:
                    self._member.finish(keep=False)
        except GroupCommitFailed as failed:
            problem = problem or failed  # what this writer read may not have been kept
        except DeadlinePassed as passed:  # the rollback itself found no answer
            self._discard(passed)
            problem = problem or passed
        except Exception as error:  # a connection that broke cannot even roll back
            if not is_outage(error):
                raise
            problem = problem or error
        if problem is not None and (is_outage(problem) or isinstance(problem, GroupCommitFailed)):
            self._outages.failed(problem, writing=self._writing)
            raise StorageUnavailable() from problem
        self._outages.answered(writing=self._writing)

    def _discard(self, error: BaseException | None) -> None:
        """Drop this unit of work's connection, which a deadline caught waiting: it may be in
        the middle of a statement, and ending it would wait on the database again."""
        with suppress(Exception):  # SQLAlchemy may have dropped it already
            if self._reading is not None:
                self._reading.invalidate(error or DeadlinePassed())
            elif self._groups is None:
                self.session.invalidate()

    def commit(self) -> None:
        try:
            self.products.write_changes()
            self.session.commit()
        except StaleDataError as error:
            # A versioned row (a login session's generation) changed since we read it.
            raise ConcurrentUpdate() from error
        if self._member is not None:
            self._member.finish(keep=True)  # returns once the group's commit is durable

    def _join(self) -> Connection:
        assert self._groups is not None
        self._member = self._groups.join()
        return self._member.connection

    def rollback(self) -> None:
        self.session.rollback()

    def ping(self) -> None:
        _PING.rows(in_session(self.session, self._reading))


class OpenWriters:
    """The threads (a cooperative worker's greenlets) that have a writing unit of work open,
    on PostgreSQL; a second one opened in the same thread is refused at once.

    Writers of a worker used to take turns here, one in the database at a time, because every
    checkout wrote two rows every other checkout wrote too (the listing versions): queued in
    PostgreSQL they held connections while the head of the queue waited for the worker's loop.
    Since no such row is left (migration 0030) they run side by side and meet only where they
    lock the same product; measured on two workers, random products: 132 against 96 orders a
    second, one product: 160 against 87, tails shorter too. A nested writer would still wait
    for itself when it wants a row its outer writer has locked, so it is refused, as on SQLite.
    """

    def __init__(self) -> None:
        self._open: set[int] = set()

    def enter(self) -> None:
        me = threading.get_ident()
        if me in self._open:
            raise RuntimeError("a writing unit of work is already open in this thread")
        self._open.add(me)

    def leave(self) -> None:
        self._open.discard(threading.get_ident())


class _GroupWriterSession:
    """A grouped writer's session: a savepoint of its own on the driver, an ORM session only
    if something needs one.

    Placing an order sends all its statements straight to the driver (``direct.py``); an ORM
    session would only wrap them in its own savepoint, flush nothing and cost a third of the
    time the writer holds the write lock. So the writer's savepoint is begun and ended on the
    driver, and a session is made, bound to the same connection in a savepoint inside that
    one, the first time something asks for more than the connection.

    Once its work is committed, its next use joins a group again; the session and the
    entities it holds live on, and changes made after a commit belong to the next one, as in
    a unit of work of its own.

    An error may have rolled back the group's whole transaction, its savepoint with it
    (``writer_groups.py``): then it neither rolls back to nor releases a savepoint that is gone,
    and drops the connection, on which nothing more may run.
    """

    _SAVEPOINT = "webstore_writer"

    def __init__(self, factory: sessionmaker[Session], join: Callable[[], Connection]) -> None:
        self._factory = factory
        self._join = join
        self._session: Session | None = None
        self._connection: Connection | None = None
        self._adopted: list[object] = []  # written already; the session takes them if made
        self.stale = True  # no savepoint of this writer is open
        self.gone = False  # an error rolled back the group's transaction under its savepoint

    def begin(self) -> None:
        """Join a group and open this writer's savepoint in its transaction."""
        self._connection = self._join()
        if not holds_transaction(self._connection):
            # Outside a transaction SQLite would make the savepoint a transaction of its own,
            # committed by its RELEASE whatever became of the group.
            raise GroupCommitFailed("the group's transaction is gone")
        self._driver("SAVEPOINT")
        self.stale = False
        if self._session is not None:
            self._session.bind = self._connection

    def _driver(self, verb: str) -> None:
        assert self._connection is not None
        driver = self._connection.connection.driver_connection
        assert driver is not None
        driver.execute(f"{verb} {self._SAVEPOINT}")

    def _current(self) -> Connection:
        if self.gone:
            raise GroupCommitFailed("an error rolled back this writer's work")
        if self.stale:
            self.begin()
        assert self._connection is not None
        return self._connection

    def add(self, instance: object) -> None:
        """The session's ``add``; an entity that is already written (detached, as if loaded)
        waits for a session to be made, unless it changes."""
        if self._session is None and instance_state(instance).key is not None:
            self._adopted.append(instance)
        else:
            self._session_made().add(instance)

    # What ``in_session`` and the repositories ask of a session that holds nothing.
    @property
    def new(self) -> Any:
        return self._session.new if self._session is not None else ()

    @property
    def dirty(self) -> Any:
        if self._session is not None:
            return self._session.dirty
        return [each for each in self._adopted if instance_state(each).modified]

    @property
    def deleted(self) -> Any:
        return self._session.deleted if self._session is not None else ()

    @property
    def identity_map(self) -> Any:
        return self._session.identity_map if self._session is not None else {}

    def connection(self) -> Connection:
        connection = self._current()
        if self._session is not None:
            self._session.connection()  # its savepoint begins before what runs next
        return connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session_made(), name)

    def _session_made(self) -> Session:
        connection = self._current()
        if self._session is None:
            self._session = self._factory(bind=connection, join_transaction_mode="create_savepoint")
            self._session.add_all(self._adopted)
            self._adopted.clear()
        return self._session

    def commit(self) -> None:
        self._current()  # work after an earlier commit commits in a group of its own
        if self._session is None and self.dirty:
            self._session_made()  # an adopted entity changed: the session saves it
        if self._session is not None:
            self._session.commit()  # flushes, then releases its savepoint inside this one
        self._driver("RELEASE")
        self.stale = True

    def rollback(self) -> None:
        if self._lost():
            return
        if self._session is not None:
            self._session.rollback()
        if not self.stale:
            self._driver("ROLLBACK TO")  # the savepoint stays open for what follows

    def close(self) -> None:
        if self._lost():
            return
        try:
            if self._session is not None:
                self._session.close()
        finally:
            if not self.stale:
                self.stale = True
                self._driver("ROLLBACK TO")
                self._driver("RELEASE")

    def _lost(self) -> bool:
        """Whether the group's transaction is gone under this writer's open savepoint; if so,
        the connection is dropped (the session's own savepoint is gone too) and the group
        learns it when this writer finishes."""
        if self.stale or self._connection is None or holds_transaction(self._connection):
            return False
        self.stale = self.gone = True
        if self._session is not None:
            self._session.invalidate()  # invalidates the connection, emitting nothing
        else:
            self._connection.invalidate()
        return True


_PING = DirectRead(select(literal_column("1")), alone=True)


class _SessionOnDemand:
    """A read-only unit of work's session, made on first use and bound to its transaction.

    Most read-only units of work (authenticating a request, a listing served from a cache)
    only send statements straight to the driver: they never pay for a session.
    """

    def __init__(self, factory: sessionmaker[Session], reading: ReadTransaction) -> None:
        self._factory = factory
        self._reading = reading
        self._session: Session | None = None

    @property
    def identity_map(self) -> Any:
        return self._session.identity_map if self._session is not None else {}

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            self._session = self._factory(bind=self._reading.connection())
        return getattr(self._session, name)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


class _SharedReads:
    """The one read-only transaction of the readers of a ``shared_reads`` block."""

    def __init__(self, engine: Engine, deadlines: Deadlines | None = None) -> None:
        self._engine = engine
        self._deadlines = deadlines
        self._transaction: ReadTransaction | None = None

    def take(self) -> ReadTransaction:
        if self._transaction is None:
            self._transaction = ReadTransaction(self._engine)
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


class SqlAlchemyUnitOfWorkFactory:
    """Units of work over one engine; read-only ones run side by side on both databases."""

    def __init__(self, engine: Engine, deadlines: Deadlines | None = None) -> None:
        start_mappers()
        self.engine = engine
        # expire_on_commit=False: use cases hand entities back after the unit of work closed.
        self._writer = sessionmaker(engine, expire_on_commit=False)
        self._reader = engines.read_only(engine)
        self._outages = OutageLog()
        # SQLite has one write lock per database, and each commit waits for the disk. Writers
        # of one process take turns in a shared transaction instead, committed once for all of
        # them (``writer_groups.py``); only writers of other processes meet the lock.
        self._writer_groups = WriterGroups(engine) if engine.dialect.name == "sqlite" else None
        # SQLite's waits are bounded by its busy timeout, and its commits run off the worker's
        # loop, where no timer reaches them: deadlines are for a server that stops answering.
        self._deadlines = deadlines if engine.dialect.name == "postgresql" else None
        self._open_writers: OpenWriters | None = None
        self._shared_reads: ContextVar[_SharedReads | None] = ContextVar(
            f"webstore_shared_reads_{id(self)}", default=None
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        pool_size: int = 5,
        max_overflow: int = 10,
        timeout: int | None = None,
        deadlines: Deadlines | None = None,
    ) -> SqlAlchemyUnitOfWorkFactory:
        """Units of work over ``url``; ``timeout`` and ``deadlines`` as ``create_engine`` and
        ``deadlines.py`` describe them."""
        engine = engines.create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, timeout=timeout
        )
        return cls(engine, deadlines)

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        shared = self._shared_reads.get()
        if read_only:
            return SqlAlchemyUnitOfWork(
                self._writer,
                self._outages,
                reader=self._reader,
                shared=shared,
                deadlines=self._deadlines,
            )
        if shared is not None:
            shared.end()  # readers after this writer see what it wrote
        return SqlAlchemyUnitOfWork(
            self._writer,
            self._outages,
            groups=self._writer_groups,
            writers=self._writers(),
            deadlines=self._deadlines,
        )

    def _writers(self) -> OpenWriters | None:
        if self._writer_groups is not None or not cooperative():
            return None  # SQLite's groups refuse nested writers; threads run side by side
        if self._open_writers is None:
            self._open_writers = OpenWriters()  # made in the worker, once gevent has patched it
        return self._open_writers

    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within the block, this thread's read-only units of work share one transaction.

        One snapshot and one connection for, say, authenticating a request and listing what
        it asks for, instead of one each. A writing unit of work ends the shared transaction,
        so that readers after it see what it wrote; so does a reader that fails.
        """
        if self._shared_reads.get() is not None:
            yield  # already inside such a block: its transaction is this one's
            return
        shared = _SharedReads(self._reader, self._deadlines)
        token = self._shared_reads.set(shared)
        try:
            yield
        finally:
            self._shared_reads.reset(token)
            shared.end()

    def dispose(self) -> None:
        """Close every pooled connection (tests, and processes that are about to exit)."""
        self.engine.dispose()
