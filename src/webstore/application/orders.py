"""Use cases of orders: place, list, complete and cancel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webstore.application.dto import Page, Principal
from webstore.application.paging import optional_id, pagination
from webstore.application.permissions import require_superuser
from webstore.application.ports import Clock, OrderQuery, UnitOfWork, UnitOfWorkFactory
from webstore.domain import values
from webstore.domain.errors import InvalidInput, OrderNotFound, ProductNotFound
from webstore.domain.orders import Order, OrderLine, OrderStatus, merge_lines

MAX_LINES = 100
CATEGORIES: Mapping[str, OrderStatus | None] = {
    "completed": OrderStatus.COMPLETED,
    "uncompleted": OrderStatus.PENDING,
    "cancelled": OrderStatus.CANCELLED,
}


def _line(raw: Any) -> tuple[int, int]:
    if not isinstance(raw, Mapping):
        kind = type(raw).__name__
        raise values.InvalidValue(f"Invalid data. Expected a dictionary, but got {kind}.")
    clean = values.validated(
        product_id=(values.product_id, raw.get("product_id")),
        amount=(values.order_amount, raw.get("amount")),
    )
    return clean["product_id"], clean["amount"]


def order_items(raw: Any) -> list[tuple[int, int]]:
    """1..100 lines of ``{"product_id", "amount"}``; errors keyed by the line's index."""
    if raw is None:
        raise values.InvalidValue(values.REQUIRED)
    if not isinstance(raw, list):
        raise values.InvalidValue(f'Expected a list of items but got type "{type(raw).__name__}".')
    if not raw:
        raise values.InvalidValue("This list may not be empty.")
    if len(raw) > MAX_LINES:
        raise values.InvalidValue(f"Ensure this field has no more than {MAX_LINES} elements.")
    lines: list[tuple[int, int]] = []
    errors: dict[str, Any] = {}
    for index, item in enumerate(raw):
        try:
            lines.append(_line(item))
        except InvalidInput as problem:
            errors[str(index)] = dict(problem.errors)
        except values.InvalidValue as problem:
            errors[str(index)] = {"non_field_errors": [str(problem)]}
    if errors:
        raise InvalidInput(errors)
    return lines


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """A valid order not yet placed: trimmed address and phone, lines merged by product."""

    address: str
    phone: str
    wanted: dict[int, int]  # product id -> amount

    @classmethod
    def of(cls, address: object, phone: object, items: object) -> OrderDraft:
        clean = values.validated(
            address=(values.address, address),
            phone=(values.phone, phone),
            items=(order_items, items),
        )
        return cls(clean["address"], clean["phone"], merge_lines(clean["items"]))


def take_stock(work: UnitOfWork, actor: Principal, draft: OrderDraft, clock: Clock) -> Order:
    """Reserve every line's stock and add the order, in the caller's unit of work."""
    products = {p.id: p for p in work.products.get_for_update(sorted(draft.wanted))}
    # Every product must exist before any stock is looked at: "does not exist" wins.
    for product_id in draft.wanted:
        if product_id not in products:
            raise ProductNotFound(product_id)
        products[product_id].ensure_orderable()
    lines = []
    for product_id, amount in draft.wanted.items():
        product = products[product_id]
        product.reserve(amount)
        lines.append(OrderLine(product_id, product.name, amount, product.price))
    # Timed once the stock is locked, so that orders are dated in the order they took it.
    order = Order(actor.user_id, draft.address, draft.phone, clock.now(), lines)
    work.orders.add(order)
    return order


def place_order(
    actor: Principal,
    address: object,
    phone: object,
    items: object,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> Order:
    """Take every line's stock and record the order in one transaction, or change nothing."""
    draft = OrderDraft.of(address, phone, items)
    with uow() as work:
        order = take_stock(work, actor, draft, clock)
        work.commit()
    return order


def order_query(actor: Principal, category: object, user_id: object) -> OrderQuery:
    """Superusers filter by category; everybody else sees only their own orders."""
    if not actor.is_superuser:
        return OrderQuery(user_id=actor.user_id)
    if category is None:
        return OrderQuery()
    if category == "user":
        wanted = values.validated(user_id=(optional_id, user_id))["user_id"]
        if wanted is None:
            raise InvalidInput.field("user_id", "A valid integer is required.")
        return OrderQuery(user_id=wanted)
    if isinstance(category, str) and category in CATEGORIES:
        return OrderQuery(status=CATEGORIES[category])
    raise InvalidInput.field("category", f'"{category}" is not a valid choice.')


def orders_version(
    actor: Principal, category: object, user_id: object, *, uow: UnitOfWorkFactory
) -> tuple[OrderQuery, int | None]:
    """What a listing with these filters matches, and the committed version of those orders."""
    query = order_query(actor, category, user_id)
    with uow(read_only=True) as work:
        return query, work.orders.listing_version(query)


def list_orders(
    actor: Principal,
    category: object = None,
    user_id: object = None,
    limit: object = None,
    offset: object = None,
    *,
    uow: UnitOfWorkFactory,
) -> Page[Order]:
    """Orders newest first, with their lines."""
    query = order_query(actor, category, user_id)
    size, start = pagination(limit, offset)
    with uow(read_only=True) as work:
        items = work.orders.list(query, size, start)
        total = len(items) if size is None and start == 0 else work.orders.count(query)
    return Page(items, total)


def complete_order(actor: Principal, order_id: int, *, uow: UnitOfWorkFactory) -> Order:
    """Mark a pending order completed (superusers only)."""
    require_superuser(actor)
    with uow() as work:
        order = work.orders.get_for_update(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        order.complete()
        work.commit()
    return order


def cancel_order(actor: Principal, order_id: int, *, uow: UnitOfWorkFactory) -> Order:
    """Cancel a pending order and put its units back in stock, atomically."""
    with uow() as work:
        order = work.orders.get_for_update(order_id)
        if order is None or not (actor.is_superuser or order.user_id == actor.user_id):
            raise OrderNotFound(order_id)  # another user's order is, to them, not there
        order.cancel()
        returned = sorted({line.product_id for line in order.lines})
        products = {p.id: p for p in work.products.get_for_update(returned)}
        for line in order.lines:
            products[line.product_id].restock(line.amount)
        work.commit()
    return order
