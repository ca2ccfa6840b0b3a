"""What every way of holding a unit of work's transaction offers it (the strategies).

A unit of work (``work.py``) holds its transaction in one of three ways, chosen by its factory:
a read-only one reads through a ``ReadTransaction`` (``reads.py``), an SQLite writer joins its
process's group of writers (``grouped.py``), any other writer has a session of its own
(``plain.py``). Each hands the repositories a ``SqlSession`` (``sessions.py``); the unit of work
does the rest the same way for all: deadlines, outages, and the errors it turns into the
application's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from typing import Any, overload

from sqlalchemy.engine import Connection, Engine, Result
from sqlalchemy.engine.result import ScalarResult
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import Executable
from sqlalchemy.sql.selectable import TypedReturnsRows

from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.sessions import (
    Columns,
    Entity,
    HeldEntities,
    Parameters,
    SqlSession,
    T,
)


class Transaction(ABC):
    """How one unit of work holds its transaction, from ``begin`` to ``end``."""

    writing = True  # which of the outage log's counts its failures go to
    sends_last_writes_together = False  # in one round trip, with its COMMIT (``last_writes.py``)
    session: SqlSession  # the repositories', once begun
    reading: ReadTransaction | None = None  # a read-only one's: where direct statements go

    @abstractmethod
    def begin(self) -> None:
        """Take what the transaction needs (a connection, a turn); what it raises says why
        not, having given back whatever it took."""

    @abstractmethod
    def commit(self) -> None:
        """Commit the session's work; returns once it is durable."""

    @abstractmethod
    def rollback(self) -> None:
        """Undo the session's work; the transaction goes on."""

    @abstractmethod
    def end(self, *, failed: bool) -> None:
        """Close the session, rolling back what was not committed, and end the transaction.
        ``failed``: the block raised, or its deadline passed."""

    @abstractmethod
    def discard(self, error: BaseException | None) -> None:
        """Drop the connection, which a deadline caught waiting (it may be mid-statement)."""


class SessionOnDemand(ABC):
    """A ``SqlSession`` whose SQLAlchemy ``Session`` is made the first time something needs
    more than the connection (``made``); what holds nothing answers without making one."""

    def __init__(self) -> None:
        self._session: Session | None = None

    @abstractmethod
    def made(self) -> Session:
        """The session, made now if it was not."""

    @overload
    def execute(
        self, statement: TypedReturnsRows[*Columns], params: Parameters | None = None
    ) -> Result[*Columns]: ...
    @overload
    def execute(
        self, statement: Executable, params: Parameters | None = None
    ) -> Result[*tuple[Any, ...]]: ...
    def execute(
        self, statement: Executable, params: Parameters | None = None
    ) -> Result[*tuple[Any, ...]]:
        return self.made().execute(statement, params)

    @overload
    def scalars(
        self, statement: TypedReturnsRows[T], params: Parameters | None = None
    ) -> ScalarResult[T]: ...
    @overload
    def scalars(
        self, statement: Executable, params: Parameters | None = None
    ) -> ScalarResult[Any]: ...
    def scalars(self, statement: Executable, params: Parameters | None = None) -> ScalarResult[Any]:
        return self.made().scalars(statement, params)

    def get(
        self,
        entity: type[Entity],
        ident: Any,
        *,
        populate_existing: bool | None = None,
        with_for_update: bool | dict[str, Any] | None = None,
    ) -> Entity | None:
        return self.made().get(
            entity, ident, populate_existing=populate_existing, with_for_update=with_for_update
        )

    def add(self, instance: object) -> None:
        self.made().add(instance)

    def flush(self) -> None:
        self.made().flush()

    def begin_nested(self) -> SessionTransaction:
        return self.made().begin_nested()

    def get_bind(self) -> Engine | Connection:
        return self.made().get_bind()

    def connection(self) -> Connection:
        return self.made().connection()

    @property
    def identity_map(self) -> HeldEntities:
        return self._session.identity_map if self._session is not None else {}

    @property
    def new(self) -> Collection[object]:
        return self._session.new if self._session is not None else ()

    @property
    def dirty(self) -> Collection[object]:
        return self._session.dirty if self._session is not None else ()

    @property
    def deleted(self) -> Collection[object]:
        return self._session.deleted if self._session is not None else ()

    def commit(self) -> None:
        self.made().commit()

    def rollback(self) -> None:
        self.made().rollback()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
