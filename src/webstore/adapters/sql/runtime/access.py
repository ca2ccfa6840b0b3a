"""Where a direct statement runs (``direct.py``): a pooled DBAPI connection in a transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.pool import PoolProxiedConnection

from webstore.adapters.sql.sessions import SqlSession as Session

if TYPE_CHECKING:
    from webstore.adapters.sql.runtime.read_groups import ReadGroups


class DriverAccess(Protocol):
    """What a ``DirectRead`` runs on: a pooled DBAPI connection in a transaction."""

    engine: Engine
    dialect: Dialect

    @property
    def pooled(self) -> PoolProxiedConnection:
        """The pooled connection statements run on."""

    @property
    def opened(self) -> Connection | None:
        """The SQLAlchemy connection in this transaction, if one was made."""

    def connection(self) -> Connection:
        """A SQLAlchemy connection in this very transaction (made if need be)."""

    def invalidate(self, error: BaseException) -> None: ...

    def snapshot(self) -> None:
        """Make what is read from now on one snapshot (begin the transaction if need be)."""

    def read_group(self) -> ReadGroups | None:
        """Where a statement that stands alone may be sent with others' (``read_groups.py``)."""


class InConnection:
    """The driver connection under a SQLAlchemy ``Connection``, in its transaction."""

    def __init__(self, connection: Connection) -> None:
        self.opened = connection
        self.engine = connection.engine
        self.dialect = connection.dialect
        self.pooled = connection.connection

    def connection(self) -> Connection:
        return self.opened

    def invalidate(self, error: BaseException) -> None:
        self.opened.invalidate(error)

    def snapshot(self) -> None:
        pass  # a SQLAlchemy connection's transaction has begun with its first statement

    def read_group(self) -> ReadGroups | None:
        return None  # its statements run in its transaction


def in_session(session: Session, direct: DriverAccess | None) -> DriverAccess:
    """Where a direct statement runs: a read-only unit of work's transaction when given, else
    the session's own transaction, once whatever the session holds unsaved is written."""
    if direct is not None:
        return direct
    if session.new or session.dirty or session.deleted:
        session.flush()
    return InConnection(session.connection())
