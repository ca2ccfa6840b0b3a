"""Engines per dialect: SQLite tuned for several processes, PostgreSQL with a pool."""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext, make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from webstore.application.errors import ConfigurationError

SQLITE_BUSY_TIMEOUT = 30.0  # seconds a writer waits for the write lock before giving up
CONNECT_TIMEOUT = 5  # seconds PostgreSQL has to accept a new connection (``_with_timeouts``)
READ_ONLY = "webstore_read_only"  # execution option of the engine that read-only work uses
BEGUN_ON_DRIVER = "webstore_begun_on_driver"  # a pooled connection's transaction is begun
_SYNCHRONOUS_FULL, _SYNCHRONOUS_EXTRA = 2, 3  # what ``PRAGMA synchronous`` reports


def create_engine(
    url: str | URL, *, pool_size: int = 5, max_overflow: int = 10, timeout: int | None = None
) -> Engine:
    """An engine for ``url``; ``postgresql://`` means psycopg 3, the driver we ship.

    ``timeout`` (seconds, PostgreSQL) bounds each statement, each transaction left idle and
    each wait for a pooled connection; without it (migrations, which may build an index for
    minutes) none of them is bounded.
    """
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # their messages repeat the URL, password and all
        raise ConfigurationError("WEBSTORE_DATABASE_URL is not a valid database URL.") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool_size, max_overflow)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(
        _with_timeouts(parsed, timeout),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=timeout if timeout is not None else 30,  # 30: SQLAlchemy's default
        hide_parameters=True,  # errors and logs never show the values (hashes, tokens)
    )
    _ping_when_idle(engine)
    return engine


# A pooled connection idle longer than this is pinged before it is handed out again.
IDLE_BEFORE_PING = 1.0  # seconds
_IDLE_SINCE = "webstore_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    """``pool_pre_ping``, for connections that have been idle a while only.

    A ping is a round trip: under load it was a tenth of a kept listing's cost, for a connection
    used a moment ago. One idle for over a second (a server restart, a network cut) is pinged
    as before; one that fails is replaced by a fresh connection (the pool's documented answer
    to ``DisconnectionError`` from a checkout listener), and if that fails too the request
    hears of the outage (503).
    """
    dialect = engine.dialect

    def used_now(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < IDLE_BEFORE_PING:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise sa.exc.DisconnectionError(str(error)) from error

    event.listen(engine.pool, "connect", used_now)
    event.listen(engine.pool, "checkin", used_now)
    event.listen(engine.pool, "checkout", ping_if_idle)


# A listing takes several statements (a page of orders, then their lines, then a count); under
# PostgreSQL's default READ COMMITTED each would see the orders committed meanwhile, and lines
# would be read for a page that had moved. REPEATABLE READ gives the whole transaction one
# snapshot; a read-only one never fails to serialize and takes no more locks.
PG_READ_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


def _with_timeouts(url: URL, timeout: int | None) -> URL:
    """``url`` with libpq's ``connect_timeout`` and PostgreSQL's timeouts (when given).

    A server that accepts connections but never answers would otherwise keep a new connection
    waiting forever: a healthy one answers within milliseconds, and 5 seconds allow for two
    lost SYN packets. A statement running past ``timeout`` is cancelled by PostgreSQL itself,
    which also ends the work of one whose client gave up; so is a transaction left idle that
    long, whose client may be gone without PostgreSQL hearing of it (a connection dropped by a
    deadline, or by the network), lest its locks stop every order of a product for the hours
    TCP takes to notice. What the URL sets itself is kept: its options come after ours, and
    the last one given wins.
    """
    values = dict(url.query)
    if "connect_timeout" not in values:
        seconds = CONNECT_TIMEOUT if timeout is None else min(CONNECT_TIMEOUT, timeout)
        values["connect_timeout"] = str(max(seconds, 2))  # libpq counts less than 2 as 2
    if timeout is not None:
        given = values.get("options")
        milliseconds = timeout * 1000
        options = [
            f"-c statement_timeout={milliseconds}",
            f"-c idle_in_transaction_session_timeout={milliseconds}",
        ]
        options += [given] if isinstance(given, str) else list(given or ())
        values["options"] = " ".join(options)
    return url.set(query=values)


def read_only(engine: Engine) -> Engine:
    """The same pool, for units of work that only read, each one consistent snapshot.

    On PostgreSQL its connections are in autocommit mode: a read transaction begins
    ``PG_READ_SNAPSHOT`` itself, before the first statement that does not stand alone
    (``reading.py``). SQLite's deferred read transaction is one snapshot already (WAL).
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine.execution_options(**{READ_ONLY: True})


def _sqlite_engine(url: URL, pool_size: int, max_overflow: int) -> Engine:
    pool: dict[str, Any] = {}
    if url.database not in (None, "", ":memory:"):
        pool = {"pool_size": pool_size, "max_overflow": max_overflow}
        _create_private(url.database)
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, hide_parameters=True, **pool
    )
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    event.listen(engine, "handle_error", _on_sqlite_error)
    return engine


