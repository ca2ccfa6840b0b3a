"""Failed logins in SQL: appended, read back through one index, pruned a batch at a time.

Every login runs most of these statements, so they are built once and sent straight to the
driver (``direct.py``), in the unit of work's transaction.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, Integer, bindparam, delete, func, insert, literal, select

from webstore.adapters.sql.runtime.direct import (
    DirectRead,
    DirectWrite,
    DriverAccess,
    in_session,
    new_values,
)
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import login_failures
from webstore.application.ports import LoginFailureKind

PRUNE_BATCH = 500  # rows one prune deletes at most, so that no login waits on a long delete


class SqlAlchemyLoginAttemptRepository:
    """Failures per (kind, key); ``ix_login_failures_kind_key_failed_at`` serves every read."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    def lock(self, kind: LoginFailureKind, key: str) -> None:
        # PostgreSQL: a transaction-scoped advisory lock on the counter, so that checking it and
        # counting an attempt are one step across every process. SQLite's IMMEDIATE
        # transactions already run one writer at a time.
        if self._session.get_bind().dialect.name == "postgresql":
            lock_id = literal(_lock_id(kind, key), BigInteger)
            self._session.execute(select(func.pg_advisory_xact_lock(lock_id)))

    def add_failure(self, kind: LoginFailureKind, key: str, at: datetime) -> int:
        added = _ADD.one(self._writing(), new_kind=kind.value, new_key=key, new_failed_at=at)
        assert added is not None
        failure_id: int = added[0]
        return failure_id

    def remove(self, failure_id: int) -> None:
        _REMOVE.one(self._writing(), failure_id=failure_id)

    def nth_latest_failure(
        self, kind: LoginFailureKind, key: str, n: int, since: datetime
    ) -> datetime | None:
        # Reads at most n index entries, newest first, however many failures there are.
        found = _NTH_LATEST.first(
            self._writing(), of_kind=kind.value, of_key=key, since=since, skip=n - 1
        )
        return None if found is None else found[0]

    def clear(self, kind: LoginFailureKind, key: str) -> None:
        _CLEAR.one(self._writing(), of_kind=kind.value, of_key=key)

    def prune(self, before: datetime) -> None:
        _PRUNE.one(self._writing(), before=before)

    def _writing(self) -> DriverAccess:
        return in_session(self._session, None)


_failures = login_failures.c
_OF_KEY = (_failures.kind == bindparam("of_kind"), _failures.key == bindparam("of_key"))
_ADD = DirectWrite(
    insert(login_failures).values(new_values("kind", "key", "failed_at")).returning(_failures.id)
)
_REMOVE = DirectWrite(delete(login_failures).where(_failures.id == bindparam("failure_id")))
_NTH_LATEST = DirectRead(
    select(_failures.failed_at)
    .where(*_OF_KEY, _failures.failed_at > bindparam("since"))
    .order_by(_failures.failed_at.desc())
    .limit(1)
    .offset(bindparam("skip", type_=Integer))
)
_CLEAR = DirectWrite(delete(login_failures).where(*_OF_KEY))
# SKIP LOCKED: logins pruning at the same moment share the old rows out instead of queueing for
# each other (PostgreSQL; SQLite runs one writer at a time anyway).
_PRUNE = DirectWrite(
    delete(login_failures).where(
        _failures.id.in_(
            select(_failures.id)
            .where(_failures.failed_at < bindparam("before"))
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
    )
)


def _lock_id(kind: LoginFailureKind, key: str) -> int:
    """A signed 64-bit advisory lock id for one counter."""
    digest = hashlib.sha256(f"login_failures:{kind.value}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
