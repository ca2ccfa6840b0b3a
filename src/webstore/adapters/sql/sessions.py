"""What the repositories may call on their session: one typed interface for every kind of it.

A unit of work hands its repositories a SQLAlchemy ``Session`` (a plain writer), or one of the
sessions in ``unit_of_work/`` that make a ``Session`` only when something needs more than the
driver (a grouped SQLite writer, a read-only unit of work). All of them are ``SqlSession``s, so
mypy checks every call a repository makes against this list, whichever session it gets.
Committing, rolling back and closing are not on it: only the unit of work ends its transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol, TypeVar, TypeVarTuple, overload

from sqlalchemy.engine import Connection, Engine, Result
from sqlalchemy.engine.result import ScalarResult
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql import Executable
from sqlalchemy.sql.selectable import TypedReturnsRows

T = TypeVar("T")
Entity = TypeVar("Entity")
Columns = TypeVarTuple("Columns")
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


class HeldEntities(Protocol):
    """A session's identity map, as the repositories look at it."""

    def __len__(self) -> int: ...

    def get(self, key: Any) -> object | None:
        """The entity held under an identity key (``identity_key``), if any."""


class SqlSession(Protocol):
    """The part of SQLAlchemy's ``Session`` the repositories use (and ``direct.in_session``)."""

    @overload
    def execute(
        self, statement: TypedReturnsRows[*Columns], params: Parameters | None = None
    ) -> Result[*Columns]: ...
    @overload
    def execute(
        self, statement: Executable, params: Parameters | None = None
    ) -> Result[*tuple[Any, ...]]: ...

    @overload
    def scalars(
        self, statement: TypedReturnsRows[T], params: Parameters | None = None
    ) -> ScalarResult[T]: ...
    @overload
    def scalars(
        self, statement: Executable, params: Parameters | None = None
    ) -> ScalarResult[Any]: ...

    def get(
        self,
        entity: type[Entity],
        ident: Any,
        *,
        populate_existing: bool | None = None,
        with_for_update: bool | dict[str, Any] | None = None,
    ) -> Entity | None:
        """The entity with primary key ``ident``: the one the session holds, else loaded
        (``populate_existing``: loaded again; ``with_for_update``: and locked)."""

    def add(self, instance: object) -> None:
        """Hold ``instance``: inserted if new, saved if it changes."""

    def flush(self) -> None:
        """Write what the session holds unsaved, in its transaction."""

    def begin_nested(self) -> SessionTransaction:
        """A savepoint, released by leaving its block, rolled back if the block raises."""

    def get_bind(self) -> Engine | Connection:
        """What the session runs on (its dialect says which database)."""

    def connection(self) -> Connection:
        """The connection of the session's transaction."""

    @property
    def identity_map(self) -> HeldEntities:
        """The entities the session holds, by identity key."""

    @property
    def new(self) -> Collection[object]:
        """Entities added, not yet inserted."""

    @property
    def dirty(self) -> Collection[object]:
        """Entities held that changed since they were loaded or saved."""

    @property
    def deleted(self) -> Collection[object]:
        """Entities marked for deletion, not yet deleted."""
