"""Listing versions that never repeat, raised for every table a listing shows, TRUNCATE too.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Every change now draws a fresh random 63-bit version instead of adding one, so a version a
restore brings back is never drawn again for other rows (a counter climbed back to numbers
a worker had kept bytes for). ``order_lines`` raise their order's owner's version as orders
do; an order moved to another user raises both owners'; on PostgreSQL a TRUNCATE of products,
orders or order lines raises every version it could touch. On PostgreSQL each version row
also records the transaction that wrote it (``written_by``): a reader trusts a row only when
the row's own ``xmin`` is that transaction, so a row that a restore copied in (even one seen
half-restored) keeps no listing until the next change writes it again. A transaction writes
each version row at most once: a version nobody has seen is fresh for all its statements.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 31 + 32 random bits: random() gives a double with 52, too few for one draw.
PG_FRESH = "((floor(random() * 2147483648)::bigint << 32) | floor(random() * 4294967296)::bigint)"
PG_CATALOGUE = f"""
CREATE OR REPLACE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_version SET version = {PG_FRESH}, written_by = txid_current()
    WHERE written_by IS DISTINCT FROM txid_current();
    RETURN NULL;
END $$
"""
# Scope 0 first, then owners in ascending order: every writer locks version rows in one order.
PG_OWNERS = f"""
CREATE FUNCTION bump_order_owners(owners bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_versions AS kept (scope, version, written_by)
    SELECT scope, {PG_FRESH}, txid_current()
    FROM (SELECT 0::bigint AS scope UNION SELECT unnest(owners)) AS touched
    WHERE scope IS NOT NULL
    ORDER BY scope
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version, written_by = excluded.written_by
    WHERE kept.written_by IS DISTINCT FROM excluded.written_by;
END $$
"""
# A new order (every checkout) in one statement; user ids start at 1, after scope 0.
PG_ORDERS = f"""
CREATE OR REPLACE FUNCTION bump_order_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO order_versions AS kept (scope, version, written_by)
        VALUES (0, {PG_FRESH}, txid_current()), (NEW.user_id, {PG_FRESH}, txid_current())
        ON CONFLICT (scope) DO UPDATE
        SET version = excluded.version, written_by = excluded.written_by
        WHERE kept.written_by IS DISTINCT FROM excluded.written_by;
    ELSE
        PERFORM bump_order_owners(ARRAY[OLD.user_id, NEW.user_id]);
    END IF;
    RETURN NULL;
END $$
"""
# A checkout adds lines right after their order, whose own trigger has drawn the owner's (and
# every order's) version in this transaction already: nothing to draw again.
PG_LINES = """
CREATE FUNCTION bump_order_line_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND EXISTS (
        SELECT FROM orders JOIN order_versions ON scope = user_id
        WHERE id = NEW.order_id AND written_by = txid_current()
    ) THEN
        RETURN NULL;
    END IF;
    PERFORM bump_order_owners(
        ARRAY(SELECT user_id FROM orders WHERE id IN (OLD.order_id, NEW.order_id))
    );
    RETURN NULL;
END $$
"""
PG_ALL_ORDERS = f"""
CREATE FUNCTION bump_all_order_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE order_versions SET version = {PG_FRESH}, written_by = txid_current()
    WHERE written_by IS DISTINCT FROM txid_current();
    RETURN NULL;
END $$
"""

SQLITE_CATALOGUE = "UPDATE catalogue_version SET version = random()"
SQLITE_OWNER = (
    "INSERT INTO order_versions (scope, version) VALUES ({owner}, random()) "
    "ON CONFLICT (scope) DO UPDATE SET version = excluded.version"
)
SQLITE_LINE_OWNER = (
    "INSERT INTO order_versions (scope, version) "
    "SELECT user_id, random() FROM orders WHERE id = {row}.order_id "
    "ON CONFLICT (scope) DO UPDATE SET version = excluded.version"
)


def upgrade() -> None:
    for table in ("catalogue_version", "order_versions"):
        op.add_column(table, sa.Column("written_by", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
        fresh = f"version = {PG_FRESH}, written_by = txid_current()"
    else:
        _sqlite_triggers()
        fresh = "version = random()"
    # Whatever was kept under the old counters is never trusted again.
    op.execute(f"UPDATE catalogue_version SET {fresh}")
    op.execute(f"UPDATE order_versions SET {fresh}")


def _postgresql_triggers() -> None:
    op.execute(PG_CATALOGUE)
    op.execute("DROP TRIGGER products_changed ON products")
    op.execute(
        "CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        "ON products FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
    )
    op.execute(PG_OWNERS)
    op.execute(PG_ORDERS)
    op.execute(PG_LINES)
    op.execute(PG_ALL_ORDERS)
    op.execute(
        "CREATE TRIGGER order_lines_changed AFTER INSERT OR UPDATE OR DELETE ON order_lines "
        "FOR EACH ROW EXECUTE FUNCTION bump_order_line_versions()"
    )
    for table in ("orders", "order_lines"):
        op.execute(
            f"CREATE TRIGGER {table}_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_all_order_versions()"
        )


def _sqlite_triggers() -> None:
    # SQLite has no TRUNCATE, and a DELETE without WHERE fires row triggers when there are any.
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER products_{event}")
        op.execute(f"DROP TRIGGER orders_{event}")
        op.execute(
            f"CREATE TRIGGER products_{event} AFTER {event.upper()} ON products "
            f"BEGIN {SQLITE_CATALOGUE}; END"
        )
        rows = {"insert": ["NEW"], "delete": ["OLD"], "update": ["OLD", "NEW"]}[event]
        owners = "".join(f"{SQLITE_OWNER.format(owner=f'{row}.user_id')}; " for row in rows)
        lines = "".join(f"{SQLITE_LINE_OWNER.format(row=row)}; " for row in rows)
        everyone = SQLITE_OWNER.format(owner="0")
        op.execute(
            f"CREATE TRIGGER orders_{event} AFTER {event.upper()} ON orders "
            f"BEGIN {everyone}; {owners}END"
        )
        op.execute(
            f"CREATE TRIGGER order_lines_{event} AFTER {event.upper()} ON order_lines "
            f"BEGIN {everyone}; {lines}END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("orders", "order_lines"):
            op.execute(f"DROP TRIGGER {table}_truncated ON {table}")
        op.execute("DROP TRIGGER order_lines_changed ON order_lines")
        op.execute("DROP FUNCTION bump_all_order_versions()")
        op.execute("DROP FUNCTION bump_order_line_versions()")
        op.execute("DROP TRIGGER products_changed ON products")
        op.execute("DROP TRIGGER orders_changed ON orders")
        op.execute("DROP FUNCTION bump_order_versions()")
        op.execute("DROP FUNCTION bump_order_owners(bigint[])")
        op.execute("DROP FUNCTION bump_catalogue_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER order_lines_{event}")
            op.execute(f"DROP TRIGGER orders_{event}")
            op.execute(f"DROP TRIGGER products_{event}")
    for table in ("catalogue_version", "order_versions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("written_by")
    _recreate_0006_triggers()


def _recreate_0006_triggers() -> None:
    """Revision 0006's counters, as its own upgrade made them."""
    bump = "UPDATE catalogue_version SET version = version + 1"
    bump_all = "UPDATE order_versions SET version = version + 1 WHERE scope = 0"
    upsert = (
        "INSERT INTO order_versions (scope, version) VALUES ({user}, 1) "
        "ON CONFLICT (scope) DO UPDATE SET version = order_versions.version + 1"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {bump}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE ON products "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
        )
        owner = upsert.format(user="COALESCE(NEW.user_id, OLD.user_id)")
        op.execute(
            "CREATE FUNCTION bump_order_versions() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {owner}; {bump_all}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER orders_changed AFTER INSERT OR UPDATE OR DELETE ON orders "
            "FOR EACH ROW EXECUTE FUNCTION bump_order_versions()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        row = "OLD" if event == "DELETE" else "NEW"
        op.execute(
            f"CREATE TRIGGER products_{event.lower()} AFTER {event} ON products BEGIN {bump}; END"
        )
        op.execute(
            f"CREATE TRIGGER orders_{event.lower()} AFTER {event} ON orders "
            f"BEGIN {upsert.format(user=f'{row}.user_id')}; {bump_all}; END"
        )
