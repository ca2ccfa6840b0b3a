"""The imperative mapping of the domain's classes onto the tables of ``tables.py``."""

from __future__ import annotations

import threading
from typing import cast

from sqlalchemy.orm import composite, configure_mappers, registry, relationship

from webstore.adapters.sql.tables import (
    login_sessions,
    metadata,
    order_lines,
    orders,
    password_resets,
    products,
    users,
)
from webstore.domain.orders import Order, OrderLine
from webstore.domain.password_resets import PasswordReset
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User

mapper_registry = registry(metadata=metadata)


class OrderLineRow:
    """An order line as stored; ``OrderLine`` is a slotted frozen value, which cannot be mapped."""

    def __init__(self, position: int, line: OrderLine) -> None:
        self.position = position
        self.line = line


LINE_ROWS = "_line_rows"  # the attribute of a mapped Order that holds its OrderLineRows


def restore_lines(order: Order) -> Order:
    """Rebuild ``order.lines`` from its loaded rows."""
    rows = cast(list[OrderLineRow], getattr(order, LINE_ROWS))
    order.lines = [row.line for row in rows]
    return order


_lock = threading.Lock()


def start_mappers() -> None:
    """Map the domain classes onto the tables; later calls do nothing."""
    with _lock:
        if mapper_registry.mappers:
            return
        _map()
        # Configure now rather than at the first ORM query: listings build their objects
        # straight from rows, and they need the mapped attributes to be ready.
        configure_mappers()


def _map() -> None:
    mapper_registry.map_imperatively(User, users)
    mapper_registry.map_imperatively(Product, products, properties={"stock": products.c.amount})
    columns = order_lines.c
    line = composite(
        OrderLine, columns.product_id, columns.product_name, columns.amount, columns.price
    )
    mapper_registry.map_imperatively(OrderLineRow, order_lines, properties={"line": line})
    mapper_registry.map_imperatively(
        Order,
        orders,
        properties={
            # Lines never change once placed, so rows are written with the order and read back
            # in one extra IN query per listing, whatever the number of orders.
            LINE_ROWS: relationship(
                OrderLineRow,
                order_by=order_lines.c.position,
                cascade="all, delete-orphan",
                lazy="selectin",
            ),
        },
    )
    # The domain bumps ``generation`` on each rotation; the mapper adds "WHERE generation =
    # <the value loaded>" to every UPDATE, so a concurrent rotation updates no row.
    mapper_registry.map_imperatively(PasswordReset, password_resets)
    mapper_registry.map_imperatively(
        LoginSession,
        login_sessions,
        version_id_col=login_sessions.c.generation,
        version_id_generator=False,
    )
