"""Products' pictures: the same storage on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.persistence.helpers import Backend, add_product, query, statements
from webstore.adapters.sql.pictures import IDS_PER_READ
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.domain.pictures import ImageRef, ImageVariant, ProductImage


def variant(size: int, fill: bytes = b"x") -> ImageVariant:
    return ImageVariant(size, "image/webp", size, size // 2, fill * (size * 10))


PICTURE = [variant(400, b"a"), variant(1200, b"b")]


def refs(variants: list[ImageVariant]) -> ProductImage:
    return ProductImage(tuple(v.ref for v in variants))


def replace(backend: Backend, product_id: int, variants: list[ImageVariant]) -> None:
    with backend.uow() as work:
        work.images.replace(product_id, variants)
        work.commit()


def test_a_picture_is_kept_with_its_bytes_and_named_without_them(backend: Backend) -> None:
    chair = add_product(backend.uow, "RED-CHAIR")
    replace(backend, chair, PICTURE)

    with backend.uow(read_only=True) as work:
        assert work.images.refs([chair]) == {chair: refs(PICTURE)}
        assert work.images.variant(chair, 1200) == PICTURE[1]
        assert work.images.variant(chair, 400) == PICTURE[0]
        assert work.images.variant(chair, 800) is None


def test_a_new_picture_replaces_every_copy_of_the_old(backend: Backend) -> None:
    chair = add_product(backend.uow, "RED-CHAIR")
    replace(backend, chair, PICTURE)
    newer = [variant(400, b"c")]  # a smaller picture: one copy fewer

    replace(backend, chair, newer)

    with backend.uow(read_only=True) as work:
        assert work.images.refs([chair]) == {chair: refs(newer)}
        assert work.images.variant(chair, 1200) is None


def test_removing_forgets_the_picture_and_twice_is_fine(backend: Backend) -> None:
    chair, table = add_product(backend.uow, "RED-CHAIR"), add_product(backend.uow, "OAK-TABLE")
    replace(backend, chair, PICTURE)
    replace(backend, table, PICTURE)

    for _ in range(2):
        with backend.uow() as work:
            work.images.remove(chair)
            work.commit()

    with backend.uow(read_only=True) as work:
        assert work.images.refs([chair, table]) == {table: refs(PICTURE)}


def test_nothing_is_kept_without_a_commit(backend: Backend) -> None:
    chair = add_product(backend.uow, "RED-CHAIR")
    with backend.uow() as work:
        work.images.replace(chair, PICTURE)

    with backend.uow(read_only=True) as work:
        assert work.images.refs([chair]) == {}


def test_a_listing_names_the_pictures_of_any_number_of_products(backend: Backend) -> None:
    ids = [add_product(backend.uow, f"ITEM-{n}") for n in range(3)]
    replace(backend, ids[1], PICTURE)
    many = list(range(1, 2 * IDS_PER_READ + 10)) + ids

    with backend.uow(read_only=True) as work:
        assert work.images.refs(many) == {ids[1]: refs(PICTURE)}
        assert work.images.refs([]) == {}


def test_the_catalogue_version_is_drawn_afresh_with_every_change_to_a_picture(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    chair = add_product(sql_uow, "RED-CHAIR")

    def version() -> int | None:
        with sql_uow(read_only=True) as work:
            return work.products.catalogue_version()

    seen = [version()]
    for change in (PICTURE, [variant(400, b"z")], []):
        with sql_uow() as work:
            work.images.replace(chair, change)
            work.commit()
        seen.append(version())

    assert len(set(seen)) == len(seen), seen  # every change drew a value never seen before


def test_naming_the_pictures_of_a_listing_never_reads_their_bytes(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    chair = add_product(sql_uow, "RED-CHAIR")
    replace(Backend("sql", sql_uow), chair, PICTURE)

    with sql_uow(read_only=True) as work:
        work.ping()
        with statements(sql_uow.engine) as seen:
            work.images.refs([chair])

    assert len(seen) == 1
    assert "data" not in seen[0][0].split("FROM")[0]


def test_a_picture_needs_an_existing_product(sql_uow: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(sa.exc.IntegrityError), sql_uow() as work:
        work.images.replace(999, PICTURE)
        work.commit()


def test_each_copy_is_stored_with_its_digest_type_dimensions_and_size(sql_url: str) -> None:
    uow = SqlAlchemyUnitOfWorkFactory.from_url(sql_url)
    try:
        chair = add_product(uow, "RED-CHAIR")
        replace(Backend("sql", uow), chair, PICTURE)
    finally:
        uow.dispose()

    rows = query(
        sql_url,
        "SELECT size, digest, content_type, width, height, byte_size FROM product_images"
        " ORDER BY size",
    )
    assert [tuple(row) for row in rows] == [
        (v.size, v.digest, "image/webp", v.width, v.height, len(v.data)) for v in PICTURE
    ]
    assert ImageRef(400, PICTURE[0].digest, "image/webp") == PICTURE[0].ref
