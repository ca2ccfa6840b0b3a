"""SELECTs that every request runs, sent straight to the database driver.

Every authenticated request reads its login session, and every listing reads a version, before
anything else. Through SQLAlchemy's execution path each such statement costs several times what
the database spends on it (events, execution contexts, result objects). A ``DirectRead`` keeps
what is worth keeping: SQLAlchemy compiles the statement once per dialect and converts each
column with the column type's own result processor, so the SQL and the values are exactly what
``Connection.execute`` would give; only the per-call machinery is skipped. It runs on the
connection of the unit of work, inside its transaction (and so in its snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Select


@dataclass(frozen=True)
class _Prepared:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for positional paramstyles
    binds: dict[str, Callable[[Any], Any]]  # parameters whose type converts them
    results: tuple[Callable[[Any], Any] | None, ...]  # one per column

    def parameters(self, values: Mapping[str, Any]) -> Any:
        converted = {
            name: (self.binds[name](value) if name in self.binds else value)
            for name, value in values.items()
        }
        if self.positional is None:
            return converted
        return tuple(converted[name] for name in self.positional)

    def row(self, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            value if convert is None else convert(value)
            for convert, value in zip(self.results, raw, strict=True)
        )


class DriverAccess(Protocol):
    """What a ``DirectRead`` runs on: a pooled DBAPI connection in a transaction."""

    engine: Engine
    dialect: Dialect
    pooled: PoolProxiedConnection

    @property
    def opened(self) -> Connection | None: ...

    def invalidate(self, error: BaseException) -> None: ...


class InConnection:
    """The driver connection under a SQLAlchemy ``Connection``, in its transaction."""

    def __init__(self, connection: Connection) -> None:
        self.opened = connection
        self.engine = connection.engine
        self.dialect = connection.dialect
        self.pooled = connection.connection

    def invalidate(self, error: BaseException) -> None:
        self.opened.invalidate(error)


def in_session(session: Session, direct: DriverAccess | None) -> DriverAccess:
    """Where a direct read runs: a read-only unit of work's transaction when given, else the
    session's own transaction, once whatever the session holds unsaved is written."""
    if direct is not None:
        return direct
    if session.new or session.dirty or session.deleted:
        session.flush()
    return InConnection(session.connection())


class DirectRead:
    """A SELECT of bound parameters only, compiled once per dialect, run on the driver."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._prepared: dict[str, _Prepared] = {}

    def rows(self, reading: DriverAccess, **values: Any) -> list[tuple[Any, ...]]:
        dialect = reading.dialect
        prepared = self._prepared.get(dialect.name) or self._prepare(dialect)
        cursor = reading.pooled.cursor()
        sql, parameters = prepared.sql, prepared.parameters(values)
        dispatch = reading.engine.dispatch
        try:
            # The engine's cursor events still see the statement (query counts, tracing); they
            # get the SQLAlchemy connection only if one was opened, and no execution context.
            for before in dispatch.before_cursor_execute:
                sql, parameters = before(reading.opened, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall()
            for after in dispatch.after_cursor_execute:
                after(reading.opened, cursor, sql, parameters, None, False)
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy's own execution path would: its exception classes (which the outage
            # checks know), and a connection that broke is not handed out again.
            invalidated = dialect.is_disconnect(error, reading.pooled.driver_connection, cursor)
            if invalidated:
                reading.invalidate(error)
            raise exc.DBAPIError.instance(
                sql,
                None,
                error,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=invalidated,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()
        return [prepared.row(row) for row in fetched]

    def first(self, reading: DriverAccess, **values: Any) -> tuple[Any, ...] | None:
        found = self.rows(reading, **values)
        return found[0] if found else None

    def _prepare(self, dialect: Dialect) -> _Prepared:
        compiled = self.statement.compile(dialect=dialect)
        binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                binds[name] = convert
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        positional = compiled.positiontup
        prepared = _Prepared(
            str(compiled), None if positional is None else tuple(positional), binds, results
        )
        self._prepared[dialect.name] = prepared
        return prepared
