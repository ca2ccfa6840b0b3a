"""What the use cases hand back: frozen snapshots of products, orders and users.

Inside a unit of work the aggregates are live objects that the use cases change; outside it
a caller gets a copy taken at the end of the use case, the same whatever the storage. Changing
a snapshot raises ``dataclasses.FrozenInstanceError``; to change the store, call a use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from webstore.domain.orders import Order, OrderLine, OrderStatus
from webstore.domain.pictures import ProductImage
from webstore.domain.products import Product
from webstore.domain.users import User
from webstore.domain.values import Money

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ProductSnapshot:
    """A product as it was when the use case ended; ``stock`` is the number in store.

    ``image`` names its picture's stored copies (``None``: it has none, or the use case was
    asked not to read pictures).
    """

    id: int
    name: str
    description: str
    price: Money
    stock: int
    is_active: bool
    image: ProductImage | None = None

    @classmethod
    def of(cls, product: Product, image: ProductImage | None = None) -> ProductSnapshot:
        return cls(
            product.product_id,
            product.name,
            product.description,
            product.price,
            product.stock,
            product.is_active,
            image,
        )


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    """An order as it was when the use case ended, with its lines at the prices of the day."""

    id: int
    user_id: int
    address: str
    phone: str
    status: OrderStatus
    created_at: datetime
    lines: tuple[OrderLine, ...]

    @classmethod
    def of(cls, order: Order) -> OrderSnapshot:
        if order.id is None:
            raise ValueError("order has no id yet")
        return cls(
            order.id,
            order.user_id,
            order.address,
            order.phone,
            order.status,
            order.created_at,
            tuple(order.lines),
        )

    @property
    def completed(self) -> bool:
        """Whether the order is completed (the original API's boolean)."""
        return self.status is OrderStatus.COMPLETED

    @property
    def total_price(self) -> Money:
        """The sum of price times quantity over the lines."""
        return Money(sum((line.price.amount * line.quantity for line in self.lines), ZERO))


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    """A user account as it was when the use case ended, as staff see it (no password hash)."""

    id: int
    username: str
    email: str
    is_active: bool
    is_superuser: bool
    date_joined: datetime

    @classmethod
    def of(cls, user: User) -> UserSnapshot:
        if user.id is None:
            raise ValueError("user has no id yet")
        return cls(
            user.id, user.username, user.email, user.is_active, user.is_superuser, user.date_joined
        )


def products(
    items: list[Product], images: dict[int, ProductImage] | None = None
) -> list[ProductSnapshot]:
    images = images or {}
    return [ProductSnapshot.of(item, images.get(item.product_id)) for item in items]


def orders(items: list[Order]) -> list[OrderSnapshot]:
    return [OrderSnapshot.of(item) for item in items]


def users(items: list[User]) -> list[UserSnapshot]:
    return [UserSnapshot.of(item) for item in items]
