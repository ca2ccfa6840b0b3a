"""No version row that every checkout writes: stock and the all-orders listing go unversioned.

Revision ID: 0030
Revises: 0021
Create Date: 2026-12-07

Each checkout used to write two rows every other checkout writes too: the catalogue version
(its stock UPDATE fired the products trigger) and the all-orders version (scope 0). A
transaction held open on one product or one customer's order therefore held every other
checkout in the cluster behind it. Now:

- The catalogue version follows what a listing keeps: which products are listed and how each
  is written but for its stock. It is drawn on INSERT, DELETE and TRUNCATE as before, and on an
  UPDATE only of a row whose columns other than ``amount`` changed (a row trigger whose WHEN
  compares them, so a statement's SET list does not matter). Listings read each page's stock
  afresh on every request, in the snapshot they read the version in.
- Order versions are the owners' only. A superuser's listing of every order (or of a status)
  is read from the rows every time: no row would tell what changed among everybody's orders
  without every checkout writing it.

A customer's own checkouts still write their version row (and their products' rows), so one
customer's open transaction can delay only that customer's next order, or orders of the same
products, as the stock itself requires.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every column of products but ``amount`` (a migration adding a column to products adds it
# here, in a new revision; a test compares this list with the table).
LISTED_COLUMNS = ("id", "name", "name_key", "description", "price", "is_active")
REVISED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in LISTED_COLUMNS)
SQLITE_REVISED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in LISTED_COLUMNS)

PG_FRESH = "((floor(random() * 2147483648)::bigint << 32) | floor(random() * 4294967296)::bigint)"
# Owners in ascending order: every writer locks version rows in one order.
PG_OWNERS = f"""
CREATE OR REPLACE FUNCTION bump_order_owners(owners bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_versions AS kept (scope, version, written_by)
    SELECT scope, {PG_FRESH}, txid_current()
    FROM (SELECT DISTINCT unnest(owners) AS scope) AS touched
    WHERE scope IS NOT NULL
    ORDER BY scope
    ON CONFLICT (scope) DO UPDATE SET version = excluded.version, written_by = excluded.written_by
    WHERE kept.written_by IS DISTINCT FROM excluded.written_by;
END $$
"""
# A new order (every checkout): its owner's version, in one statement.
PG_ORDERS = f"""
CREATE OR REPLACE FUNCTION bump_order_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO order_versions AS kept (scope, version, written_by)
        VALUES (NEW.user_id, {PG_FRESH}, txid_current())
        ON CONFLICT (scope) DO UPDATE
        SET version = excluded.version, written_by = excluded.written_by
        WHERE kept.written_by IS DISTINCT FROM excluded.written_by;
    ELSE
        PERFORM bump_order_owners(ARRAY[OLD.user_id, NEW.user_id]);
    END IF;
    RETURN NULL;
END $$
"""
SQLITE_OWNER = (
    "INSERT INTO order_versions (scope, version) VALUES ({owner}, random()) "
    "ON CONFLICT (scope) DO UPDATE SET version = excluded.version"
)
SQLITE_LINE_OWNER = (
    "INSERT INTO order_versions (scope, version) "
    "SELECT user_id, random() FROM orders WHERE id = {row}.order_id "
    "ON CONFLICT (scope) DO UPDATE SET version = excluded.version"
)
SQLITE_CATALOGUE = "UPDATE catalogue_version SET version = random()"
ROWS = {"insert": ["NEW"], "delete": ["OLD"], "update": ["OLD", "NEW"]}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(with_everyone=False)
        fresh = f"version = {PG_FRESH}, written_by = txid_current()"
    else:
        _sqlite(with_everyone=False)
        fresh = "version = random()"
    # Scope 0 is followed no more: its row would keep a value no change draws afresh.
    op.execute("DELETE FROM order_versions WHERE scope = 0")
    op.execute(f"UPDATE catalogue_version SET {fresh}")
    op.execute(f"UPDATE order_versions SET {fresh}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(with_everyone=True)
        fresh = f"version = {PG_FRESH}, written_by = txid_current()"
    else:
        _sqlite(with_everyone=True)
        fresh = "version = random()"
    op.execute(f"UPDATE catalogue_version SET {fresh}")
    op.execute(f"UPDATE order_versions SET {fresh}")


def _postgresql(*, with_everyone: bool) -> None:
    op.execute("DROP TRIGGER products_changed ON products")
    if with_everyone:  # revision 0007's: every statement, stock included
        op.execute("DROP TRIGGER products_revised ON products")
        op.execute(
            "CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            "ON products FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
        )
        op.execute(_with_scope_zero(PG_OWNERS))
        op.execute(
            PG_ORDERS.replace(
                "VALUES (NEW.user_id,", f"VALUES (0, {PG_FRESH}, txid_current()), (NEW.user_id,"
            )
        )
        return
    op.execute(
        "CREATE TRIGGER products_changed AFTER INSERT OR DELETE OR TRUNCATE "
        "ON products FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
    )
    op.execute(
        f"CREATE TRIGGER products_revised AFTER UPDATE ON products FOR EACH ROW "
        f"WHEN ({REVISED}) EXECUTE FUNCTION bump_catalogue_version()"
    )
    op.execute(PG_OWNERS)
    op.execute(PG_ORDERS)


def _with_scope_zero(owners: str) -> str:
    return owners.replace(
        "(SELECT DISTINCT unnest(owners) AS scope)",
        "(SELECT 0::bigint AS scope UNION SELECT unnest(owners))",
    )


def _sqlite(*, with_everyone: bool) -> None:
    # SQLite has no TRUNCATE, and a DELETE without WHERE fires row triggers when there are any.
    everyone = f"{SQLITE_OWNER.format(owner='0')}; " if with_everyone else ""
    for event in ("insert", "update", "delete"):
        for table in ("products", "orders", "order_lines"):
            op.execute(f"DROP TRIGGER {table}_{event}")
        revised = f"WHEN {SQLITE_REVISED} " if event == "update" and not with_everyone else ""
        op.execute(
            f"CREATE TRIGGER products_{event} AFTER {event.upper()} ON products "
            f"{revised}BEGIN {SQLITE_CATALOGUE}; END"
        )
        owners = "".join(f"{SQLITE_OWNER.format(owner=f'{r}.user_id')}; " for r in ROWS[event])
        lines = "".join(f"{SQLITE_LINE_OWNER.format(row=r)}; " for r in ROWS[event])
        op.execute(
            f"CREATE TRIGGER orders_{event} AFTER {event.upper()} ON orders "
            f"BEGIN {everyone}{owners}END"
        )
        op.execute(
            f"CREATE TRIGGER order_lines_{event} AFTER {event.upper()} ON order_lines "
            f"BEGIN {everyone}{lines}END"
        )
