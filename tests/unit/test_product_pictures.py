"""Products' pictures from Python: staff set and remove them; anyone reads a stored copy."""

from __future__ import annotations

import pytest

from tests import pictures as files
from webstore import ImageVariant, Principal, ProductSnapshot, Webstore
from webstore.domain import pictures
from webstore.errors import (
    ImageNotFound,
    InvalidImage,
    InvalidInput,
    PermissionDenied,
    PrincipalRevoked,
    ProductNotFound,
    WebstoreError,
)


def test_a_picture_is_kept_as_a_thumbnail_and_a_large_copy_the_product_names(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot
) -> None:
    product = store.set_product_image(admin, red_chair.id, files.photo(1600, 1200))

    assert product.image is not None
    thumbnail, large = product.image.refs
    assert (thumbnail.size, large.size) == (pictures.THUMBNAIL, pictures.LARGE)
    assert store.get_product(None, red_chair.id) == product
    assert store.list_products().items == [product]
    assert store.list_products(with_images=False).items[0].image is None
    copy = store.get_product_image(red_chair.id)  # the large one, by default
    assert isinstance(copy, ImageVariant)
    assert (copy.digest, copy.content_type, copy.width) == (large.digest, "image/webp", 1200)
    assert store.get_product_image(red_chair.id, 400, thumbnail.digest[:16]).ref == thumbnail


def test_a_copy_is_found_only_by_its_own_digest(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot
) -> None:
    store.set_product_image(admin, red_chair.id, files.photo())
    digest = store.get_product_image(red_chair.id).digest

    assert store.get_product_image(red_chair.id, digest=digest.upper()).digest == digest
    for wrong in ("0" * 64, digest[:15], ""):
        with pytest.raises(ImageNotFound):
            store.get_product_image(red_chair.id, digest=wrong)
    for product_id, size in ((red_chair.id, 800), (99, 1200), (2**70, 1200)):
        with pytest.raises(ImageNotFound):
            store.get_product_image(product_id, size)


def test_removing_the_picture_twice_is_fine(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot
) -> None:
    store.set_product_image(admin, red_chair.id, files.photo())

    store.remove_product_image(admin, red_chair.id)
    store.remove_product_image(admin, red_chair.id)

    assert store.get_product(admin, red_chair.id).image is None
    with pytest.raises(ImageNotFound):
        store.get_product_image(red_chair.id)


def test_only_a_superuser_may_set_or_remove_a_picture(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot
) -> None:
    with pytest.raises(PermissionDenied):
        store.set_product_image(alice, red_chair.id, files.photo())
    with pytest.raises(PermissionDenied):
        store.remove_product_image(alice, red_chair.id)


def test_a_superuser_logged_out_meanwhile_sets_nothing(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot
) -> None:
    store.set_user_active(store.operator, "root", False)

    with pytest.raises(PrincipalRevoked):
        store.set_product_image(admin, red_chair.id, files.photo())


@pytest.mark.parametrize("product_id", [99, 0, 2**63])
def test_an_unknown_product_is_not_found_whatever_the_file(
    store: Webstore, admin: Principal, product_id: int
) -> None:
    with pytest.raises(ProductNotFound):
        store.set_product_image(admin, product_id, files.SVG)
    with pytest.raises(ProductNotFound):
        store.remove_product_image(admin, product_id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", pictures.EMPTY),
        (b"\xff\xd8" + b"\0" * pictures.MAX_UPLOAD_BYTES, "The file is over 5 MiB."),
        (files.SVG, pictures.NOT_AN_IMAGE),
        (files.png_declaring(10_001, 1), pictures.TOO_MANY_PIXELS),
    ],
    ids=["empty", "over-5-mib", "svg", "too-wide"],
)
def test_a_refused_file_is_an_invalid_image_that_changes_nothing(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot, data: bytes, message: str
) -> None:
    kept = store.set_product_image(admin, red_chair.id, files.photo())

    with pytest.raises(InvalidImage) as refusal:
        store.set_product_image(admin, red_chair.id, data)

    assert refusal.value.errors == {"image": [message]}
    assert isinstance(refusal.value, InvalidInput) and isinstance(refusal.value, WebstoreError)
    assert store.get_product(admin, red_chair.id) == kept


def test_a_withdrawn_product_keeps_and_may_get_a_picture(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot
) -> None:
    store.deactivate_product(admin, red_chair.id)

    product = store.set_product_image(admin, red_chair.id, files.photo())

    assert product.is_active is False and product.image is not None
    assert store.update_product(admin, red_chair.id, {"is_active": True}).image == product.image
