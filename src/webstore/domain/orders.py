"""The Order aggregate: lines frozen at the price of the day, and a one-way status."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from webstore.domain.errors import IllegalTransition
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
    amount: int
    price: Money

    @property
    def subtotal(self) -> Money:
        return self.price * self.amount


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
        return Money(sum((line.price.amount * line.amount for line in self.lines), ZERO))

    def complete(self) -> None:
        self._leave_pending(OrderStatus.COMPLETED)

    def cancel(self) -> None:
        self._leave_pending(OrderStatus.CANCELLED)

    def _leave_pending(self, wanted: OrderStatus) -> None:
        if self.status is not OrderStatus.PENDING:
            raise IllegalTransition(self.id, self.status.value, wanted.value)
        self.status = wanted


def merge_lines(requested: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Add up the amounts of lines that name the same product, keeping first-seen order."""
    merged: dict[int, int] = {}
    for product_id, amount in requested:
        merged[product_id] = merged.get(product_id, 0) + amount
    return merged
