"""Idempotency records in SQL: the primary key (user, key) allows one response per key."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, delete, func, insert, literal, select, tuple_
from sqlalchemy.exc import IntegrityError

from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import idempotency_keys
from webstore.application.dto import IdempotencyRecord
from webstore.application.errors import IdempotencyConflict

PRUNE_BATCH = 500  # records one prune deletes at most, so that no order waits on a long delete
# How each database words a refused duplicate of the primary key.
_KEY_TAKEN = ("pk_idempotency_keys", "UNIQUE constraint failed: idempotency_keys.")


class SqlAlchemyIdempotencyRepository:
    """Records of Idempotency-Keys; ``get_for_update`` makes requests with one key take turns."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    def get(self, user_id: int, key: str) -> IdempotencyRecord | None:
        row = self._session.execute(select(idempotency_keys).where(*_of(user_id, key))).first()
        if row is None:
            return None
        return IdempotencyRecord(
            row.user_id,
            row.key,
            row.fingerprint,
            row.payload,
            row.created_at,
        )

    def get_for_update(self, user_id: int, key: str) -> IdempotencyRecord | None:
        if self._session.get_bind().dialect.name == "postgresql":
            # A row lock cannot be taken on a key that has no row yet; a transaction-scoped
            # advisory lock on the key's hash can. SQLite's IMMEDIATE transactions already
            # run one writer at a time.
            lock_id = literal(_lock_id(user_id, key), BigInteger)
            self._session.execute(select(func.pg_advisory_xact_lock(lock_id)))
        return self.get(user_id, key)

    def add(self, record: IdempotencyRecord) -> None:
        # No SAVEPOINT: after a refusal the whole unit of work (the order too) must roll back.
        try:
            self._session.execute(
                insert(idempotency_keys).values(
                    user_id=record.user_id,
                    key=record.key,
                    fingerprint=record.fingerprint,
                    payload=record.payload,
                    created_at=record.created_at,
                )
            )
        except IntegrityError as error:
            if not any(words in str(error.orig) for words in _KEY_TAKEN):
                raise
            raise IdempotencyConflict() from error

    def remove(self, user_id: int, key: str) -> None:
        self._session.execute(delete(idempotency_keys).where(*_of(user_id, key)))

    def prune(self, before: datetime) -> None:
        columns = idempotency_keys.c
        # SKIP LOCKED: orders pruning at the same moment share the old rows out instead of
        # queueing for each other, or for a request that is replacing its expired key.
        doomed = (
            select(columns.user_id, columns.key)
            .where(columns.created_at < before)
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
        primary_key = tuple_(columns.user_id, columns.key)
        self._session.execute(delete(idempotency_keys).where(primary_key.in_(doomed)))


def _of(user_id: int, key: str) -> tuple[ColumnElement[bool], ...]:
    return idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key


def _lock_id(user_id: int, key: str) -> int:
    """A signed 64-bit number for this user's key (a collision only makes two requests wait)."""
    digest = hashlib.sha256(f"idempotency:{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
