"""Statements that every request (or every order) runs, sent straight to the database driver.

Every authenticated request reads its login session, and every listing reads a version, before
anything else. Through SQLAlchemy's execution path each such statement costs several times what
the database spends on it (events, execution contexts, result objects). A ``DirectRead`` keeps
what is worth keeping: SQLAlchemy compiles the statement once per dialect and converts each
column with the column type's own result processor, so the SQL and the values are exactly what
``Connection.execute`` would give; only the per-call machinery is skipped. It runs on the
connection of the unit of work, inside its transaction (and so in its snapshot). A
``DirectWrite`` does the same for the INSERTs and UPDATEs of placing an order.

Cursor listeners (``before_cursor_execute``, ``after_cursor_execute``: query counters, tracing
such as OpenTelemetry's) get what SQLAlchemy documents: the ``Connection`` the statement runs
on, and its ``ExecutionContext``. When the engine has such a listener, a direct statement
therefore runs through SQLAlchemy's own path (``Connection.exec_driver_sql``, the same SQL and
values) on the SQLAlchemy connection of its transaction; a SQLite read transaction that has not
made one yet makes it then (``DriverAccess.connection``), and that connection goes back to the
pool when the read ends instead of staying with the worker. Without cursor listeners, the
default, nothing of this is paid. Errors are SQLAlchemy's exception classes either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.interfaces import DBAPIModule
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from webstore.adapters.sql.runtime import pipelines
from webstore.adapters.sql.runtime.access import DriverAccess as DriverAccess
from webstore.adapters.sql.runtime.access import InConnection as InConnection
from webstore.adapters.sql.runtime.access import in_session as in_session


@dataclass
class _Prepared:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for positional paramstyles
    binds: dict[str, Callable[[Any], Any]]  # parameters whose type converts them
    columns: tuple[TypeEngine[Any], ...]  # of the rows it returns, if any
    fixed: dict[str, Any]  # the values the statement holds itself (a LIMIT's, say)
    # One converter per column, from the types the driver reports (a NUMERIC's depends on
    # them): known after the first run.
    results: tuple[Callable[[Any], Any] | None, ...] | None = None

    def converters(self, dialect: Dialect, cursor: Any) -> tuple[Callable[[Any], Any] | None, ...]:
        if self.results is None:
            reported = [entry[1] for entry in cursor.description or ()]
            self.results = tuple(
                column.dialect_impl(dialect).result_processor(dialect, code)
                for column, code in zip(self.columns, reported, strict=True)
            )
        return self.results

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.fixed:
            values = {**self.fixed, **values}
        converted = {
            name: (self.binds[name](value) if name in self.binds else value)
            for name, value in values.items()
        }
        if self.positional is None:
            return converted
        return tuple(converted[name] for name in self.positional)

    @staticmethod
    def row(
        converters: tuple[Callable[[Any], Any] | None, ...], raw: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        return tuple(
            value if convert is None else convert(value)
            for convert, value in zip(converters, raw, strict=True)
        )


def new_values(*columns: str) -> dict[str, BindParameter[Any]]:
    """``.values()`` for a ``DirectWrite``: each column bound to the parameter ``new_<column>``
    (a parameter may not share its column's name there)."""
    return {column: bindparam(f"new_{column}") for column in columns}


class _DirectStatement:
    """A statement of bound parameters only, compiled once per dialect, run on the driver.

    ``alone``: the statement needs no snapshot shared with others (it reads what it needs in
    one go), so a read that has not begun its transaction may send it without one.
    """

    def __init__(self, statement: ClauseElement, *, alone: bool = False) -> None:
        self.statement = statement
        self.alone = alone
        self._prepared: dict[str, _Prepared] = {}

    def _run(
        self, access: DriverAccess, values: Mapping[str, Any] | list[Mapping[str, Any]]
    ) -> list[tuple[Any, ...]]:
        if not self.alone:
            access.snapshot()
        dialect = access.dialect
        prepared = self._prepared.get(dialect.name) or self._prepare(dialect)
        many = isinstance(values, list)
        sql = prepared.sql
        try:
            parameters: Any = (
                [prepared.parameters(each) for each in values]
                if isinstance(values, list)
                else prepared.parameters(values)
            )
        except Exception as error:  # a value its column's type refuses, as SQLAlchemy says it
            raise exc.StatementError(str(error), sql, None, error) from error
        group = access.read_group() if self.alone and not many else None
        if group is not None:
            answered, answered_converters = group.rows(prepared, parameters)
            if not any(answered_converters):
                return answered
            return [prepared.row(answered_converters, row) for row in answered]
        observed = _observed_connection(access)
        if observed is not None:
            return self._run_observed(observed, prepared, sql, parameters)
        cursor = access.pooled.cursor()
        try:
            if many:
                cursor.executemany(sql, parameters)
            elif isinstance(access, InConnection) and pipelines.begins_transaction(access):
                pipelines.execute_begun(access, cursor, sql, parameters)  # BEGIN with it
            else:
                cursor.execute(sql, parameters)
            fetched = cursor.fetchall() if prepared.columns else []
            converters = prepared.converters(dialect, cursor) if fetched else ()
        except dialect.loaded_dbapi.Error as error:
            raise driver_error(access, error, sql, cursor) from error
        finally:
            cursor.close()
        if not any(converters):  # nothing to convert (ids, counts, stock): the rows as read
            return cast(list[tuple[Any, ...]], fetched)
        return [prepared.row(converters, row) for row in fetched]

    @staticmethod
    def _run_observed(
        connection: Connection, prepared: _Prepared, sql: str, parameters: Any
    ) -> list[tuple[Any, ...]]:
        """Run through SQLAlchemy's own path, which gives cursor listeners ``connection`` and
        its execution context (see the module)."""
        result = connection.exec_driver_sql(sql, parameters)
        if not (prepared.columns and result.returns_rows):
            result.close()
            return []
        converters = prepared.converters(connection.dialect, result.cursor)
        fetched = [tuple(row) for row in result]
        if not any(converters):
            return fetched
        return [prepared.row(converters, row) for row in fetched]

    def prepared(self, dialect: Dialect) -> _Prepared:
        """The statement as compiled for ``dialect`` (``pipelines.py`` sends it itself)."""
        return self._prepared.get(dialect.name) or self._prepare(dialect)

    def _prepare(self, dialect: Dialect) -> _Prepared:
        compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
        binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                binds[name] = convert
        # A SELECT's columns, or what an INSERT or UPDATE returns (none without RETURNING).
        columns = getattr(self.statement, "exported_columns", ())
        positional = compiled.positiontup
        prepared = _Prepared(
            str(compiled),
            None if positional is None else tuple(positional),
            binds,
            tuple(column.type for column in columns),
            {
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required
            },
        )
        self._prepared[dialect.name] = prepared
        return prepared


def driver_error(
    access: DriverAccess, error: DBAPIModule.Error, sql: str, cursor: Any
) -> exc.StatementError:
    """The driver's ``error`` as SQLAlchemy's own execution path would raise it: its exception
    classes (which the outage checks know), and a connection that broke is not handed out
    again."""
    dialect = access.dialect
    invalidated = dialect.is_disconnect(error, access.pooled.driver_connection, cursor)
    if invalidated:
        access.invalidate(error)
    return as_sqlalchemy_error(dialect, error, sql, invalidated=invalidated)


def as_sqlalchemy_error(
    dialect: Dialect, error: DBAPIModule.Error, sql: str | None, *, invalidated: bool
) -> exc.StatementError:
    """The driver's ``error`` in SQLAlchemy's exception class for it, parameters hidden."""
    return exc.DBAPIError.instance(
        sql,
        None,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=dialect,
    )


def observed(access: DriverAccess) -> bool:
    """Whether cursor listeners want to see what runs on ``access`` (see the module)."""
    return _observed_connection(access) is not None


def _observed_connection(access: DriverAccess) -> Connection | None:
    """The SQLAlchemy connection to run on if cursor listeners want to see the statement."""
    opened = access.opened
    dispatch = access.engine.dispatch if opened is None else opened.dispatch
    if not (dispatch.before_cursor_execute or dispatch.after_cursor_execute):
        return None
    return opened if opened is not None else access.connection()


class DirectRead(_DirectStatement):
    """A SELECT of bound parameters only, compiled once per dialect, run on the driver."""

    def rows(self, reading: DriverAccess, **values: Any) -> list[tuple[Any, ...]]:
        return self._run(reading, values)

    def first(self, reading: DriverAccess, **values: Any) -> tuple[Any, ...] | None:
        found = self.rows(reading, **values)
        return found[0] if found else None


class DirectWrite(_DirectStatement):
    """An INSERT or UPDATE of bound parameters only (``bindparam`` values), run on the driver.

    It runs in the unit of work's transaction, after whatever its session holds unsaved
    (``in_session``); the database's triggers (listing versions) fire as for any statement.
    """

    def one(self, writing: DriverAccess, **values: Any) -> tuple[Any, ...] | None:
        """Run once; the row it returns (RETURNING), if any."""
        returned = self._run(writing, values)
        return returned[0] if returned else None

    def many(self, writing: DriverAccess, rows: list[Mapping[str, Any]]) -> None:
        """Run once per row of values, in one call to the driver (executemany)."""
        if rows:
            self._run(writing, rows)

    def run_rows(self, writing: DriverAccess, rows: list[Mapping[str, Any]]) -> list[Any]:
        """``one`` for a single row of values (what it returns), else ``many``."""
        if len(rows) == 1:
            return self._run(writing, rows[0])
        self.many(writing, rows)
        return []
