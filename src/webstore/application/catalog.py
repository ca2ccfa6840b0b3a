"""Use cases of the catalogue: list, show, add, change and withdraw products."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from webstore.application.dto import Page, Principal
from webstore.application.paging import pagination
from webstore.application.permissions import require_superuser
from webstore.application.ports import UnitOfWorkFactory
from webstore.domain import values
from webstore.domain.errors import InvalidInput, ProductNotFound
from webstore.domain.products import Product

PRODUCT_RULES = {
    "name": values.product_name,
    "description": values.product_description,
    "price": values.price,
    "amount": values.stock_amount,
}
EDITABLE = (*PRODUCT_RULES, "is_active")


def list_products(
    limit: object = None, offset: object = None, *, uow: UnitOfWorkFactory
) -> Page[Product]:
    """Active products by id; ``total`` counts all of them (one query when not sliced)."""
    size, start = pagination(limit, offset)
    with uow(read_only=True) as work:
        items = work.products.list_active(size, start)
        total = len(items) if size is None and start == 0 else work.products.count_active()
    return Page(items, total)


def catalogue_version(*, uow: UnitOfWorkFactory) -> int | None:
    """The committed catalogue's version: equal versions mean equal listings."""
    with uow(read_only=True) as work:
        return work.products.catalogue_version()


def get_product(actor: Principal, product_id: int, *, uow: UnitOfWorkFactory) -> Product:
    """An active product; superusers also see withdrawn ones."""
    with uow(read_only=True) as work:
        product = work.products.get(product_id)
    if product is None or not (product.is_active or actor.is_superuser):
        raise ProductNotFound(product_id)
    return product


def _clean_product(data: Mapping[str, Any]) -> dict[str, Any]:
    return values.validated(
        **{name: (rule, data.get(name)) for name, rule in PRODUCT_RULES.items()}
    )


def add_product(actor: Principal, data: Mapping[str, Any], *, uow: UnitOfWorkFactory) -> Product:
    """Create a product from ``name``, ``price``, ``amount`` and an optional ``description``."""
    require_superuser(actor)
    product = Product(**_clean_product(data))
    with uow() as work:
        work.products.add(product)
        work.commit()
    return product


def _clean_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    rules = {**PRODUCT_RULES, "is_active": _boolean}
    return values.validated(
        **{name: (rules[name], raw) for name, raw in changes.items() if name in EDITABLE}
    )


def _boolean(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise values.InvalidValue("Must be a valid boolean.")
    return raw


def update_product(
    actor: Principal, product_id: int, changes: Mapping[str, Any], *, uow: UnitOfWorkFactory
) -> Product:
    """Change some of a product's fields (unknown fields are ignored)."""
    require_superuser(actor)
    with uow() as work:
        found = work.products.get_for_update([product_id])
        if not found:
            raise ProductNotFound(product_id)  # before validation, as DRF's get_object()
        product = found[0]
        product.revise(**_clean_changes(changes))
        work.commit()
    return product


def deactivate_product(actor: Principal, product_id: int, *, uow: UnitOfWorkFactory) -> None:
    """Withdraw a product from sale; orders keep their history. Doing it twice is fine."""
    require_superuser(actor)
    with uow() as work:
        found = work.products.get_for_update([product_id])
        if not found:
            raise ProductNotFound(product_id)
        found[0].deactivate()
        work.commit()


def import_products(rows: Iterable[Mapping[str, Any]], *, uow: UnitOfWorkFactory) -> list[Product]:
    """Add every row as a product, or none of them if any row is invalid."""
    products: list[Product] = []
    errors: dict[str, Any] = {}
    for index, row in enumerate(rows):
        try:
            products.append(Product(**_clean_product(row)))
        except InvalidInput as problem:
            errors[str(index)] = dict(problem.errors)
    if errors:
        raise InvalidInput({"rows": errors})
    with uow() as work:
        for product in products:
            work.products.add(product)
        work.commit()
    return products
