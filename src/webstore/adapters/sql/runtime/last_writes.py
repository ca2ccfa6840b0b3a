"""A writer's last writes, sent together with its COMMIT.

A checkout on PostgreSQL used to wait for the server once per statement. Two of its writes
need no answer before the next thing is sent: its confirmation in the outbox (whose id nobody
reads before the commit) and the stock of its lines. A unit of work queues such writes
(``LastWrites``) and sends them all when it commits, on PostgreSQL in one pipeline
(``pipelines.py``), and a writer that sends them together (``PlainWrite``) sends its COMMIT
at the end of that same pipeline: one round trip for the writes and the COMMIT, the only
wait of a checkout after its products' lock. Whatever its session holds unsaved is flushed
before (``in_session``), so that the COMMIT commits all of it and the session's own commit
afterwards has nothing to send. If a write fails, its error is raised there and the ones
after it are skipped, the COMMIT too: the transaction is left failed, and rolled back by the
unit of work as it ends. If the connection is lost once the pipeline was sent, the COMMIT
may or may not have been carried out, as when a COMMIT of its own loses its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exc

from webstore.adapters.sql.runtime.direct import DirectWrite, DriverAccess, driver_error, observed
from webstore.adapters.sql.runtime.pipelines import answered_together, commit_sent

_LAST = "(the last writes of a unit of work)"  # what an error names as its statement
Rows = list[Mapping[str, Any]]
Returned = Callable[[list[tuple[Any, ...]]], None]  # told the rows a write returned


@dataclass
class _Queued:
    write: DirectWrite
    rows: Rows
    returned: Returned | None


@dataclass
class LastWrites:
    """Writes of a unit of work whose answers nothing needs before it commits, in order."""

    _queued: list[_Queued] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self._queued)

    def add(self, write: DirectWrite, rows: Rows, returned: Returned | None = None) -> None:
        """Queue ``write`` once per row of ``rows``; ``returned`` gets what it returns."""
        if rows:
            self._queued.append(_Queued(write, rows, returned))

    def clear(self) -> None:
        """Forget them (the unit of work rolled back)."""
        self._queued.clear()

    def send(self, access: DriverAccess, *, commit: bool = False) -> None:
        """Run them all now: on PostgreSQL in one round trip, elsewhere one after the other
        (and so when cursor listeners want to see each, or when there is only one and no
        COMMIT to go with it). ``commit``: on PostgreSQL, the transaction's COMMIT goes last
        in that round trip (otherwise the caller's own commit sends it; once it went, that
        commit finds the connection idle and sends nothing)."""
        queued, self._queued = self._queued, []
        pipelined = access.dialect.name == "postgresql" and not observed(access)
        if not pipelined or (len(queued) == 1 and not commit):
            for each in queued:
                returned = each.write.run_rows(access, each.rows)
                if each.returned is not None:
                    each.returned(returned)
            return
        cursors = [access.pooled.cursor() for _ in queued]
        committing = access.pooled.cursor() if commit else None
        try:
            try:
                with answered_together(access):
                    for each, cursor in zip(queued, cursors, strict=True):
                        _sent(access, each, cursor)
                    if committing is not None:
                        commit_sent(committing)
            except access.dialect.loaded_dbapi.Error as error:
                raise driver_error(access, error, _LAST, cursors[0]) from error
            for each, cursor in zip(queued, cursors, strict=True):
                if each.returned is not None:
                    each.returned(_fetched(access, each, cursor))
        finally:
            for cursor in cursors:
                cursor.close()
            if committing is not None:
                committing.close()


def _sent(access: DriverAccess, queued: _Queued, cursor: Any) -> None:
    prepared = queued.write.prepared(access.dialect)
    try:
        parameters = [prepared.parameters(each) for each in queued.rows]
    except Exception as error:  # a value its column's type refuses, as ``direct.py`` says it
        raise exc.StatementError(str(error), prepared.sql, None, error) from error
    if len(parameters) == 1:
        cursor.execute(prepared.sql, parameters[0])
    else:
        cursor.executemany(prepared.sql, parameters)


def _fetched(access: DriverAccess, queued: _Queued, cursor: Any) -> list[tuple[Any, ...]]:
    prepared = queued.write.prepared(access.dialect)
    if not prepared.columns or len(queued.rows) != 1:
        return []
    raw = cursor.fetchall()
    converters = prepared.converters(access.dialect, cursor) if raw else ()
    return [prepared.row(converters, row) if any(converters) else row for row in raw]
