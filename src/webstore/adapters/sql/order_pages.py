"""A user's page of orders on PostgreSQL in one statement: its version, the orders, their lines.

A customer's listing that the worker does not keep for the version read with its login session
(``versioned.py``) used to cost BEGIN, the version, the page, its lines and ROLLBACK: five
round trips. One SELECT is a snapshot by itself on PostgreSQL, so it reads them all as of one
moment, with no transaction: the owner's version on every row (once, as an init plan), a
row per order of the page newest first, and each order's lines as arrays the database builds
in their order (a lateral aggregate over the lines' primary key). The version is exactly the
rows', as when they were read in one REPEATABLE READ transaction. A user without orders still
gets one row, of the version alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by

from webstore.adapters.sql.listings import NO_LIMIT, detached
from webstore.adapters.sql.operator.listing_triggers import WrittenByTrigger
from webstore.adapters.sql.runtime.direct import DirectRead, DriverAccess
from webstore.adapters.sql.tables import order_lines, order_versions, orders
from webstore.application.ports import OrderListing
from webstore.domain.orders import Order, OrderLine


def _own_orders_read(paged: bool) -> DirectRead:
    """The statement (see the module); ``paged``: with how many orders the user has in all."""
    c, line = orders.c, order_lines.c
    page = (
        select(c.id, c.user_id, c.address, c.phone, c.status, c.created_at)
        .where(c.user_id == bindparam("user_id"))
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(bindparam("size"))
        .offset(bindparam("start"))
        .subquery("page")
    )
    lines = (
        select(
            *(
                func.array_agg(aggregate_order_by(column, line.position)).label(column.name)
                for column in (line.product_id, line.product_name, line.amount, line.price)
            )
        )
        .where(line.order_id == page.c.id)
        .lateral("lines")
    )
    version = (
        select(order_versions.c.version)
        .where(order_versions.c.scope == bindparam("user_id"), WrittenByTrigger(order_versions))
        .scalar_subquery()
    )
    heads: list[ColumnElement[Any]] = [version.label("version")]
    if paged:
        everything = (
            select(func.count()).select_from(orders).where(c.user_id == bindparam("user_id"))
        )
        heads.append(everything.scalar_subquery().label("total"))
    one = select(literal(1).label("one")).subquery("one")
    return DirectRead(
        select(*heads, *page.c, *lines.c)
        .select_from(one.outerjoin(page, true()).outerjoin(lines, true()))
        .order_by(page.c.created_at.desc(), page.c.id.desc()),
        alone=True,
    )


_OWN_ORDERS = {paged: _own_orders_read(paged) for paged in (False, True)}


def own_orders(reading: DriverAccess, user_id: int, limit: int | None, offset: int) -> OrderListing:
    """The user's orders newest first, sliced, with their lines, how many they have in all and
    the version of them all: one statement, so one snapshot (PostgreSQL only)."""
    paged = not (limit is None and offset == 0)
    size = NO_LIMIT if limit is None else limit
    rows = _OWN_ORDERS[paged].rows(reading, user_id=user_id, size=size, start=offset)
    version = rows[0][0]
    heads = 2 if paged else 1
    listed = [_order(row[heads:]) for row in rows if row[heads] is not None]
    total = rows[0][1] if paged else len(listed)
    return OrderListing(None if version is None else int(version), listed, total)


def _order(row: Sequence[Any]) -> Order:
    order_id, user_id, address, phone, status, created_at, *columns = row
    product_ids, names, amounts, prices = (column or [] for column in columns)
    return detached(
        Order,
        id=order_id,
        user_id=user_id,
        address=address,
        phone=phone,
        status=status,
        created_at=created_at,
        lines=[OrderLine(*line) for line in zip(product_ids, names, amounts, prices, strict=True)],
    )
