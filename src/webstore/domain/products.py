"""The Product aggregate: what is sold, at which price, and how many are in stock."""

from __future__ import annotations

from dataclasses import dataclass, field

from webstore.domain.errors import InsufficientStock, UnknownProduct
from webstore.domain.values import Money, search_key


@dataclass(eq=False)
class Product:
    name: str
    price: Money
    stock: int
    description: str = ""
    is_active: bool = True
    id: int | None = None
    # Stored beside the name, so that storage can search names without recomputing it per row.
    name_key: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.name_key = search_key(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Product) and other.id is not None and other.id == self.id

    def __hash__(self) -> int:
        return hash(("Product", self.id))

    @property
    def product_id(self) -> int:
        if self.id is None:
            raise ValueError("product has no id yet")
        return self.id

    def ensure_orderable(self) -> None:
        """A deactivated product is, to a buyer, a product that does not exist."""
        if not self.is_active:
            raise UnknownProduct(self.product_id)

    def ensure_available(self, quantity: int) -> None:
        """Raise unless ``quantity`` units can be reserved now."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self.ensure_orderable()
        if quantity > self.stock:
            raise InsufficientStock(self.product_id, quantity, self.stock)

    def reserve(self, quantity: int) -> None:
        """Take ``quantity`` units out of stock, or raise without taking any."""
        self.ensure_available(quantity)
        self.stock -= quantity

    def restock(self, quantity: int) -> None:
        """Put ``quantity`` units (back) into stock."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self.stock += quantity

    def deactivate(self) -> None:
        self.is_active = False

    def revise(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        price: Money | None = None,
        stock: int | None = None,
        is_active: bool | None = None,
    ) -> None:
        """Change the given fields; the caller has already validated each value."""
        if name is not None:
            self.name = name
            self.name_key = search_key(name)
        if description is not None:
            self.description = description
        if price is not None:
            self.price = price
        if stock is not None:
            if stock < 0:
                raise ValueError("stock cannot be negative")
            self.stock = stock
        if is_active is not None:
            self.is_active = is_active
