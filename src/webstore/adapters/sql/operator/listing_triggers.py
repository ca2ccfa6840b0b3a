"""What the listing caches rely on: triggers that draw versions, and rows they wrote themselves.

A worker serves bytes it keeps for a listing when the version it reads, in the snapshot it
would read the rows in, equals the version it encoded them at. That is the truth only if two
snapshots showing one version value show the same rows. Why it holds:

- Every change to what a kept listing holds (products but their stock, and their pictures;
  orders and their lines) replaces the versions it affects with a fresh random 63-bit value
  in its own transaction (triggers, migrations 0007, 0020 and 0030), for INSERT, UPDATE (an
  order moved to another user: both owners), DELETE and, on PostgreSQL, TRUNCATE. Stock is
  not kept: a product listing reads its page's stock on every request, in the snapshot of
  the version (so no checkout writes the catalogue's version row), and only owners' order
  listings are kept (so no checkout writes a row every other checkout writes). SQLite has no
  TRUNCATE, and its DELETE without WHERE fires row triggers whenever a table has any.
  Readers see only committed states, so a value becomes visible together with the rows of
  the transaction that drew it, and stops being current with the next change (on
  PostgreSQL a transaction draws once per version row: a value nobody has seen yet is fresh
  for all of its statements).
- A value is never drawn again (2^-63 per comparison), so no later state can take the
  number of an earlier one, not even after a restore or in another cluster: the ABA of
  counters, which a restore set back and the next changes counted up to numbers a worker had
  kept other rows under, cannot happen.
- Rows that no trigger wrote are not trusted: a restore copies version rows in without the
  triggers (pg_restore creates triggers after the data; a worker may read in between, seeing
  a restored version beside rows not restored yet). On PostgreSQL each version row records
  the transaction that wrote it (``written_by``, ``txid_current()``) and a reader takes it only
  when the row's own ``xmin`` is that transaction: a copied row's ``xmin`` is the restore's,
  so nothing is kept under it until the next change draws afresh. (A trigger that fires in a
  savepoint writes a subtransaction's ``xmin``: that row is merely not trusted either.)
  ``webstore db restore`` replaces an SQLite file only while no server holds it.
- Missing or disabled triggers would let rows change under an unchanged version, so
  ``webstore serve`` (at start-up), ``serve --check`` and ``db restore`` refuse a database
  that lacks them, and every schema upgrade draws every version afresh (a migration may
  rewrite rows without firing them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

# (table, trigger) pairs each revision's migrations leave, per database; a revision needs
# those of the newest entry at or before it.
REQUIRED: dict[str, dict[str, frozenset[tuple[str, str]]]] = {
    "postgresql": {
        "0006": frozenset({("products", "products_changed"), ("orders", "orders_changed")}),
        "0007": frozenset(
            {
                ("products", "products_changed"),
                ("orders", "orders_changed"),
                ("orders", "orders_truncated"),
                ("order_lines", "order_lines_changed"),
                ("order_lines", "order_lines_truncated"),
            }
        ),
        "0020": frozenset(
            {
                ("products", "products_changed"),
                ("product_images", "product_images_changed"),
                ("orders", "orders_changed"),
                ("orders", "orders_truncated"),
                ("order_lines", "order_lines_changed"),
                ("order_lines", "order_lines_truncated"),
            }
        ),
        # Stock changes draw no catalogue version: a row trigger watches the other columns.
        "0030": frozenset(
            {
                ("products", "products_changed"),
                ("products", "products_revised"),
                ("product_images", "product_images_changed"),
                ("orders", "orders_changed"),
                ("orders", "orders_truncated"),
                ("order_lines", "order_lines_changed"),
                ("order_lines", "order_lines_truncated"),
            }
        ),
    },
    "sqlite": {
        "0006": frozenset(
            (table, f"{table}_{event}")
            for table in ("products", "orders")
            for event in ("insert", "update", "delete")
        ),
        "0007": frozenset(
            (table, f"{table}_{event}")
            for table in ("products", "orders", "order_lines")
            for event in ("insert", "update", "delete")
        ),
        "0020": frozenset(
            (table, f"{table}_{event}")
            for table in ("products", "product_images", "orders", "order_lines")
            for event in ("insert", "update", "delete")
        ),
    },
}
PRESENT = {
    # Enabled triggers only: a disabled one keeps nothing current.
    "postgresql": "SELECT c.relname, t.tgname FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgrelid IN "
    "(to_regclass('products'), to_regclass('product_images'), to_regclass('orders'), "
    "to_regclass('order_lines')) "
    "AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
    "sqlite": "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'",
}
SQLITE_PRESENT = PRESENT["sqlite"]
PG_FRESH = "((floor(random() * 2147483648)::bigint << 32) | floor(random() * 4294967296)::bigint)"
FRESH = {
    "postgresql": f"version = {PG_FRESH}, written_by = txid_current()",
    "sqlite": "version = random()",
}


def missing(dialect: str, revision: str | None, present: Iterable[tuple[str, str]]) -> list[str]:
    """The listing triggers a database at ``revision`` needs and lacks, as ``table.trigger``."""
    due = [rules for since, rules in sorted(REQUIRED[dialect].items()) if since <= (revision or "")]
    lacking = (due[-1] if due else frozenset()) - set(present)
    return sorted(f"{table}.{trigger}" for table, trigger in lacking)


def missing_in(connection: Connection, revision: str | None) -> list[str]:
    """``missing`` for the database ``connection`` is open on."""
    dialect = connection.dialect.name
    rows = connection.execute(text(PRESENT[dialect]))
    return missing(dialect, revision, [(str(table), str(name)) for table, name in rows])


def refusal(names: list[str]) -> str:
    """Why a database without its listing triggers is refused: "<the database> " + this."""
    return (
        f"lacks the triggers that keep listings current ({', '.join(names)}): "
        "restore a backup that has them, or enable them again"
    )


def forget_kept_listings(connection: Connection) -> None:
    """Draw every listing version afresh: nothing kept before is served again."""
    fresh = FRESH[connection.dialect.name]
    for table in ("catalogue_version", "order_versions"):
        connection.execute(text(f"UPDATE {table} SET {fresh}"))


class WrittenByTrigger(ColumnElement[bool]):
    """True for a version row a trigger wrote (see the module): on PostgreSQL, a row whose
    ``xmin`` is the transaction recorded in it; on SQLite, every row."""

    inherit_cache = False  # compiled once per dialect by the DirectRead that holds it
    type = Boolean()

    def __init__(self, table: Table) -> None:
        self.table = table


@compiles(WrittenByTrigger)
def _any_row(element: WrittenByTrigger, compiler: SQLCompiler, **kw: Any) -> str:
    return "1 = 1"


@compiles(WrittenByTrigger, "postgresql")
def _row_of_its_writer(element: WrittenByTrigger, compiler: SQLCompiler, **kw: Any) -> str:
    written_by = compiler.process(element.table.c.written_by, **kw)
    table = compiler.preparer.format_table(element.table)
    return f"mod({written_by}, 4294967296) = {table}.xmin::text::bigint"
