"""Search keys that ignore accents: products' name keys recomputed, users' keys added.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_UNDECOMPOSED_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ɨ": "i", "æ": "ae", "œ": "oe"}
)


def _without_marks(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _caseless(value: str) -> str:
    upper = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).upper())
    return unicodedata.normalize("NFKC", upper.casefold())


def search_key(value: str) -> str:
    """``values.search_key`` as it was written with this revision (a migration keeps meaning
    what it meant then)."""
    folded = _without_marks(_caseless(_without_marks(value)))
    return unicodedata.normalize("NFKC", folded).translate(_UNDECOMPOSED_LETTERS)


def _rewrite_keys(table: sa.TableClause, sources: dict[str, str]) -> None:
    """Set each ``key column: search_key(source column)`` of every row, in batches by id."""
    connection = op.get_bind()
    last_id = 0
    while rows := connection.execute(
        sa.select(table.c.id, *(table.c[source] for source in sources.values()))
        .where(table.c.id > last_id)
        .order_by(table.c.id)
        .limit(BATCH)
    ).all():
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")),
            [
                {
                    "row_id": row_id,
                    **{key: search_key(text) for key, text in zip(sources, texts, strict=True)},
                }
                for row_id, *texts in rows
            ],
        )
        last_id = rows[-1][0]


def upgrade() -> None:
    products = sa.table(
        "products", sa.column("id", sa.Integer()), sa.column("name", sa.Text()),
        sa.column("name_key", sa.Text()),
    )  # fmt: skip
    _rewrite_keys(products, {"name_key": "name"})
    # The empty default lets existing rows, and a node of the previous release signing a user
    # up during a rolling restart, satisfy NOT NULL; this release always writes the keys.
    for column in ("username_search_key", "email_search_key"):
        op.add_column("users", sa.Column(column, sa.Text(), nullable=False, server_default=""))
    users = sa.table(
        "users", sa.column("id", sa.Integer()), sa.column("username", sa.Text()),
        sa.column("email", sa.Text()), sa.column("username_search_key", sa.Text()),
        sa.column("email_search_key", sa.Text()),
    )  # fmt: skip
    _rewrite_keys(users, {"username_search_key": "username", "email_search_key": "email"})


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_search_key")
        batch.drop_column("username_search_key")
    connection = op.get_bind()
    products = sa.table(
        "products", sa.column("id", sa.Integer()), sa.column("name", sa.Text()),
        sa.column("name_key", sa.Text()),
    )  # fmt: skip
    rows = connection.execute(sa.select(products.c.id, products.c.name)).all()
    if rows:
        connection.execute(
            products.update().where(products.c.id == sa.bindparam("row_id")),
            # The name key of revision 0003
            [{"row_id": row_id, "name_key": _caseless(name)} for row_id, name in rows],
        )
