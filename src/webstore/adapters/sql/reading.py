"""The transaction of a read-only unit of work, begun on the driver where that is cheaper.

Every request opens at least one read-only unit of work (to authenticate it), and most need no
more of it than a statement or two sent straight to the driver (``direct.py``). On SQLite, a
``ReadTransaction`` therefore begins on a pooled DBAPI connection itself, and wraps it in a
SQLAlchemy ``Connection`` (for the ORM session) only when something asks for one: the same
connection and transaction, so everything the unit of work reads is one snapshot. On PostgreSQL
it takes a ``Connection`` from the start, which applies the read-only engine's isolation level
and read-only flag to the connection, and restores them when it goes back to the pool.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.pool import PoolProxiedConnection

from webstore.adapters.sql import engine as engines


class ReadTransaction:
    def __init__(self, engine: Engine) -> None:
        """Begin reading through ``engine`` (``engines.read_only``); ``close`` ends it."""
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        self._connection: Connection | None = None
        if self.dialect.name == "sqlite":
            self.pooled: PoolProxiedConnection = engine.raw_connection()
            try:
                engines.begin_on_driver(self.pooled, read_only=True)
            except BaseException:
                self.pooled.close()
                raise
        else:
            self._connection = engine.connect()
            try:
                self._connection.begin()
            except BaseException:
                self._connection.close()
                raise
            self.pooled = self._connection.connection

    @property
    def opened(self) -> Connection | None:
        """The SQLAlchemy connection, if one was asked for (cursor events get it)."""
        return self._connection

    def connection(self) -> Connection:
        """A SQLAlchemy ``Connection`` in this very transaction."""
        if self._connection is None:
            self._connection = Connection(self.engine, connection=self.pooled)
            # SQLAlchemy's begin, which sends nothing: the driver is in the transaction already.
            self.pooled.info[engines.BEGUN_ON_DRIVER] = True
            self._connection.begin()
        return self._connection

    def invalidate(self, error: BaseException) -> None:
        """The connection broke: it is discarded instead of going back to the pool."""
        if self._connection is not None:
            self._connection.invalidate(error)
        else:
            self.pooled.invalidate(error)

    def close(self) -> None:
        """Roll back and give the connection back to the pool."""
        self.pooled.info.pop(engines.BEGUN_ON_DRIVER, None)
        if self._connection is not None:
            self._connection.close()
        else:
            self.pooled.close()  # the pool rolls back a connection given back to it
