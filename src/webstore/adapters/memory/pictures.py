"""Products' pictures in memory: each stored copy kept under its product and size."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from webstore.adapters.memory.tables import Table
from webstore.domain.pictures import ImageVariant, ProductImage


@dataclass(frozen=True, slots=True)
class StoredImage:
    product_id: int
    variant: ImageVariant


def product_and_size(stored: StoredImage) -> tuple[int, int]:
    return stored.product_id, stored.variant.size


class InMemoryProductImageRepository:
    def __init__(self, table: Table[tuple[int, int], StoredImage]) -> None:
        self._table = table

    def replace(self, product_id: int, variants: Sequence[ImageVariant]) -> None:
        self.remove(product_id)
        for variant in variants:
            self._table.put(StoredImage(product_id, variant))

    def remove(self, product_id: int) -> None:
        for key in self._table.keys_where(lambda stored: stored.product_id == product_id):
            self._table.remove(key)

    def refs(self, product_ids: Collection[int]) -> dict[int, ProductImage]:
        wanted = set(product_ids)
        keys = sorted(self._table.keys_where(lambda stored: stored.product_id in wanted))
        found: dict[int, ProductImage] = {}
        for key in keys:
            stored = self._table.get(key)
            if stored is not None:
                image = found.get(stored.product_id, ProductImage(()))
                found[stored.product_id] = ProductImage((*image.refs, stored.variant.ref))
        return found

    def variant(self, product_id: int, size: int) -> ImageVariant | None:
        stored = self._table.get((product_id, size))
        return None if stored is None else stored.variant
