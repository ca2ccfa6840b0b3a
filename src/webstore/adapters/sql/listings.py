"""Listings read straight from rows into detached domain objects, without the ORM.

Listings are the hot read path (a page of up to 1000 orders with their lines): building plain
dataclasses from Core rows costs a fraction of ORM hydration (identity map, instrumented
attributes, load events). The objects are snapshots for reading: changing them persists
nothing, which is fine since the use cases only list them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Text, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from webstore.adapters.sql import search
from webstore.adapters.sql.operator.listing_triggers import WrittenByTrigger
from webstore.adapters.sql.runtime.direct import DirectRead, DriverAccess, in_session
from webstore.adapters.sql.runtime.reuse import ReusableRead
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import catalogue_version as catalogue_version_table
from webstore.adapters.sql.tables import order_lines, order_versions, orders, products
from webstore.application.ports import ListingState, OrderQuery
from webstore.application.versioned import PageStock
from webstore.domain.orders import Order, OrderLine
from webstore.domain.products import Product

T = TypeVar("T")


def products_by_id(
    session: SqlSession, criteria: list[ColumnElement[bool]], limit: int | None, offset: int
) -> list[Product]:
    """Matching products by id, in one statement."""
    c = products.c
    statement = (
        select(c.id, c.name, c.description, c.price, c.amount, c.is_active)
        .where(*criteria)
        .order_by(c.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        detached(
            Product,
            id=product_id,
            name=name,
            description=description,
            price=price,
            stock=stock,
            is_active=is_active,
        )
        for product_id, name, description, price, stock, is_active in session.execute(statement)
    ]


# No LIMIT is a limit no page reaches (SQLite takes no NULL there).
NO_LIMIT = 2**62


class _Joined(FunctionElement[str]):
    """The column's values as text joined by commas, in the order of ``order_by`` (one string
    for a whole page: the database builds it in C, and it is spliced without a Python step per
    product). SQLite 3.40 takes no ORDER BY inside an aggregate: it joins the rows in the order
    its ordered subquery yields them, and a reader checks the ids it gets against those kept."""

    type = Text()
    inherit_cache = True


@compiles(_Joined)
def _joined_in_rows_order(element: _Joined, compiler: SQLCompiler, **kw: Any) -> str:
    value, _ = element.clauses
    return f"group_concat(CAST({compiler.process(value, **kw)} AS TEXT), ',')"


@compiles(_Joined, "postgresql")
def _joined_in_order(element: _Joined, compiler: SQLCompiler, **kw: Any) -> str:
    value, order_by = element.clauses
    return (
        f"string_agg(CAST({compiler.process(value, **kw)} AS TEXT), ',' "
        f"ORDER BY {compiler.process(order_by, **kw)})"
    )


def _page_state_read(include_inactive: bool, searching: bool) -> ReusableRead:
    """The catalogue's version beside the listed products' ids and stock: one statement, so
    one snapshot, that a read may send without a transaction of its own, and one row."""
    c = products.c
    criteria: list[ColumnElement[bool]] = [] if include_inactive else [c.is_active]
    if searching:
        criteria.append(search.contains(c.name_key, bindparam("search", type_=Text())))
    page = (
        select(c.id, c.amount)
        .where(*criteria)
        .order_by(c.id)
        .limit(bindparam("size"))
        .offset(bindparam("start"))
        .subquery()
    )
    version = (
        select(catalogue_version_table.c.version)
        .where(WrittenByTrigger(catalogue_version_table))
        .scalar_subquery()
    )
    return ReusableRead(
        select(
            version.label("version"),
            _Joined(page.c.id, page.c.id).label("ids"),
            _Joined(page.c.amount, page.c.id).label("amounts"),
        ),
        alone=True,
    )


# One statement for each shape of query: all products or the active ones, searched or not.
_PAGE_STATES = {
    (include_inactive, searching): _page_state_read(include_inactive, searching)
    for include_inactive in (False, True)
    for searching in (False, True)
}


def catalogue_page_state(
    session: SqlSession,
    include_inactive: bool,
    name_key_contains: str | None,
    limit: int | None,
    offset: int,
    direct: DriverAccess | None = None,
) -> ListingState:
    """The catalogue's version and the ids and stock of the matching products by id, sliced,
    in one statement on the driver (the primary key's index gives the order)."""
    read = _PAGE_STATES[(include_inactive, name_key_contains is not None)]
    values: dict[str, object] = {"size": NO_LIMIT if limit is None else limit, "start": offset}
    if name_key_contains is not None:
        values["search"] = name_key_contains
    [(version, ids, amounts)] = read.rows(in_session(session, direct), **values)
    return ListingState(version, PageStock(ids or "", amounts or ""))


# Rows that depend on the database alone: reused where they still hold (``reuse.py``).
CATALOGUE_VERSION = ReusableRead(
    select(catalogue_version_table.c.version).where(WrittenByTrigger(catalogue_version_table))
)
_ORDER_VERSION_SELECT = select(order_versions.c.version).where(
    order_versions.c.scope == bindparam("scope"), WrittenByTrigger(order_versions)
)
ORDER_VERSION = ReusableRead(_ORDER_VERSION_SELECT)
ORDER_VERSION_ALONE = ReusableRead(_ORDER_VERSION_SELECT, alone=True)


def catalogue_version(session: SqlSession, direct: DriverAccess | None = None) -> int | None:
    """The catalogue's version (drawn afresh by triggers on every product change); ``None``
    when no trigger wrote the one kept (see ``listing_triggers``): then nothing is reused.

    ``direct``: a read-only unit of work's transaction (see ``direct.in_session``).
    """
    row = CATALOGUE_VERSION.first(in_session(session, direct))
    return None if row is None else int(row[0])


def order_listing_version(
    session: SqlSession, user_id: int, direct: DriverAccess | None = None, *, alone: bool = False
) -> int | None:
    """The version of one user's orders; ``None`` when no trigger wrote it (a user whose orders
    never changed has none): then nothing is reused. ``alone``: in a snapshot of its own."""
    read = ORDER_VERSION_ALONE if alone else ORDER_VERSION
    row = read.first(in_session(session, direct), scope=user_id)
    return None if row is None else int(row[0])


def _orders_reads(by_user: bool, by_status: bool) -> tuple[DirectRead, DirectRead]:
    """A page of orders newest first, and the lines of exactly that page: the same query as a
    subquery, not a list of bound ids (databases cap the number of parameters; a page has no
    such cap without a limit)."""
    c = orders.c
    criteria: list[ColumnElement[bool]] = []
    if by_user:
        criteria.append(c.user_id == bindparam("user_id"))
    if by_status:
        criteria.append(c.status == bindparam("status"))
    page = (
        select(c.id, c.user_id, c.address, c.phone, c.status, c.created_at)
        .where(*criteria)
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(bindparam("size"))
        .offset(bindparam("start"))
    )
    line = order_lines.c
    lines = (
        select(line.order_id, line.product_id, line.product_name, line.amount, line.price)
        .where(line.order_id.in_(select(page.subquery().c.id)))
        .order_by(line.order_id, line.position)
    )
    return DirectRead(page), DirectRead(lines)


# One pair of statements for each shape of query: a user's orders or everyone's, by status or not.
_ORDERS_READS = {
    (by_user, by_status): _orders_reads(by_user, by_status)
    for by_user in (False, True)
    for by_status in (False, True)
}


def orders_with_lines(
    session: SqlSession,
    query: OrderQuery,
    limit: int | None,
    offset: int,
    direct: DriverAccess | None = None,
) -> list[Order]:
    """Matching orders newest first with their lines, in two statements whatever their number,
    on the driver, in the unit of work's snapshot."""
    page, lines_of_page = _ORDERS_READS[(query.user_id is not None, query.status is not None)]
    values: dict[str, object] = {"size": NO_LIMIT if limit is None else limit, "start": offset}
    if query.user_id is not None:
        values["user_id"] = query.user_id
    if query.status is not None:
        values["status"] = query.status
    access = in_session(session, direct)
    found = page.rows(access, **values)
    if not found:
        return []
    lines: defaultdict[int, list[OrderLine]] = defaultdict(list)
    for order_id, product_id, name, quantity, price in lines_of_page.rows(access, **values):
        lines[order_id].append(OrderLine(product_id, name, quantity, price))
    return [
        detached(
            Order,
            id=order_id,
            user_id=user_id,
            address=address,
            phone=phone,
            status=status,
            created_at=created_at,
            lines=lines[order_id],
        )
        for order_id, user_id, address, phone, status, created_at in found
    ]


def detached(cls: type[T], **fields: object) -> T:
    """An instance of a mapped class holding ``fields``, never seen by any session.

    The mapper instruments ``__init__`` and every attribute write (change tracking for the
    unit of work); filling ``__dict__`` directly skips that, and the mapped attributes read
    plain values from ``__dict__``. Such an object is for reading only.
    """
    instance = cls.__new__(cls)
    instance.__dict__.update(fields)
    return instance
