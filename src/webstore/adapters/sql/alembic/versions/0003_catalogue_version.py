"""A catalogue version that every change to the products table raises, by trigger.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE catalogue_version SET version = version + 1"
POSTGRES_FUNCTION = f"""
CREATE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {BUMP};
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO catalogue_version (id, version) VALUES (1, 0)")
    # Triggers rather than application code: every writer (the API, the CLI, another node, an
    # operator's SQL) raises the version in the very transaction that changes a product.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE ON products "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER products_{event.lower()} AFTER {event} ON products BEGIN {BUMP}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER products_changed ON products")
        op.execute("DROP FUNCTION bump_catalogue_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER products_{event}")
    op.drop_table("catalogue_version")
