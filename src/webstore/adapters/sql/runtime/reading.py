"""The transaction of a read-only unit of work, begun on the driver where that is cheaper.

Every request opens at least one read-only unit of work (to authenticate it), and most need no
more of it than a statement or two sent straight to the driver (``direct.py``). On SQLite, a
``ReadTransaction`` therefore begins on a pooled DBAPI connection itself, and wraps it in a
SQLAlchemy ``Connection`` (for the ORM session) only when something asks for one: the same
connection and transaction, so everything the unit of work reads is one snapshot. On PostgreSQL
it takes a ``Connection`` in autocommit mode and begins no transaction until a statement needs
one: a statement that stands alone (a login session's lookup, a listing's version with the
stock of its page) is its own snapshot, and most requests send nothing else, so they save
BEGIN and ROLLBACK, two of their four round trips. The first statement that does not stand
alone begins a REPEATABLE READ READ ONLY transaction, and everything read after it is one
snapshot, as before. In a cooperative worker it takes that connection only when a statement
needs it: the statements that stand alone go in the worker's read groups (``read_groups.py``),
so a request that sends nothing else takes no connection of its own.

A read transaction also keeps the rows of reusable reads (``reuse.py``): its own, or on a
connection a worker keeps, the connection's, while nothing was committed since they were read.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, column, text
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.pool import Pool, PoolProxiedConnection

from webstore.adapters.sql import engine as engines
from webstore.adapters.sql.runtime.direct import DirectRead
from webstore.adapters.sql.runtime.read_groups import ReadGroups, read_groups
from webstore.concurrency import Concurrency

if TYPE_CHECKING:
    from webstore.adapters.sql.runtime.reuse import ReusableRead, Rows

# Rows of reusable reads a kept connection holds at most (a login session's, a listing's
# state: under a kilobyte each); past that they are all dropped, and read again as needed.
REUSED_ROWS = 4096
_DATA_VERSION = DirectRead(
    text("PRAGMA data_version").columns(column("data_version", Integer)), alone=True
)


class _KeptReader:
    """A pooled SQLite connection that a cooperative worker keeps for its read transactions.

    Every request reads (its login session, a listing's version), and taking a connection from
    SQLAlchemy's pool and giving it back costs more than those reads: under gevent the pool's
    queue runs on gevent's locks, written in Python. A worker's greenlets share one thread and a
    SQLite read never yields to another greenlet, so one kept connection serves them one after
    another; a read transaction that finds it in use (one that waits on something) takes one
    from the pool as before.
    """

    def __init__(self, pool: Pool, pooled: PoolProxiedConnection) -> None:
        self.pid = os.getpid()
        self.pool = pool
        self.pooled = pooled
        self.in_use = False
        # Rows of reusable reads, as of ``data_version``: this connection only reads, so the
        # number moves exactly when another connection (of any process) has committed.
        self.reused: dict[Hashable, Rows] = {}
        self.data_version: int | None = None

    def reused_at(self, data_version: int) -> dict[Hashable, Rows]:
        """The rows kept, if the database is as when they were read; else none, from now."""
        if data_version != self.data_version or len(self.reused) >= REUSED_ROWS:
            self.reused = {}
            self.data_version = data_version
        return self.reused


_kept: dict[int, _KeptReader] = {}  # by id of the pool


def _kept_reader(engine: Engine, concurrency: Concurrency) -> _KeptReader | None:
    """The kept connection of ``engine``'s pool, if this worker keeps one and it is free."""
    if concurrency is Concurrency.THREADS:
        return None  # threads would share it: the pool serves them, as everywhere else
    kept = _kept.get(id(engine.pool))
    if kept is None or kept.pid != os.getpid() or kept.pool is not engine.pool:
        kept = _kept[id(engine.pool)] = _KeptReader(engine.pool, engine.raw_connection())
    if kept.in_use:
        return None
    kept.in_use = True
    return kept


def _forget(kept: _KeptReader) -> None:
    if _kept.get(id(kept.pool)) is kept:
        del _kept[id(kept.pool)]


class ReadTransaction:
    def __init__(self, engine: Engine, concurrency: Concurrency = Concurrency.THREADS) -> None:
        """Begin reading through ``engine`` (``engines.read_only``); ``close`` ends it. A
        cooperative worker reads SQLite through the connection it keeps (``_KeptReader``)."""
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        self._connection: Connection | None = None
        self._pooled: PoolProxiedConnection | None = None
        self._kept: _KeptReader | None = None
        if self.dialect.name == "sqlite":
            self._kept = _kept_reader(engine, concurrency)
            pooled = self._kept.pooled if self._kept is not None else engine.raw_connection()
            self._pooled = pooled
            try:
                engines.begin_on_driver(pooled, read_only=True)
            except BaseException:
                self._give_up_kept()
                pooled.close()
                raise
        # On PostgreSQL, a cooperative worker's reads that stand alone go in groups
        # (``read_groups.py``): the connection is taken when something else needs it.
        self._groups: ReadGroups | None = None
        if self.dialect.name != "sqlite":
            if concurrency is Concurrency.COOPERATIVE:
                self._groups = read_groups(engine)
            else:
                self._connect()
        self._begun = self.dialect.name == "sqlite"  # SQLite's began above
        # A read to send with the next one (``reuse.py``), and the rows of reusable reads.
        self.ahead: tuple[ReusableRead, dict[str, Any]] | None = None
        self.read_ahead: dict[Hashable, Rows] = {}
        self._reused: dict[Hashable, Rows] | None = None

    def _connect(self) -> PoolProxiedConnection:
        connection = self.engine.connect()  # autocommit (``engines.read_only``)
        try:
            connection.begin()  # SQLAlchemy's own: sends nothing in autocommit
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        self._pooled = connection.connection
        return self._pooled

    @property
    def pooled(self) -> PoolProxiedConnection:
        """The pooled connection, taken now on PostgreSQL if it was not yet."""
        pooled = self._pooled
        return pooled if pooled is not None else self._connect()

    def read_group(self) -> ReadGroups | None:
        """Where a read that stands alone goes, while this transaction holds no connection."""
        if self._pooled is not None or self._groups is None:
            return None
        dispatch = self.engine.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            return None  # listeners see each statement on its transaction's connection
        return self._groups

    def reused(self) -> dict[Hashable, Rows] | None:
        """The rows of reusable reads that hold in this transaction (see ``reuse.py``); none
        on PostgreSQL, whose reads without a transaction are each a snapshot of their own."""
        if self.dialect.name != "sqlite":
            return None
        if self._reused is None:
            kept = self._kept
            dispatch = self.engine.dispatch
            watched = dispatch.before_cursor_execute or dispatch.after_cursor_execute
            if kept is not None and self._connection is None and not watched:
                # The number of the snapshot this transaction reads (it begins it if need be).
                [(data_version,)] = _DATA_VERSION.rows(self)
                self._reused = kept.reused_at(data_version)
            else:
                self._reused = {}
        return self._reused

    def snapshot(self) -> None:
        """Make what is read from now on one snapshot: on PostgreSQL, begin the transaction
        unless it has begun (errors are SQLAlchemy's, as for any statement)."""
        if not self._begun:
            if self._connection is None:
                self._connect()
            assert self._connection is not None
            self._connection.exec_driver_sql(engines.PG_READ_SNAPSHOT)
            self._begun = True

    @property
    def opened(self) -> Connection | None:
        """The SQLAlchemy connection, if one was asked for (cursor events get it); on
        PostgreSQL, taken now if it was not yet."""
        if self._connection is None and self._groups is not None:
            self._connect()
        return self._connection

    def connection(self) -> Connection:
        """A SQLAlchemy ``Connection`` in this very transaction."""
        self.snapshot()
        if self._connection is None:
            # Closing the Connection gives the DBAPI connection back to the pool: a kept one
            # is no longer kept (the next read transaction keeps another).
            self._give_up_kept()
            self._connection = Connection(self.engine, connection=self.pooled)
            # SQLAlchemy's begin, which sends nothing: the driver is in the transaction already.
            self.pooled.info[engines.BEGUN_ON_DRIVER] = True
            self._connection.begin()
        return self._connection

    def invalidate(self, error: BaseException) -> None:
        """The connection broke: it is discarded instead of going back to the pool."""
        self._give_up_kept()
        if self._connection is not None:
            self._connection.invalidate(error)
        elif self._pooled is not None:
            self._pooled.invalidate(error)

    def close(self) -> None:
        """Roll back and give the connection back to the pool (or to the worker keeping it)."""
        if self._pooled is None:
            return  # its reads all went in groups: it never took a connection
        self._pooled.info.pop(engines.BEGUN_ON_DRIVER, None)
        if self._connection is not None:
            try:
                # Ended before the pool puts the connection back as it was; unless a statement
                # found it broken, and SQLAlchemy has dropped it (and its transaction) already.
                if self._begun and not self._connection.invalidated:
                    driver = self.pooled.driver_connection
                    assert driver is not None
                    driver.rollback()
            finally:
                self._connection.close()
        elif self._kept is not None:
            kept, self._kept = self._kept, None
            try:
                driver = self.pooled.driver_connection
                assert driver is not None
                driver.rollback()
            except BaseException:
                _forget(kept)
                self.pooled.close()  # the pool rolls back, or discards, what it gets back
                raise
            kept.in_use = False
        else:
            self.pooled.close()  # the pool rolls back a connection given back to it

    def _give_up_kept(self) -> None:
        """This transaction's connection goes back to the pool when it ends, not to the worker."""
        if self._kept is not None:
            _forget(self._kept)
            self._kept = None
