"""Products' pictures: each stored copy a row with its bytes; a change draws the catalogue's
version afresh, as a product's change does (0007), so that listings naming pictures are read
again.

Revision ID: 0020
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported from tables.py, as in 0001.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# A fresh random version, as 0007 draws them: a value that never comes back (not even after a
# restore), so a listing kept under it can only be the rows it was read from.
SQLITE_BUMP = "UPDATE catalogue_version SET version = random()"


def upgrade() -> None:
    op.create_table(
        "product_images",
        sa.Column("product_id", ID, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.CHAR(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "width > 0 AND height > 0", name=op.f("ck_product_images_dimensions_positive")
        ),
        sa.CheckConstraint("byte_size > 0", name=op.f("ck_product_images_byte_size_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_product_images_product_id_products"
        ),
        sa.PrimaryKeyConstraint("product_id", "size", name="pk_product_images"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # bump_catalogue_version() is 0007's trigger function (random, and its writer recorded).
        op.execute(
            "CREATE TRIGGER product_images_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            "ON product_images FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER product_images_{event.lower()} AFTER {event} ON product_images "
            f"BEGIN {SQLITE_BUMP}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER product_images_changed ON product_images")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER product_images_{event}")
    op.drop_table("product_images")
