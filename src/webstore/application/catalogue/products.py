"""Use cases of the catalogue: list, show, add, change and withdraw products."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from webstore.application import snapshots
from webstore.application.accounts.actors import live_actor, live_superuser
from webstore.application.accounts.permissions import require_superuser
from webstore.application.dto import Page, Principal
from webstore.application.errors import PermissionDenied
from webstore.application.paging import page_checks, search_filter
from webstore.application.ports import Clock, ProductQuery, UnitOfWork, UnitOfWorkFactory
from webstore.application.snapshots import ProductSnapshot
from webstore.application.versioned import Known, PageStock, Versioned
from webstore.domain import values
from webstore.domain.errors import InvalidInput, ProductNotFound
from webstore.domain.pictures import ProductImage
from webstore.domain.products import Product

PRODUCT_RULES = {
    "name": values.product_name,
    "description": values.product_description,
    "price": values.price,
    "amount": values.stock_amount,
}
EDITING_RULES = {**PRODUCT_RULES, "is_active": values.boolean}
EDITABLE = tuple(EDITING_RULES)  # the wire's names; Python callers may say ``stock`` too


def list_products(
    limit: object = None,
    offset: object = None,
    search: object = None,
    *,
    actor: Principal | None = None,
    include_inactive: bool = False,
    with_images: bool = True,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> Page[ProductSnapshot]:
    """Active products by id (with ``include_inactive``, a superuser's: all of them), those
    whose name contains ``search`` (any case) if it is given.

    ``total`` counts every match (one query when not sliced). Reading the active catalogue
    needs no actor; the withdrawn products are a superuser's to see, and anybody else hears
    so before their filters are checked. ``with_images=False`` skips reading the pictures.
    """
    listing = _listing(
        limit, offset, search, actor=actor, include_inactive=include_inactive,
        with_images=with_images, uow=uow, clock=clock, known=None,
    )  # fmt: skip
    assert listing.page is not None  # nothing is known without ``known``
    return listing.page


def list_products_versioned(
    limit: object = None,
    offset: object = None,
    search: object = None,
    *,
    actor: Principal | None = None,
    include_inactive: bool = False,
    with_images: bool = True,
    uow: UnitOfWorkFactory,
    clock: Clock,
    known: Known,
) -> Versioned[ProductSnapshot]:
    """``list_products`` with the catalogue's version, read first in the same unit of work;
    no rows are read when ``known`` says the caller keeps that version of the listing."""
    return _listing(
        limit, offset, search, actor=actor, include_inactive=include_inactive,
        with_images=with_images, uow=uow, clock=clock, known=known,
    )  # fmt: skip


def _listing(
    limit: object,
    offset: object,
    search: object,
    *,
    actor: Principal | None,
    include_inactive: bool,
    with_images: bool,
    uow: UnitOfWorkFactory,
    clock: Clock,
    known: Known | None,
) -> Versioned[ProductSnapshot]:
    admin = _claimed_superuser(actor) if include_inactive else None
    clean = values.validated(**page_checks(limit, offset), search=(search_filter, search))
    size, start = clean["limit"], clean["offset"] or 0
    query = ProductQuery(include_inactive=include_inactive, name_key_contains=clean["search"])
    key = (query, size, start)
    with uow(read_only=True) as work:
        if admin is not None:
            live_superuser(work, admin, clock.now())
        if known is not None:
            # Kept bytes hold no stock: the version and the page's stock, in one statement.
            state = work.products.listing_state(query, size, start)
            if state.version is not None and known(key, state.version):
                return Versioned(key, state.version, None, state.stock)
        # Not kept: the version again, and the rows, in one snapshot.
        version = None if known is None else work.products.catalogue_version()
        items = work.products.list(query, size, start)
        total = len(items) if size is None and start == 0 else work.products.count(query)
        # A picture's change draws the catalogue's version too (migration 0020).
        images = work.images.refs([item.product_id for item in items]) if with_images else None
    page = Page(snapshots.products(items, images), total)
    return Versioned(key, version, page, PageStock.of((p.id, p.stock) for p in page.items))


def _claimed_superuser(actor: Principal | None) -> Principal:
    if actor is None:
        raise PermissionDenied()
    require_superuser(actor)
    return actor


def get_product(
    actor: Principal | None,
    product_id: int,
    *,
    with_image: bool = True,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> ProductSnapshot:
    """An active product (to anybody, ``actor`` ``None``); superusers also see withdrawn ones."""
    with uow(read_only=True) as work:
        staff = actor is not None and live_actor(work, actor, clock.now()).is_superuser
        product = work.products.get(product_id) if values.is_storable_id(product_id) else None
        if product is None or not (product.is_active or staff):
            raise ProductNotFound(product_id)
        return ProductSnapshot.of(product, image_of(work, product_id) if with_image else None)


def image_of(work: UnitOfWork, product_id: int) -> ProductImage | None:
    """The product's picture, as answers name it."""
    return work.images.refs([product_id]).get(product_id)


def clean_product(data: Mapping[str, Any]) -> dict[str, Any]:
    rules = _rules(data, PRODUCT_RULES)
    return _as_fields(
        values.validated(
            **{name: (rule, data.get(name, values.MISSING)) for name, rule in rules.items()}
        )
    )


def _rules(data: Mapping[str, Any], rules: Mapping[str, Any]) -> dict[str, Any]:
    """``rules``, with the stock's under ``stock`` if ``data`` names it so (Python's name for
    what the wire calls ``amount``); both at once are refused."""
    if "stock" not in data:
        return dict(rules)
    if "amount" in data:
        raise InvalidInput.field("stock", "Give the stock as stock or as amount, not both.")
    return {("stock" if name == "amount" else name): rule for name, rule in rules.items()}


def _as_fields(clean: dict[str, Any]) -> dict[str, Any]:
    # The wire's "amount" is the product's stock.
    return {("stock" if name == "amount" else name): value for name, value in clean.items()}


def add_product(
    actor: Principal, data: Mapping[str, Any], *, uow: UnitOfWorkFactory, clock: Clock
) -> ProductSnapshot:
    """Create a product from ``name``, ``price``, ``amount`` and an optional ``description``."""
    require_superuser(actor)  # the claim, so that a regular user hears "no" before "invalid"
    product = Product(**clean_product(data))
    with uow() as work:
        live_superuser(work, actor, clock.now())
        work.products.add(product)
        work.commit()
    return ProductSnapshot.of(product)


def _clean_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    rules = _rules(changes, EDITING_RULES)
    return _as_fields(
        values.validated(
            **{name: (rule, changes[name]) for name, rule in rules.items() if name in changes}
        )
    )


def update_product(
    actor: Principal,
    product_id: int,
    changes: Mapping[str, Any],
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> ProductSnapshot:
    """Change some of a product's fields (unknown fields are ignored)."""
    require_superuser(actor)
    with uow() as work:
        live_superuser(work, actor, clock.now())
        found = work.products.get_for_update([product_id])
        if not found:
            raise ProductNotFound(product_id)  # before validation, as DRF's get_object()
        product = found[0]
        product.revise(**_clean_changes(changes))
        image = image_of(work, product_id)
        work.commit()
    return ProductSnapshot.of(product, image)


def deactivate_product(
    actor: Principal, product_id: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> None:
    """Withdraw a product from sale; orders keep their history. Doing it twice is fine."""
    require_superuser(actor)
    with uow() as work:
        live_superuser(work, actor, clock.now())
        found = work.products.get_for_update([product_id])
        if not found:
            raise ProductNotFound(product_id)
        found[0].deactivate()
        work.commit()


def import_products(
    actor: Principal,
    rows: Iterable[Mapping[str, Any]],
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> list[ProductSnapshot]:
    """Add every row as a product, or none of them if any row is invalid (superusers only)."""
    require_superuser(actor)
    products: list[Product] = []
    errors: dict[str, Any] = {}
    for index, row in enumerate(rows):
        try:
            products.append(Product(**clean_product(row)))
        except InvalidInput as problem:
            errors[str(index)] = dict(problem.errors)
    if errors:
        raise InvalidInput({"rows": errors})
    store_products(actor, products, uow=uow, clock=clock)
    return snapshots.products(products)


def store_products(
    actor: Principal, products: list[Product], *, uow: UnitOfWorkFactory, clock: Clock
) -> None:
    """Add checked products, all in one transaction, for a superuser that is still one."""
    with uow() as work:
        live_superuser(work, actor, clock.now())
        work.products.add_all(products)
        work.commit()