def require_durable_commits(engine: Engine) -> None:
    """Refuse an SQLite engine whose connections do not wait for the disk at each commit.

    ``ConfigurationError`` in one line unless a new connection reports ``synchronous`` FULL
    (or EXTRA); PostgreSQL's commits are durable unless its server is told otherwise.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:  # no transaction: nothing is locked
        driver = connection.connection.driver_connection
        assert driver is not None
        reported = driver.execute("PRAGMA synchronous").fetchone()
    level = reported[0] if reported else -1  # no row: a build without the pragma
    if level not in (_SYNCHRONOUS_FULL, _SYNCHRONOUS_EXTRA):
        name = {0: "OFF", 1: "NORMAL"}.get(level, "unknown")
        raise ConfigurationError(
            f"database: SQLite connections report synchronous={name}, not FULL:"
            " a commit that was answered could be lost in a power cut"
        )


def _create_private(path: str) -> None:
    """Create a missing database file readable and writable by its owner only.

    It holds password hashes and customers' addresses. SQLite gives the ``-wal`` and ``-shm``
    files it creates beside it the database file's own mode, so they are private too.
    """
    if path.startswith("file:"):
        return  # a URI filename: SQLite parses it, and creates the file, itself
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # e.g. no such directory: connecting reports it, as SQLite words it


def _on_sqlite_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # pysqlite would BEGIN only before the first write, too late to take the write lock up front
    # (and its implicit COMMITs break SAVEPOINTs); we emit BEGIN ourselves, as the
    # SQLAlchemy docs' "pysqlite serializable" recipe does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    _use_wal(cursor)
    # Every commit waits until the disk has it: an order that was answered survives a power
    # cut. Set, not assumed: a build of SQLite may default to NORMAL in WAL mode.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """WAL: readers never wait for the writer, and the writer never waits for readers.

    The mode is kept in the file, so only the first connection to a new database switches it;
    switching needs a lock that SQLite does not wait for, hence the short retry when several
    processes open a new database at once.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
    while cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _on_sqlite_error(context: ExceptionContext) -> None:
    """Drop a connection whose transaction SQLite ended on its own, as a broken one.

    Some errors roll back the whole transaction, not just the statement (a full disk or
    database, an I/O error, a trigger's ``RAISE(ROLLBACK)``). Nothing more may run on that
    connection: SQLAlchemy's rollback to a savepoint would fail and hide the error, and a
    savepoint begun now would be a transaction of its own (``writer_groups.py``).
    """
    connection = context.connection
    if context.is_disconnect or connection is None or connection.closed or connection.invalidated:
        return
    driver = connection.connection.driver_connection
    if connection.in_transaction() and driver is not None and not driver.in_transaction:
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False  # the pool's other connections are fine


def _on_sqlite_begin(connection: Connection) -> None:
    read_only = bool(connection.get_execution_options().get(READ_ONLY))
    pooled = connection.connection  # the pooled DBAPI connection; its info lives as long
    driver = pooled.driver_connection
    assert driver is not None
    if pooled.info.pop(BEGUN_ON_DRIVER, False):
        return  # a read-only transaction begun on the driver itself (``reading.py``)
    begin_on_driver(pooled, read_only=read_only)


def begin_on_driver(pooled: PoolProxiedConnection, *, read_only: bool) -> None:
    """Begin a transaction on a pooled SQLite connection, as SQLAlchemy's ``begin`` would here.

    Straight to the driver: this runs before every transaction, and SQLAlchemy's execution
    path would triple its cost on the hot path of every request.
    """
    driver = pooled.driver_connection
    assert driver is not None
    if pooled.info.get(READ_ONLY) != read_only:
        # query_only makes a write in a read-only unit of work fail at once, as PostgreSQL's
        # READ ONLY transactions do, instead of failing "database is locked" only under
        # contention.
        driver.execute(f"PRAGMA query_only = {int(read_only)}")
        pooled.info[READ_ONLY] = read_only
    # IMMEDIATE takes the write lock at BEGIN, waiting up to the busy timeout for it: a writer
    # that began deferred and read first could not wait later, and would fail "database is
    # locked" instead. Readers begin deferred and run side by side.
    if read_only:
        driver.execute("BEGIN DEFERRED")
    else:
        _begin_immediate(driver)


def _begin_immediate(driver: Any) -> None:
    """BEGIN IMMEDIATE, polling every millisecond while another process holds the write lock.

    SQLite's own busy handler sleeps in growing steps (up to 100 ms) inside the C library: a
    writer of another process that keeps finding the lock taken falls further behind each time,
    and a cooperative worker could serve nobody while it slept. A short Python sleep is both
    prompt and, under gevent, cooperative.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorname != "SQLITE_BUSY" or time.monotonic() > deadline:
                    raise
            time.sleep(0.001)
    finally:
        driver.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
