"""Failed logins in SQL: appended, read back through one index, pruned a batch at a time."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from webstore.adapters.sql.orm import login_failures
from webstore.application.ports import LoginFailureKind

PRUNE_BATCH = 500  # rows one prune deletes at most, so that no login waits on a long delete


class SqlAlchemyLoginAttemptRepository:
    """Failures per (kind, key); ``ix_login_failures_kind_key_failed_at`` serves every read."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def lock(self, kind: LoginFailureKind, key: str) -> None:
        # PostgreSQL: a transaction-scoped advisory lock on the counter, so that checking it and
        # counting an attempt are one step across every process. SQLite's IMMEDIATE
        # transactions already run one writer at a time.
        if self._session.get_bind().dialect.name == "postgresql":
            lock_id = literal(_lock_id(kind, key), BigInteger)
            self._session.execute(select(func.pg_advisory_xact_lock(lock_id)))

    def add_failure(self, kind: LoginFailureKind, key: str, at: datetime) -> int:
        statement = (
            insert(login_failures)
            .values(kind=kind.value, key=key, failed_at=at)
            .returning(login_failures.c.id)
        )
        failure_id: int = self._session.execute(statement).scalar_one()
        return failure_id

    def remove(self, failure_id: int) -> None:
        self._session.execute(delete(login_failures).where(login_failures.c.id == failure_id))

    def nth_latest_failure(
        self, kind: LoginFailureKind, key: str, n: int, since: datetime
    ) -> datetime | None:
        # Reads at most n index entries, newest first, however many failures there are.
        statement = (
            select(login_failures.c.failed_at)
            .where(*_of(kind, key), login_failures.c.failed_at > since)
            .order_by(login_failures.c.failed_at.desc())
            .limit(1)
            .offset(n - 1)
        )
        latest: datetime | None = self._session.execute(statement).scalar_one_or_none()
        return latest

    def clear(self, kind: LoginFailureKind, key: str) -> None:
        self._session.execute(delete(login_failures).where(*_of(kind, key)))

    def prune(self, before: datetime) -> None:
        # SKIP LOCKED: logins pruning at the same moment share the old rows out instead of
        # queueing for each other (PostgreSQL; SQLite runs one writer at a time anyway).
        doomed = (
            select(login_failures.c.id)
            .where(login_failures.c.failed_at < before)
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
        self._session.execute(delete(login_failures).where(login_failures.c.id.in_(doomed)))


def _of(kind: LoginFailureKind, key: str) -> tuple[ColumnElement[bool], ...]:
    return login_failures.c.kind == kind.value, login_failures.c.key == key


def _lock_id(kind: LoginFailureKind, key: str) -> int:
    """A signed 64-bit advisory lock id for one counter."""
    digest = hashlib.sha256(f"login_failures:{kind.value}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
