"""The outbox and password-reset links in SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from webstore.adapters.sql.runtime.direct import DirectWrite, in_session, new_values
from webstore.adapters.sql.runtime.last_writes import LastWrites
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import outbox, password_resets
from webstore.domain.mail import DeliveryStatus, Mail, MailKind, OutboxMessage
from webstore.domain.password_resets import PasswordReset

PRUNE_BATCH = 500  # rows one prune deletes at most, so that no writer waits on a long delete

_COLUMNS = tuple(column.name for column in outbox.columns if column.name != "id")
# Every order stores its confirmation: straight to the driver, as the order itself is.
_INSERT = DirectWrite(insert(outbox).values(new_values(*_COLUMNS)).returning(outbox.c.id))
_PENDING = outbox.c.status == DeliveryStatus.PENDING.value
# What a sender changes in the messages it settles: one executemany for a batch. A statement
# per message, through the ORM session, held the sender's write transaction (and SQLite's one
# writer's lock) for a few milliseconds per batch, in a process that runs at a lower priority.
_SETTLED = ("body", "status", "due_at", "attempts", "last_error", "settled_at")
_SAVE = DirectWrite(
    update(outbox).where(outbox.c.id == bindparam("message_id")).values(new_values(*_SETTLED))
)


class SqlAlchemyOutboxRepository:
    """Mail waiting to be sent; claims skip rows another sender holds (PostgreSQL)."""

    def __init__(self, session: SqlSession, last: LastWrites | None = None) -> None:
        self._session = session
        # A PostgreSQL writer's: messages are inserted with its last writes, as it commits.
        self._last = last

    def add(self, message: OutboxMessage) -> None:
        row = {f"new_{k}": v for k, v in _row(message).items()}
        if self._last is None:
            inserted = _INSERT.one(in_session(self._session, None), **row)
            assert inserted is not None
            message.id = inserted[0]
            return

        def numbered(returned: list[tuple[Any, ...]]) -> None:
            message.id = returned[0][0]

        self._last.add(_INSERT, [row], numbered)  # its id is known once committed

    def _write_queued(self) -> None:
        """What this unit of work queued is in the table before the outbox is read or changed."""
        if self._last:
            self._last.send(in_session(self._session, None))

    def get(self, message_id: int) -> OutboxMessage | None:
        self._write_queued()
        row = self._session.execute(select(outbox).where(outbox.c.id == message_id)).first()
        return None if row is None else _message(row)

    def next_due(self) -> datetime | None:
        self._write_queued()
        due: datetime | None = self._session.execute(
            select(func.min(outbox.c.due_at)).where(_PENDING)
        ).scalar()
        return due

    def claim(self, now: datetime, until: datetime, limit: int) -> list[OutboxMessage]:
        self._write_queued()
        # SKIP LOCKED: senders of several nodes claiming at once share the due messages out
        # instead of queueing for each other. SQLite ignores it: one writer at a time.
        due = (
            select(outbox)
            .where(_PENDING, outbox.c.due_at <= now)
            .order_by(outbox.c.due_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        messages = [_message(row) for row in self._session.execute(due)]
        if messages:
            ids = [message.id for message in messages]
            self._session.execute(update(outbox).where(outbox.c.id.in_(ids)).values(due_at=until))
        for message in messages:
            message.claim(until)
        return messages

    def save(self, message: OutboxMessage) -> None:
        self.save_all([message])

    def save_all(self, messages: Sequence[OutboxMessage]) -> None:
        self._write_queued()
        rows: list[Mapping[str, Any]] = []
        for message in messages:
            row = _row(message)
            rows.append({"message_id": message.id, **{f"new_{k}": row[k] for k in _SETTLED}})
        if rows:
            _SAVE.run_rows(in_session(self._session, None), rows)

    def prune(self, before: datetime) -> None:
        self._write_queued()
        doomed = select(outbox.c.id).where(outbox.c.settled_at < before).limit(PRUNE_BATCH)
        self._session.execute(delete(outbox).where(outbox.c.id.in_(doomed)))


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "kind": message.mail.kind.value,
        "recipient": message.mail.to,
        "subject": message.mail.subject,
        "body": message.mail.body,
        "status": message.status.value,
        "created_at": message.created_at,
        "due_at": message.due_at,
        "expires_at": message.expires_at,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "settled_at": message.settled_at,
    }


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        Mail(MailKind(row.kind), row.recipient, row.subject, row.body),
        created_at=row.created_at,
        due_at=row.due_at,
        expires_at=row.expires_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        settled_at=row.settled_at,
        id=row.id,
    )


class SqlAlchemyPasswordResetRepository:
    """Password-reset links, mapped onto ``password_resets``."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    def add(self, reset: PasswordReset) -> None:
        self._session.add(reset)

    def get(self, token_hash: str) -> PasswordReset | None:
        return self._session.get(PasswordReset, token_hash)

    def get_for_update(self, token_hash: str) -> PasswordReset | None:
        # Two requests with one link: the second waits here, then finds it used.
        return self._session.get(
            PasswordReset, token_hash, with_for_update=True, populate_existing=True
        )

    def count_live(self, user_id: int, now: datetime) -> int:
        c = password_resets.c
        statement = select(func.count()).where(
            c.user_id == user_id, c.used_at.is_(None), c.expires_at > now
        )
        return self._session.execute(statement).scalar_one()

    def revoke_all_for_user(self, user_id: int, now: datetime) -> None:
        c = password_resets.c
        self._session.execute(
            update(PasswordReset)
            .where(c.user_id == user_id, c.used_at.is_(None))
            .values(used_at=now)
        )

    def prune(self, before: datetime) -> None:
        c = password_resets.c
        doomed = select(c.token_hash).where(c.expires_at < before).limit(PRUNE_BATCH)
        self._session.execute(delete(password_resets).where(c.token_hash.in_(doomed)))
