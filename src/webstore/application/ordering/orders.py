"""Use cases of orders: place, list and show (completing and cancelling: ``transitions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from webstore.application import snapshots
from webstore.application.accounts.actors import live_actor, live_customer
from webstore.application.dto import Page, Principal
from webstore.application.mail import notices
from webstore.application.mail.notices import MailPolicy, Recipient
from webstore.application.paging import optional_id, pagination
from webstore.application.ports import Clock, OrderQuery, UnitOfWork, UnitOfWorkFactory
from webstore.application.snapshots import OrderSnapshot
from webstore.application.versioned import Known, Versioned
from webstore.domain import values
from webstore.domain.errors import InvalidInput, OrderNotFound
from webstore.domain.orders import Order, OrderStatus, merge_lines

MAX_LINES = 100


class OrderCategory(StrEnum):
    """The ``category`` filters of ``list_orders`` (a superuser's); plain strings work too."""

    COMPLETED = "completed"  # completed orders
    UNCOMPLETED = "uncompleted"  # pending orders: neither completed nor cancelled
    CANCELLED = "cancelled"  # cancelled orders
    USER = "user"  # the orders of the user named by ``user_id``


CATEGORIES: Mapping[str, OrderStatus | None] = {
    OrderCategory.COMPLETED: OrderStatus.COMPLETED,
    OrderCategory.UNCOMPLETED: OrderStatus.PENDING,
    OrderCategory.CANCELLED: OrderStatus.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One line of an order to place: a product and how many of it (``quantity``).

    ``place_order`` takes these, or mappings as the HTTP API sends them:
    ``{"product_id": 3, "amount": 2}``.
    """

    product_id: int
    quantity: int


def _line(raw: Any) -> tuple[int, int]:
    if isinstance(raw, OrderItem):
        clean = values.validated(
            product_id=(values.product_id, raw.product_id),
            quantity=(values.order_amount, raw.quantity),
        )
        return clean["product_id"], clean["quantity"]
    if not isinstance(raw, Mapping):
        kind = values.json_type(raw)
        raise values.InvalidValue(f"Invalid data. Expected a dictionary, but got {kind}.")
    clean = values.validated(
        product_id=(values.product_id, raw.get("product_id", values.MISSING)),
        amount=(values.order_amount, raw.get("amount", values.MISSING)),
    )
    return clean["product_id"], clean["amount"]


def order_items(raw: Any) -> list[tuple[int, int]]:
    """1..100 lines of ``{"product_id", "amount"}`` or ``OrderItem``s, in a list (or a tuple,
    from Python); errors keyed by the line's index."""
    if not isinstance(values.present(raw), list | tuple):
        kind = values.json_type(raw)
        raise values.InvalidValue(f'Expected a list of items but got type "{kind}".')
    if not raw:
        raise values.InvalidValue("This list may not be empty.")
    if len(raw) > MAX_LINES:
        raise values.InvalidValue(f"Ensure this field has no more than {MAX_LINES} elements.")
    lines: list[tuple[int, int]] = []
    errors: dict[str, Any] = {}
    for index, item in enumerate(raw):
        if item is None:
            errors[str(index)] = [values.NOT_NULL]
            continue
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
    wanted: dict[int, int]  # product id -> quantity

    @classmethod
    def of(cls, address: object, phone: object, items: object) -> OrderDraft:
        clean = values.validated(
            address=(values.address, address),
            phone=(values.phone, phone),
            items=(order_items, items),
        )
        return cls(clean["address"], clean["phone"], merge_lines(clean["items"]))


def place_draft(
    work: UnitOfWork, actor: Principal, draft: OrderDraft, clock: Clock, mail: MailPolicy
) -> Order:
    """Place ``draft`` for the live ``actor`` in the caller's unit of work (see ``Order.place``),
    with its confirmation and staff notices in the outbox."""
    buyer = live_customer(work, actor, clock.now())
    locked = work.products.get_for_update(sorted(draft.wanted), for_order=True)
    products = {p.id: p for p in locked}
    order = Order.place(
        user_id=buyer.user_id,
        address=draft.address,
        phone=draft.phone,
        wanted=draft.wanted,
        products={pid: p for pid, p in products.items() if pid is not None},
        # Timed once the stock is locked, so that orders are dated in the order they took it.
        now=clock.now(),
    )
    work.orders.add(order)
    notices.order_placed(
        work, order, Recipient(buyer.username, buyer.email), mail, order.created_at
    )
    return order


def place_order(
    actor: Principal,
    address: object,
    phone: object,
    items: object,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    mail: MailPolicy,
) -> OrderSnapshot:
    """Take every line's stock and record the order in one transaction, or change nothing."""
    draft = OrderDraft.of(address, phone, items)
    with uow() as work:
        order = place_draft(work, actor, draft, clock, mail)
        work.commit()
    return OrderSnapshot.of(order)


def order_query(
    actor: Principal, category: object, user_id: object, *, lenient: bool = False
) -> OrderQuery:
    """Superusers filter by category; everybody else sees only their own orders.

    A filter that would be ignored (any filter of a regular user, ``user_id`` without
    ``category="user"``) is refused, unless ``lenient``: the HTTP API ignores them, as the
    original did.
    """
    if not actor.is_superuser:
        if not lenient and (category is not None or user_id is not None):
            raise InvalidInput.field(
                "category" if category is not None else "user_id",
                "Only a superuser can filter orders; a user always gets their own.",
            )
        return OrderQuery(user_id=actor.user_id)
    if category != "user" and user_id is not None and not lenient:
        raise InvalidInput.field("user_id", 'user_id filters orders only with category="user".')
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


def list_orders(
    actor: Principal,
    category: object = None,
    user_id: object = None,
    limit: object = None,
    offset: object = None,
    *,
    lenient: bool = False,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> Page[OrderSnapshot]:
    """Orders newest first, with their lines."""
    listing = _listing(
        actor, category, user_id, limit, offset, lenient=lenient, uow=uow, clock=clock,
        known=None,
    )  # fmt: skip
    assert listing.page is not None  # nothing is known without ``known``
    return listing.page


def list_orders_versioned(
    actor: Principal,
    category: object = None,
    user_id: object = None,
    limit: object = None,
    offset: object = None,
    *,
    lenient: bool = False,
    uow: UnitOfWorkFactory,
    clock: Clock,
    known: Known,
) -> Versioned[OrderSnapshot]:
    """``list_orders`` with the version of the orders it matches, read first in the same unit
    of work; no rows are read when ``known`` says the caller keeps that version."""
    return _listing(
        actor, category, user_id, limit, offset, lenient=lenient, uow=uow, clock=clock,
        known=known,
    )  # fmt: skip


def _listing(
    actor: Principal,
    category: object,
    user_id: object,
    limit: object,
    offset: object,
    *,
    lenient: bool,
    uow: UnitOfWorkFactory,
    clock: Clock,
    known: Known | None,
) -> Versioned[OrderSnapshot]:
    claimed = order_query(actor, category, user_id, lenient=lenient)  # bad filters first
    size, start = pagination(limit, offset)
    with uow(read_only=True) as work:
        if known is not None:
            # The version of what the actor matched when authenticated, read with the recheck
            # of its session (storage that can sends both as one statement).
            if actor.session_id is not None:
                work.sessions.prefetch(actor.session_id, actor.user_id)
            claimed_version = work.orders.listing_version(claimed, alone=True)
        current = live_actor(work, actor, clock.now())
        # The rechecked principal decides what matches: a listing is keyed by that, whoever
        # asks for it.
        query = order_query(current, category, user_id, lenient=lenient)
        key = (query, size, start)
        if known is not None:
            kept = (
                claimed_version
                if query == claimed
                else work.orders.listing_version(query, alone=True)
            )
            if kept is not None and known(key, kept):
                return Versioned(key, kept, None)
        # Not kept: the version again, the rows and their count, in one snapshot (one
        # statement where storage can).
        listed = work.orders.listing(query, size, start, versioned=known is not None)
    return Versioned(key, listed.version, Page(snapshots.orders(listed.orders), listed.total))


def get_order(
    actor: Principal, order_id: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> OrderSnapshot:
    """One order with its lines: the owner's, or any for a superuser."""
    with uow(read_only=True) as work:
        current = live_actor(work, actor, clock.now())
        order = work.orders.get(order_id) if values.is_storable_id(order_id) else None
        if order is None or not (current.is_superuser or order.user_id == current.user_id):
            raise OrderNotFound(order_id)  # another user's order is, to them, not there
        return OrderSnapshot.of(order)
