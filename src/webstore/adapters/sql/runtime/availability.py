"""Telling a database outage from a bug, and logging each outage once rather than per request."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from sqlalchemy import exc

from webstore.adapters.sql.runtime.deadlines import DeadlinePassed

log = logging.getLogger("webstore.database")

# SQLite reports both outages and mistakes as OperationalError; these are the outages: another
# connection holds the lock past the busy timeout, the file cannot be opened, read or written.
_SQLITE_OUTAGES = ("locked", "busy", "unable to open", "disk i/o", "readonly database", "full")
# PostgreSQL ended the session: a connection exception (08), an operator's or a crash's
# shutdown (57P), an idle-in-transaction timeout (25P03, which psycopg raises as InternalError).
_POSTGRES_SESSION_ENDED = ("08", "57P", "25P03")


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached now, rather than a bug of ours."""
    original = error.orig if isinstance(error, exc.DBAPIError) else error
    if isinstance(original, sqlite3.IntegrityError):
        # A rule of the database refused the write (a constraint, a trigger's RAISE), even if
        # SQLite dropped the transaction, and the connection with it, for it: not an outage.
        return False
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError) or _after_deadline(error):
        return True  # no pooled connection came free in time; a connection dropped; no answer
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(original, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_POSTGRES_SESSION_ENDED):
        return True
    if isinstance(original, sqlite3.OperationalError):
        return any(sign in str(original).lower() for sign in _SQLITE_OUTAGES)
    # psycopg's OperationalError: the server is down, restarting, refusing or unreachable
    # (also a deadlock or a serialization failure: transient as well, worth a retry).
    return isinstance(error, exc.OperationalError | exc.InterfaceError)


def _after_deadline(error: BaseException) -> bool:
    return _deadline_behind(error) is not None


def _deadline_behind(error: BaseException) -> DeadlinePassed | None:
    """The passed deadline ``error`` is, or was raised while handling.

    Code cleaning up after an interrupted wait may fail in turn (SQLAlchemy's pre-ping resets
    the connection's autocommit, which psycopg refuses mid-statement): the cause is the same.
    """
    seen: BaseException | None = error
    for _ in range(10):  # a chain is short; this also stops on a cycle
        if seen is None or isinstance(seen, DeadlinePassed):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class OutageLog:
    """One line when the database becomes unreachable, one when it answers again (per process).

    Readers may go on while writers fail (SQLite locked by another writer): only a writer that
    succeeds ends an outage seen by a writer, while any success ends one seen by a reader.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None
        self._writers_only = False

    def failed(self, error: BaseException, *, writing: bool) -> None:
        with self._lock:
            first = self._since is None
            if first:
                self._since, self._writers_only = time.monotonic(), writing
            else:
                self._writers_only = self._writers_only and writing
        if first:
            cause = _deadline_behind(error) or getattr(error, "orig", None) or error
            lines = str(cause).strip().splitlines()
            reason = lines[0] if lines else type(error).__name__
            log.error("database unavailable, answering 503 until it is back: %s", reason)

    def answered(self, *, writing: bool) -> None:
        if self._since is None:  # the usual case: no lock taken
            return
        with self._lock:
            if self._since is None or (self._writers_only and not writing):
                return
            since, self._since = self._since, None
        log.warning("database available again after %.1f s", time.monotonic() - since)
