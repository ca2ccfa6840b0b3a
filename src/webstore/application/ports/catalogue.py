"""Ports of the catalogue: products and their pictures."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from webstore.application.versioned import PageStock
from webstore.domain.pictures import ImageVariant, ProductImage
from webstore.domain.products import Product


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """Which products a listing wants."""

    include_inactive: bool = False
    # A ``values.search_key`` that the name's key must contain; ``None``: any name.
    name_key_contains: str | None = None


class ListingState(NamedTuple):
    """A product listing as a worker that keeps it needs to know it: the catalogue's version
    (``None``: not kept, or not to be trusted) and the listed products' ids and stock."""

    version: int | None
    stock: PageStock


class ProductRepository(Protocol):
    def add(self, product: Product) -> None:
        """Store a new product (it gets its id by the end of the call)."""

    def add_all(self, products: Sequence[Product]) -> None:
        """Store new products, in batches where the storage can (ids given by the end)."""

    def get(self, product_id: int) -> Product | None:
        """The product with this id, active or not."""

    def get_for_update(
        self, product_ids: Collection[int], *, for_order: bool = False
    ) -> list[Product]:
        """The existing products among ``product_ids``, locked until commit, in id order.

        ``for_order``: locked to place an order next in this unit of work, which storage may
        number with this very statement, so that the order needs no answer of its own."""

    def ids_by_name_key(self, name_keys: Collection[str]) -> dict[str, list[int]]:
        """The ids of the products (withdrawn ones too) whose name key is one of
        ``name_keys``, by key, in id order; keys that no product has are left out."""

    def list(self, query: ProductQuery, limit: int | None = None, offset: int = 0) -> list[Product]:
        """Matching products ordered by id, sliced by ``limit``/``offset``."""

    def count(self, query: ProductQuery) -> int:
        """How many products match."""

    def catalogue_version(self) -> int | None:
        """A number drawn afresh by every committed change to which products a listing shows
        and to anything it shows of them but their stock, never repeated; ``None`` if it is
        not kept or not to be trusted."""

    def listing_state(
        self, query: ProductQuery, limit: int | None = None, offset: int = 0
    ) -> ListingState:
        """The catalogue's version and the id and stock of each product ``list`` would give,
        in one statement: a snapshot of their own, whether or not the unit of work has one."""


class ProductImageRepository(Protocol):
    """Products' pictures: the stored copies of each, one per size."""

    def replace(self, product_id: int, variants: Sequence[ImageVariant]) -> None:
        """Store ``variants`` as the product's picture, in place of any it had."""

    def remove(self, product_id: int) -> None:
        """Forget the product's picture, if it has one."""

    def refs(self, product_ids: Collection[int]) -> dict[int, ProductImage]:
        """The pictures of those of these products that have one, without their bytes."""

    def variant(self, product_id: int, size: int) -> ImageVariant | None:
        """The product's picture at this size, with its bytes."""
