"""Use cases of products' pictures: set one, remove it, read a stored copy."""

from __future__ import annotations

from webstore.application.accounts.actors import live_superuser
from webstore.application.accounts.permissions import require_superuser
from webstore.application.dto import Principal
from webstore.application.ports import Clock, PictureProcessor, UnitOfWork, UnitOfWorkFactory
from webstore.application.snapshots import ProductSnapshot
from webstore.domain import pictures, values
from webstore.domain.errors import ImageNotFound, ProductNotFound
from webstore.domain.pictures import ImageVariant
from webstore.domain.products import Product


def set_product_image(
    actor: Principal,
    product_id: int,
    data: bytes,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    processor: PictureProcessor,
) -> ProductSnapshot:
    """Make ``data`` the product's picture (withdrawn products too), as fresh copies of it."""
    require_superuser(actor)
    with uow(read_only=True) as work:  # a superuser, and a product, before any decoding
        live_superuser(work, actor, clock.now())
        _product(work, product_id)
    pictures.check_upload(data)
    # Decoded and encoded outside any transaction: it takes a while, and no lock waits on it.
    variants = processor.variants(data)
    with uow() as work:
        live_superuser(work, actor, clock.now())
        product = _product(work, product_id, lock=True)
        work.images.replace(product_id, variants)
        work.commit()
    return ProductSnapshot.of(product, image_of_variants(variants))


def remove_product_image(
    actor: Principal, product_id: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> None:
    """Forget the product's picture; a product without one is fine."""
    require_superuser(actor)
    with uow() as work:
        live_superuser(work, actor, clock.now())
        _product(work, product_id, lock=True)
        work.images.remove(product_id)
        work.commit()


def get_product_image(
    product_id: int, size: int, digest: str | None, *, uow: UnitOfWorkFactory
) -> ImageVariant:
    """A stored copy of the product's picture, for anybody (its URL is public)."""
    with uow(read_only=True) as work:
        found = work.images.variant(product_id, size) if values.is_storable_id(product_id) else None
    if found is None or not pictures.names_variant(found, digest):
        raise ImageNotFound(product_id, size)
    return found


def image_of_variants(variants: list[ImageVariant]) -> pictures.ProductImage:
    return pictures.ProductImage(tuple(variant.ref for variant in variants))


def _product(work: UnitOfWork, product_id: int, *, lock: bool = False) -> Product:
    # Locked to write: two uploads for one product replace its picture one after the other.
    if not values.is_storable_id(product_id):
        raise ProductNotFound(product_id)
    if lock:
        product = next(iter(work.products.get_for_update([product_id])), None)
    else:
        product = work.products.get(product_id)
    if product is None:
        raise ProductNotFound(product_id)
    return product
