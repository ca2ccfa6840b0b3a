"""The ``Webstore``'s use cases of orders: place, list, show, complete and cancel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from webstore.application.dto import Page, Principal
from webstore.application.ordering import idempotency, orders, transitions
from webstore.application.ordering.idempotency import IdempotencyRequest, KeyedOrder
from webstore.application.ordering.orders import OrderCategory, OrderItem
from webstore.application.snapshots import OrderSnapshot
from webstore.application.store.wiring import Number, StoreWiring
from webstore.application.versioned import Known, Versioned

# One order line: an ``OrderItem(product_id=3, quantity=2)``, or the HTTP API's mapping
# ``{"product_id": 3, "amount": 2}`` (``amount`` is the quantity ordered).
Item = OrderItem | Mapping[str, object]


class OrderUseCases(StoreWiring):
    """Place orders (once per Idempotency-Key, if asked), list and show them, move them on."""

    def place_order(
        self, actor: Principal, address: str, phone: str, items: Sequence[Item]
    ) -> OrderSnapshot:
        """Reserve the stock of every line and record a pending order, or change nothing.

        Each line is an ``OrderItem(product_id, quantity)`` or a mapping as over HTTP,
        ``{"product_id": 3, "amount": 2}``. The same transaction stores the customer's
        confirmation and the staff's notices in the outbox (``send_pending_mail`` sends them).
        Lines naming one product are merged. Raises
        ``InvalidInput``, ``UnknownProduct`` (no such product on sale) or
        ``InsufficientStock``; ``PermissionDenied`` for the operator.
        """
        return orders.place_order(
            actor, address, phone, items, uow=self.uow, clock=self.clock, mail=self.mail
        )

    def place_order_once(
        self,
        actor: Principal,
        address: str,
        phone: str,
        items: Sequence[Item],
        request: IdempotencyRequest,
    ) -> KeyedOrder:
        """``place_order`` at most once per key and user within 24 hours.

        Sent again with the same key and fingerprint: the first order, ``replayed=True``.
        Raises ``IdempotencyKeyReused`` for the same key with another fingerprint and
        ``IdempotencyConflict`` while the first request with the key is still running.
        """
        return idempotency.place_order_once(
            actor, address, phone, items, request, uow=self.uow, clock=self.clock, mail=self.mail
        )

    def list_orders(
        self,
        actor: Principal,
        category: OrderCategory | str | None = None,
        user_id: Number = None,
        limit: Number = None,
        offset: Number = None,
        *,
        ignore_unused_filters: bool = False,
    ) -> Page[OrderSnapshot]:
        """Orders newest first: a user's own; a superuser's filtered by ``category``.

        ``category`` is an ``OrderCategory`` (``"user"`` needs ``user_id``); none lists every
        order. A filter that would be ignored (a regular user's, or ``user_id`` without
        ``category="user"``) raises ``InvalidInput``, unless ``ignore_unused_filters`` (what
        the HTTP API does). ``limit``/``offset`` as in ``list_products``.
        """
        return orders.list_orders(
            actor, category, user_id, limit, offset, lenient=ignore_unused_filters,
            uow=self.uow, clock=self.clock,
        )  # fmt: skip

    def list_orders_versioned(
        self,
        known: Known,
        actor: Principal,
        category: OrderCategory | str | None = None,
        user_id: Number = None,
        limit: Number = None,
        offset: Number = None,
        *,
        ignore_unused_filters: bool = False,
    ) -> Versioned[OrderSnapshot]:
        """``list_orders`` for a caller that keeps listings: with the version of the orders it
        matches, read in the same snapshot, and no page when ``known(key, version)`` says so."""
        return orders.list_orders_versioned(
            actor, category, user_id, limit, offset, lenient=ignore_unused_filters,
            uow=self.uow, clock=self.clock, known=known,
        )  # fmt: skip

    def get_order(self, actor: Principal, order_id: int) -> OrderSnapshot:
        """One order with its lines: the actor's own, or any for a superuser.

        Raises ``OrderNotFound`` (also for another user's order, as if it did not exist).
        """
        return orders.get_order(actor, order_id, uow=self.uow, clock=self.clock)

    def complete_order(self, actor: Principal, order_id: int) -> OrderSnapshot:
        """Pending -> completed (superusers only).

        Raises ``PermissionDenied``, ``OrderNotFound`` or ``IllegalTransition``.
        """
        return transitions.complete_order(actor, order_id, uow=self.uow, clock=self.clock)

    def cancel_order(self, actor: Principal, order_id: int) -> OrderSnapshot:
        """Pending -> cancelled, its stock returned (a superuser, or the order's owner); the
        owner is mailed a cancellation notice.

        Raises ``OrderNotFound`` (also for another user's order) or ``IllegalTransition``.
        """
        return transitions.cancel_order(actor, order_id, uow=self.uow, clock=self.clock)
