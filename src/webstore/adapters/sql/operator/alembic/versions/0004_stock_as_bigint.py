"""Stock as a 64-bit integer, so that returning units to stock can never overflow.

A product can be set to at most 2147483647 units (the rule of create and PATCH), but units in
pending orders come back on top of whatever the stock is when the order is cancelled. SQLite's
INTEGER already holds 64 bits; PostgreSQL's needs widening.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "products", "amount", type_=sa.BigInteger(), existing_type=sa.Integer(),
            existing_nullable=False,
        )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "products", "amount", type_=sa.Integer(), existing_type=sa.BigInteger(),
            existing_nullable=False,
        )  # fmt: skip
