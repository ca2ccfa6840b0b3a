"""When each user joined: the earliest trace an existing user left, for those of before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
# SQLite adds a NOT NULL column only with a constant default; every row is then filled in.
SQLITE_PLACEHOLDER = "1970-01-01 00:00:00.000000"


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    # On PostgreSQL the default stays: a node of the previous release that signs a user up
    # during a rolling restart records the database's time. This release always writes it.
    default = sa.text(f"'{SQLITE_PLACEHOLDER}'") if sqlite else sa.func.now()
    joined = sa.Column(
        "date_joined", sa.DateTime(timezone=True), nullable=False, server_default=default
    )
    op.add_column("users", joined)
    upgraded_at = datetime.now(UTC)
    first_seen = _first_traces(connection)
    users = sa.table(
        "users", sa.column("id", sa.Integer()), sa.column("date_joined", sa.DateTime())
    )
    last_id = 0
    while ids := connection.scalars(
        sa.select(users.c.id).where(users.c.id > last_id).order_by(users.c.id).limit(BATCH)
    ).all():
        connection.execute(
            users.update().where(users.c.id == sa.bindparam("row_id")),
            [
                {
                    "row_id": user_id,
                    "date_joined": _stored(first_seen.get(user_id, upgraded_at), sqlite),
                }
                for user_id in ids
            ],
        )
        last_id = ids[-1]


def _first_traces(connection: sa.Connection) -> dict[int, datetime]:
    """Per user, the earliest login session or order: no account is younger than either."""
    first: dict[int, datetime] = {}
    for table in ("login_sessions", "orders"):
        traces = sa.table(
            table, sa.column("user_id", sa.Integer()), sa.column("created_at", sa.DateTime())
        )
        for user_id, earliest in connection.execute(
            sa.select(traces.c.user_id, sa.func.min(traces.c.created_at)).group_by(traces.c.user_id)
        ):
            moment = _aware(earliest)
            first[user_id] = min(first.get(user_id, moment), moment)
    return first


def _aware(moment: datetime) -> datetime:
    """SQLite keeps UTC text without an offset; PostgreSQL answers in the session's zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stored(moment: datetime, sqlite: bool) -> datetime:
    return moment.replace(tzinfo=None) if sqlite else moment


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("date_joined")
