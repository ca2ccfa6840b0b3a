"""Listing versions raised by triggers: the catalogue's, all orders', each user's orders'.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
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
# Scope 0 is every order; any other scope is one user's orders.
BUMP_ALL_ORDERS = "UPDATE order_versions SET version = version + 1 WHERE scope = 0"
UPSERT_USER = (
    "INSERT INTO order_versions (scope, version) VALUES ({user}, 1) "
    "ON CONFLICT (scope) DO UPDATE SET version = order_versions.version + 1"
)
POSTGRES_ORDERS_FUNCTION = f"""
CREATE FUNCTION bump_order_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT_USER.format(user="COALESCE(NEW.user_id, OLD.user_id)")};
    {BUMP_ALL_ORDERS};
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
    op.create_table(
        "order_versions",
        sa.Column("scope", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    op.execute("INSERT INTO order_versions (scope, version) VALUES (0, 0)")
    # Triggers rather than application code: every writer (the API, the CLI, another node, an
    # operator's SQL) raises the versions in the very transaction that changes a product or
    # an order.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE ON products "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
        )
        op.execute(POSTGRES_ORDERS_FUNCTION)
        op.execute(
            "CREATE TRIGGER orders_changed AFTER INSERT OR UPDATE OR DELETE ON orders "
            "FOR EACH ROW EXECUTE FUNCTION bump_order_versions()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER products_{event.lower()} AFTER {event} ON products BEGIN {BUMP}; END"
        )
        row = "OLD" if event == "DELETE" else "NEW"
        op.execute(
            f"CREATE TRIGGER orders_{event.lower()} AFTER {event} ON orders "
            f"BEGIN {UPSERT_USER.format(user=f'{row}.user_id')}; {BUMP_ALL_ORDERS}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER orders_changed ON orders")
        op.execute("DROP FUNCTION bump_order_versions()")
        op.execute("DROP TRIGGER products_changed ON products")
        op.execute("DROP FUNCTION bump_catalogue_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER orders_{event}")
            op.execute(f"DROP TRIGGER products_{event}")
    op.drop_table("order_versions")
    op.drop_table("catalogue_version")
