"""The Order aggregate: lines frozen at the price of the day, and a one-way status."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from webstore.domain.errors import IllegalTransition, UnknownProduct
from webstore.domain.products import Product
from webstore.domain.values import Money

ZERO = Decimal("0.00")


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One product in an order, with the unit price it was sold at."""

    product_id: int
    product_name: str
    quantity: int
    price: Money

    @property
    def subtotal(self) -> Money:
        return self.price * self.quantity


@dataclass(eq=False)
class Order:
    user_id: int
    address: str
    phone: str
    created_at: datetime
    lines: list[OrderLine] = field(default_factory=list)
    status: OrderStatus = OrderStatus.PENDING
    id: int | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Order) and other.id is not None and other.id == self.id

    def __hash__(self) -> int:
        return hash(("Order", self.id))

    @property
    def completed(self) -> bool:
        return self.status is OrderStatus.COMPLETED

    @property
    def total_price(self) -> Money:
        # Summed as Decimals, one Money at the end: listings total a thousand orders at a time.
        return Money(sum((line.price.amount * line.quantity for line in self.lines), ZERO))

    @classmethod
    def place(
        cls,
        *,
        user_id: int,
        address: str,
        phone: str,
        wanted: Mapping[int, int],
        products: Mapping[int, Product],
        now: datetime,
    ) -> Order:
        """A new pending order reserving ``wanted`` (product id -> quantity) from ``products``.

        Every line is checked before any stock is taken, so a refusal changes nothing: first
        that each product exists and is on sale (``UnknownProduct``), then that each has the
        quantity in stock (``InsufficientStock``), in the order the lines were given.
        """
        for product_id in wanted:
            product = products.get(product_id)
            if product is None:
                raise UnknownProduct(product_id)
            product.ensure_orderable()
        for product_id, quantity in wanted.items():
            products[product_id].ensure_available(quantity)
        lines = []
        for product_id, quantity in wanted.items():
            product = products[product_id]
            product.reserve(quantity)
            lines.append(OrderLine(product_id, product.name, quantity, product.price))
        return cls(user_id, address, phone, now, lines)

    def complete(self) -> None:
        """Pending -> completed; ``IllegalTransition`` from any other status."""
        self._leave_pending(OrderStatus.COMPLETED)

    def cancel(self, products: Mapping[int, Product]) -> None:
        """Pending -> cancelled, putting every line's quantity back into ``products``' stock."""
        if missing := {line.product_id for line in self.lines} - products.keys():
            raise ValueError(f"cancelling needs the ordered products {sorted(missing)}")
        self._leave_pending(OrderStatus.CANCELLED)
        for line in self.lines:
            products[line.product_id].restock(line.quantity)

    def _leave_pending(self, wanted: OrderStatus) -> None:
        if self.status is not OrderStatus.PENDING:
            raise IllegalTransition(self.id, self.status.value, wanted.value)
        self.status = wanted


def merge_lines(requested: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Add up the quantities of lines that name the same product, keeping first-seen order."""
    merged: dict[int, int] = {}
    for product_id, quantity in requested:
        merged[product_id] = merged.get(product_id, 0) + quantity
    return merged
