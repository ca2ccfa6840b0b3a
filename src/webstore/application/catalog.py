"""Use cases of the catalogue: list, show, add, change and withdraw products."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from webstore.application.dto import Page, Principal
from webstore.application.paging import page_checks
from webstore.application.permissions import require_superuser
from webstore.application.ports import ProductQuery, UnitOfWorkFactory
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
    limit: object = None, offset: object = None, search: object = None, *, uow: UnitOfWorkFactory
) -> Page[Product]:
    """Active products by id, those whose name contains ``search`` (any case) if it is given;
    ``total`` counts every match (one query when not sliced)."""
    return _listing(ProductQuery(), limit, offset, search, uow=uow)


def list_all_products(
    actor: Principal,
    limit: object = None,
    offset: object = None,
    search: object = None,
    *,
    uow: UnitOfWorkFactory,
) -> Page[Product]:
    """As ``list_products``, deactivated products included: the superuser's catalogue."""
    require_superuser(actor)
    return _listing(ProductQuery(include_inactive=True), limit, offset, search, uow=uow)


def _listing(
    query: ProductQuery, limit: object, offset: object, search: object, *, uow: UnitOfWorkFactory
) -> Page[Product]:
    clean = values.validated(**page_checks(limit, offset), search=(_search, search))
    size, start = clean["limit"], clean["offset"] or 0
    query = replace(query, name_key_contains=clean["search"])
    with uow(read_only=True) as work:
        items = work.products.list(query, size, start)
        total = len(items) if size is None and start == 0 else work.products.count(query)
    return Page(items, total)


def _search(raw: object) -> str | None:
    """The key a search looks for; ``None`` (no filter) when absent or blank."""
    if raw is None:
        return None
    return values.search_key(values.search_text(raw)) or None


def get_product(actor: Principal, product_id: int, *, uow: UnitOfWorkFactory) -> Product:
    """An active product; superusers also see withdrawn ones."""
    with uow(read_only=True) as work:
        product = work.products.get(product_id)
    if product is None or not (product.is_active or actor.is_superuser):
        raise ProductNotFound(product_id)
    return product


def clean_product(data: Mapping[str, Any]) -> dict[str, Any]:
    return values.validated(
        **{name: (rule, data.get(name)) for name, rule in PRODUCT_RULES.items()}
    )


def add_product(actor: Principal, data: Mapping[str, Any], *, uow: UnitOfWorkFactory) -> Product:
    """Create a product from ``name``, ``price``, ``amount`` and an optional ``description``."""
    require_superuser(actor)
    product = Product(**clean_product(data))
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
            products.append(Product(**clean_product(row)))
        except InvalidInput as problem:
            errors[str(index)] = dict(problem.errors)
    if errors:
        raise InvalidInput({"rows": errors})
    store_products(products, uow=uow)
    return products


def store_products(products: list[Product], *, uow: UnitOfWorkFactory) -> None:
    """Add checked products, all in one transaction."""
    with uow() as work:
        work.products.add_all(products)
        work.commit()
