"""Reads whose rows are reused while they still hold, and reads sent together in one statement.

Every listing request reads its login session and its listing's state, each a statement (on
PostgreSQL, a round trip each). A ``ReusableRead`` reads what depends on the database alone
(rows, never the clock: a session's expiry is checked in Python on every use), so its rows
are reused where the database cannot have changed under them:

- on SQLite, within one read transaction (the request's, ``reading_together``): it is one
  snapshot, so a second read would give the same rows (on PostgreSQL a read sent without a
  transaction is a snapshot of its own, and is sent again);
- on SQLite, across the read transactions of the connection a worker keeps, while its
  ``PRAGMA data_version`` has not moved: no connection of any process committed meanwhile
  (``reading.py``).

And a read may be sent ahead (``ReadTransaction.ahead``: a login session to look up with
whatever the request reads next): on PostgreSQL, the next reusable read that needs no
snapshot shared with others goes with it as one statement, one round trip instead of two,
and the rows of the read sent ahead are kept for when it is asked for, once. Reads of at most
one row only.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy import Select, literal, select, true

from webstore.adapters.sql.runtime.direct import DirectRead, DriverAccess
from webstore.adapters.sql.runtime.reading import ReadTransaction

Rows = list[tuple[Any, ...]]
_FOUND = "webstore_found"  # a column that says whether a read's part of a joined row is there


class ReusableRead(DirectRead):
    """A SELECT of bound parameters only, of at most one row, which depends on the database
    alone (see the module): on SQLite read once while the database is unchanged; on
    PostgreSQL perhaps sent with a read ahead of it, in one statement."""

    def __init__(self, statement: Select[Any], *, alone: bool = False) -> None:
        super().__init__(statement, alone=alone)
        self.select = statement
        self._with: dict[ReusableRead, DirectRead] = {}  # this read joined with one sent ahead

    def rows(self, reading: DriverAccess, **values: Any) -> Rows:
        if not isinstance(reading, ReadTransaction):  # a writer's: read as it stands
            return self._run(reading, values)
        key = self._key(values)
        if key in reading.read_ahead:  # sent ahead with an earlier read: for this one use
            return reading.read_ahead.pop(key)
        kept = reading.reused()
        if kept is not None and key in kept:
            return kept[key]
        found = self._read_with_ahead(reading, values)
        if kept is not None:
            kept[key] = found
        return found

    def _key(self, values: dict[str, Any]) -> Hashable:
        # The statement's, not this read's: the same SELECT read alone or in the snapshot
        # reads the same rows where rows are reused (SQLite's one snapshot).
        return (id(self.select), *sorted(values.items()))

    def _read_with_ahead(self, reading: ReadTransaction, values: dict[str, Any]) -> Rows:
        ahead, reading.ahead = reading.ahead, None  # sent with this read, or not at all
        if (
            ahead is None
            or ahead[0] is self
            or not (self.alone and ahead[0].alone)
            or reading.dialect.name != "postgresql"  # SQLite's reads cost no round trip
        ):
            return self._run(reading, values)
        other, other_values = ahead
        joined = self._with.get(other) or self._join(other)
        [row] = joined.rows(reading, **values, **other_values)
        mine, its = len(self.select.selected_columns), len(other.select.selected_columns)
        found = [row[mine + 1 : mine + 1 + its]] if row[-1] else []
        reading.read_ahead[other._key(other_values)] = found
        return [row[:mine]] if row[mine] else []

    def _join(self, other: ReusableRead) -> DirectRead:
        """One statement, one row: this read's row (or NULLs), a flag, the other's, a flag."""
        mine = self.select.add_columns(literal(1).label(_FOUND)).subquery()
        its = other.select.add_columns(literal(1).label(_FOUND)).subquery()
        one = select(literal(1).label("one")).subquery()
        joined = DirectRead(
            select(*mine.c, *its.c).select_from(one.outerjoin(mine, true()).outerjoin(its, true())),
            alone=True,
        )
        self._with[other] = joined
        return joined
