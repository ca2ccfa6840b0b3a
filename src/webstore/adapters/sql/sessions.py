"""What the repositories may call on their session: one typed interface for every kind of it.

A unit of work hands its repositories a SQLAlchemy ``Session`` (a plain writer), or one of the
sessions in ``unit_of_work/`` that make a ``Session`` only when something needs more than the
driver (a grouped SQLite writer, a read-only unit of work). All of them are ``SqlSession``s, so
mypy checks every call a repository makes against this list, whichever session it gets.
Committing, rolling back and closing are not on it: only the unit of work ends its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar, TypeVarTuple, Unpack, overload

from sqlalchemy.engine import Connection, Engine, Result
from sqlalchemy.engine.result import ScalarResult
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm.identity import IdentityMap
from sqlalchemy.sql import Executable
from sqlalchemy.sql.selectable import TypedReturnsRows
from sqlalchemy.util import IdentitySet

T = TypeVar("T")
Entity = TypeVar("Entity")
Columns = TypeVarTuple("Columns")
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


class SqlSession(Protocol):
    """The part of SQLAlchemy's ``Session`` the repositories use (and ``direct.in_session``)."""

    @overload
    def execute(
        self, statement: TypedReturnsRows[Unpack[Columns]], params: Parameters | None = None
    ) -> Result[Unpack[Columns]]: ...
    @overload
    def execute(
        self, statement: Executable, params: Parameters | None = None
    ) -> Result[Unpack[tuple[Any, ...]]]: ...

    @overload
    def scalars(
        self, statement: TypedReturnsRows[T], params: Parameters | None = None
    ) -> ScalarResult[T]: ...
    @overload
    def scalars(
        self, statement: Executable, params: Parameters | None = None
    ) -> ScalarResult[Any]: ...

    def get(self, entity: type[Entity], ident: Any) -> Entity | None:
        """The entity with primary key ``ident``: the one the session holds, else loaded."""

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
    def identity_map(self) -> IdentityMap:
        """The entities the session holds, by identity key."""

    @property
    def new(self) -> IdentitySet:
        """Entities added, not yet inserted."""

    @property
    def dirty(self) -> IdentitySet:
        """Entities held that changed since they were loaded or saved."""

    @property
    def deleted(self) -> IdentitySet:
        """Entities marked for deletion, not yet deleted."""
