"""The caseless key of each product's name, which catalogue searches compare.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def name_key(name: str) -> str:
    """``values.search_key`` as it was written with this revision (a migration keeps meaning
    what it meant then)."""
    upper = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).upper())
    return unicodedata.normalize("NFKC", upper.casefold())


def upgrade() -> None:
    # Added with an empty default so that existing rows satisfy NOT NULL, then filled in; the
    # application always writes the key itself, so PostgreSQL drops the default again (SQLite
    # cannot alter a column in place, and a default nothing uses is harmless there).
    op.add_column("products", sa.Column("name_key", sa.Text(), nullable=False, server_default=""))
    products = sa.table(
        "products", sa.column("id", sa.Integer()), sa.column("name", sa.Text()),
        sa.column("name_key", sa.Text()),
    )  # fmt: skip
    connection = op.get_bind()
    last_id = 0
    while rows := connection.execute(
        sa.select(products.c.id, products.c.name)
        .where(products.c.id > last_id)
        .order_by(products.c.id)
        .limit(BATCH)
    ).all():
        connection.execute(
            products.update().where(products.c.id == sa.bindparam("row_id")),
            [{"row_id": row_id, "name_key": name_key(name)} for row_id, name in rows],
        )
        last_id = rows[-1][0]
    if connection.dialect.name != "sqlite":
        op.alter_column("products", "name_key", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("name_key")
