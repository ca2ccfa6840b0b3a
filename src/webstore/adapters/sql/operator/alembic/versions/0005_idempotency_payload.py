"""Idempotency-Key records keep an opaque payload instead of an HTTP status and body.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = sa.table(
    "idempotency_keys",
    sa.column("user_id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("response_body", sa.Text()),
)


def upgrade() -> None:
    # Live records (at most a day old) are rewritten, so their replays still answer.
    connection = op.get_bind()
    for user_id, key, body in connection.execute(
        sa.select(KEYS.c.user_id, KEYS.c.key, KEYS.c.response_body)
    ).all():
        connection.execute(
            KEYS.update()
            .where(KEYS.c.user_id == user_id, KEYS.c.key == key)
            .values(response_body=_payload(json.loads(body)))
        )
    with op.batch_alter_table("idempotency_keys") as table:
        table.drop_column("status_code")
        table.alter_column("response_body", new_column_name="payload")


def _payload(order: dict[str, object]) -> str:
    """The payload of ``application.payloads`` for an order as the API rendered it."""
    items = order["items"]
    assert isinstance(items, list)
    return json.dumps(
        {
            "id": order["id"],
            "user_id": order["user"],
            "address": order["address"],
            "phone": order["phone"],
            "status": order["status"],
            "created_at": order["created_at"],
            "lines": [
                [item["product_id"], item["product_name"], item["amount"], item["price"]]
                for item in items
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_keys")  # the old format needs the rendered responses
    with op.batch_alter_table("idempotency_keys") as table:
        table.alter_column("payload", new_column_name="response_body")
        table.add_column(sa.Column("status_code", sa.Integer(), nullable=False))
