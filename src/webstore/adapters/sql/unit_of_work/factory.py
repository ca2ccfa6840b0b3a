"""Units of work over one engine, each holding its transaction the way that suits it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from webstore.adapters.sql import engine as engines
from webstore.adapters.sql.orm import start_mappers
from webstore.adapters.sql.runtime.availability import OutageLog
from webstore.adapters.sql.runtime.deadlines import Deadlines, GeventDeadlines
from webstore.adapters.sql.runtime.writer_groups import WriterGroups
from webstore.adapters.sql.unit_of_work.grouped import GroupedWrite
from webstore.adapters.sql.unit_of_work.plain import OpenWriters, PlainWrite
from webstore.adapters.sql.unit_of_work.reads import OwnRead, SharedRead, SharedReads
from webstore.adapters.sql.unit_of_work.transaction import Transaction
from webstore.adapters.sql.unit_of_work.work import SqlAlchemyUnitOfWork
from webstore.concurrency import Concurrency


class SqlAlchemyUnitOfWorkFactory:
    """Units of work over one engine; read-only ones run side by side on both databases.

    ``concurrency`` is how the process serves requests (``Concurrency``): a cooperative worker
    keeps a SQLite reader between its greenlets, commits SQLite's groups off its loop, and
    refuses a PostgreSQL writer nested in another of the same greenlet.
    """

    def __init__(
        self,
        engine: Engine,
        deadlines: Deadlines | None = None,
        *,
        concurrency: Concurrency = Concurrency.THREADS,
    ) -> None:
        start_mappers()
        self.engine = engine
        self.concurrency = concurrency
        # expire_on_commit=False: use cases hand entities back after the unit of work closed.
        self._writer = sessionmaker(engine, expire_on_commit=False)
        self._reader = engines.read_only(engine)
        self._outages = OutageLog()
        sqlite = engine.dialect.name == "sqlite"
        # SQLite has one write lock per database, and each commit waits for the disk. Writers
        # of one process take turns in a shared transaction instead, committed once for all of
        # them (``writer_groups.py``); only writers of other processes meet the lock.
        self._writer_groups = WriterGroups(engine, concurrency=concurrency) if sqlite else None
        # SQLite's waits are bounded by its busy timeout, and its commits run off the worker's
        # loop, where no timer reaches them: deadlines are for a server that stops answering.
        self._deadlines = deadlines if engine.dialect.name == "postgresql" else None
        # SQLite's groups refuse nested writers themselves; threads run side by side.
        cooperative = concurrency is Concurrency.COOPERATIVE
        self._open_writers = OpenWriters() if cooperative and not sqlite else None
        self._shared_reads: ContextVar[SharedReads | None] = ContextVar(
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
        concurrency: Concurrency = Concurrency.THREADS,
    ) -> SqlAlchemyUnitOfWorkFactory:
        """Units of work over ``url``; ``timeout`` as ``create_engine`` describes it. In a
        cooperative (gevent) worker each unit of work also has ``timeout`` seconds in all, cut
        short wherever it waits on the database (``deadlines.py``)."""
        engine = engines.create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, timeout=timeout
        )
        cooperative = concurrency is Concurrency.COOPERATIVE
        deadlines = GeventDeadlines(timeout) if cooperative and timeout is not None else None
        return cls(engine, deadlines, concurrency=concurrency)

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._transaction(read_only), self._outages, self._deadlines)

    def _transaction(self, read_only: bool) -> Transaction:
        shared = self._shared_reads.get()
        if read_only:
            if shared is not None:
                return SharedRead(self._writer, shared)
            return OwnRead(self._writer, self._reader, self.concurrency)
        if shared is not None:
            shared.end()  # readers after this writer see what it wrote
        if self._writer_groups is not None:
            return GroupedWrite(self._writer, self._writer_groups)
        return PlainWrite(self._writer, self._open_writers)

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
        shared = SharedReads(self._reader, self._deadlines, self.concurrency)
        token = self._shared_reads.set(shared)
        try:
            yield
        finally:
            self._shared_reads.reset(token)
            shared.end()

    def dispose(self) -> None:
        """Close every pooled connection (tests, and processes that are about to exit)."""
        self.engine.dispose()
