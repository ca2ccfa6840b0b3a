"""Products' pictures in SQL: each stored copy a row, its bytes in the row itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import delete, insert, select

from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import product_images
from webstore.domain.pictures import ImageRef, ImageVariant, ProductImage

# Ids per statement when naming the pictures of a listing: databases cap a statement's
# parameters (SQLite at 32766), and a listing without a limit has no cap of its own.
IDS_PER_READ = 500


class SqlAlchemyProductImageRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session

    def replace(self, product_id: int, variants: Sequence[ImageVariant]) -> None:
        self.remove(product_id)
        if not variants:
            return
        self._session.execute(
            insert(product_images),
            [
                {"product_id": product_id, "size": v.size, "digest": v.digest,
                 "content_type": v.content_type, "width": v.width, "height": v.height,
                 "byte_size": len(v.data), "data": v.data}
                for v in variants
            ],
        )  # fmt: skip

    def remove(self, product_id: int) -> None:
        self._session.execute(
            delete(product_images).where(product_images.c.product_id == product_id)
        )

    def refs(self, product_ids: Collection[int]) -> dict[int, ProductImage]:
        found: defaultdict[int, list[ImageRef]] = defaultdict(list)
        wanted = sorted(set(product_ids))
        c = product_images.c
        for start in range(0, len(wanted), IDS_PER_READ):
            statement = (
                select(c.product_id, c.size, c.digest, c.content_type)
                .where(c.product_id.in_(wanted[start : start + IDS_PER_READ]))
                .order_by(c.product_id, c.size)
            )
            for product_id, size, digest, content_type in self._session.execute(statement):
                found[product_id].append(ImageRef(size, digest, content_type))
        return {product_id: ProductImage(tuple(refs)) for product_id, refs in found.items()}

    def variant(self, product_id: int, size: int) -> ImageVariant | None:
        c = product_images.c
        row = self._session.execute(
            select(c.size, c.content_type, c.width, c.height, c.data).where(
                c.product_id == product_id, c.size == size
            )
        ).first()
        return None if row is None else ImageVariant(*row)
