"""A user's page of orders on PostgreSQL in one statement: its version, the orders, their lines.

A customer's listing that the worker does not keep for the version read with its login session
(``versioned.py``) used to cost BEGIN, the version, the page, its lines and ROLLBACK: five
round trips. One SELECT is a snapshot by itself on PostgreSQL, so it reads them all as of one
moment, with no transaction: the version is exactly the rows', as when they were read in one
REPEATABLE READ transaction. Its rows, of three kinds, come in this order: a head (the owner's
version, and with a slice of the orders how many there are in all), then each order of the
page newest first, followed by its lines in their order. Each value comes in its own column's
type, converted as a read of that column converts it, and the lines are the page's own (the
page is read once, as a common table expression).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam, column, text
from sqlalchemy.engine import Dialect

from webstore.adapters.sql.listings import NO_LIMIT, detached
from webstore.adapters.sql.runtime.direct import DirectRead, DriverAccess
from webstore.adapters.sql.tables import order_lines, orders
from webstore.application.ports import OrderListing
from webstore.domain.orders import Order, OrderLine

# ``written_by``: the version row's writer (``listing_triggers.WrittenByTrigger``).
_SQL = """
WITH page AS (
    SELECT id, user_id, address, phone, status, created_at,
        row_number() OVER (ORDER BY created_at DESC, id DESC) AS rank
    FROM orders WHERE user_id = :user_id
    ORDER BY created_at DESC, id DESC LIMIT :size OFFSET :start
)
SELECT 0 AS rank, 0 AS part, CAST(NULL AS INTEGER) AS position,
    (SELECT version FROM order_versions WHERE scope = :user_id
        AND mod(written_by, 4294967296) = order_versions.xmin::text::bigint) AS version,
    {total} AS total,
    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR), CAST(NULL AS TIMESTAMP WITH TIME ZONE),
    CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), CAST(NULL AS INTEGER), CAST(NULL AS NUMERIC)
UNION ALL
SELECT rank, 1, NULL, NULL, NULL, id, user_id, address, phone, status, created_at,
    NULL, NULL, NULL, NULL
FROM page
UNION ALL
SELECT page.rank, 2, line.position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    line.product_id, line.product_name, line.amount, line.price
FROM page JOIN order_lines AS line ON line.order_id = page.id
ORDER BY rank, part, position
"""
_COUNT = "(SELECT count(*) FROM orders WHERE user_id = :user_id)"
_NOT_LISTED = ("order_id", "position")  # the order's id comes with the order
# Converted here, on the rows of their kind only (most of a row's columns are NULL): each with
# its column type's own result processor, for PostgreSQL's type of it (VARCHAR, TIMESTAMP WITH
# TIME ZONE, NUMERIC). The other columns need none on PostgreSQL; they keep their types.
_CONVERTED = {orders.c.status: 1043, orders.c.created_at: 1184, order_lines.c.price: 1700}
_COLUMNS = (
    column("rank", BigInteger),
    column("part", Integer),
    column("position", Integer),
    column("version", BigInteger),
    column("total", BigInteger),
    *(column(c.name, None if c in _CONVERTED else c.type) for c in orders.columns),
    *(
        column(c.name, None if c in _CONVERTED else c.type)
        for c in order_lines.columns
        if c.name not in _NOT_LISTED
    ),
)
_converters: dict[str, tuple[Callable[[Any], Any], ...]] = {}


def _same(value: Any) -> Any:
    return value


def _converters_for(dialect: Dialect) -> tuple[Callable[[Any], Any], ...]:
    found = _converters.get(dialect.name)
    if found is None:
        found = _converters[dialect.name] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, code) or _same
            for column, code in _CONVERTED.items()
        )
    return found


_OWN_ORDERS = {
    paged: DirectRead(
        text(_SQL.format(total=_COUNT if paged else "CAST(NULL AS BIGINT)"))
        .bindparams(*(bindparam(name, type_=BigInteger) for name in ("user_id", "size", "start")))
        .columns(*_COLUMNS),
        alone=True,
    )
    for paged in (False, True)
}
_ORDER, _LINE = 1, 2


def own_orders(reading: DriverAccess, user_id: int, limit: int | None, offset: int) -> OrderListing:
    """The user's orders newest first, sliced, with their lines, how many they have in all and
    the version of them all: one statement, so one snapshot (PostgreSQL only)."""
    paged = not (limit is None and offset == 0)
    size = NO_LIMIT if limit is None else limit
    rows = _OWN_ORDERS[paged].rows(reading, user_id=user_id, size=size, start=offset)
    status_of, time_of, money_of = _converters_for(reading.dialect)
    listed: list[Order] = []
    lines: list[OrderLine] = []
    for row in rows[1:]:
        if row[1] == _LINE:
            product_id, name, amount, price = row[11:]
            lines.append(OrderLine(product_id, name, amount, money_of(price)))
            continue
        order_id, owner, address, phone, status, created_at = row[5:11]
        status, created_at = status_of(status), time_of(created_at)
        lines = []
        listed.append(
            detached(
                Order,
                id=order_id,
                user_id=owner,
                address=address,
                phone=phone,
                status=status,
                created_at=created_at,
                lines=lines,
            )
        )
    version, total = rows[0][3:5]
    return OrderListing(
        None if version is None else int(version), listed, total if paged else len(listed)
    )
