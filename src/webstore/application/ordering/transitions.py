"""Use cases that move a placed order on: complete it (staff) or cancel it (staff or owner)."""

from __future__ import annotations

from webstore.application.accounts.actors import live_actor, live_superuser
from webstore.application.dto import Principal
from webstore.application.mail import notices
from webstore.application.mail.notices import Recipient
from webstore.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from webstore.application.snapshots import OrderSnapshot
from webstore.domain.errors import OrderNotFound
from webstore.domain.orders import Order


def complete_order(
    actor: Principal, order_id: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> OrderSnapshot:
    """Mark a pending order completed (superusers only)."""
    with uow() as work:
        live_superuser(work, actor, clock.now())
        order = work.orders.get_for_update(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        order.complete()
        work.commit()
    return OrderSnapshot.of(order)


def cancel_order(
    actor: Principal, order_id: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> OrderSnapshot:
    """Cancel a pending order and put its units back in stock, atomically."""
    with uow() as work:
        current = live_actor(work, actor, clock.now())
        order = work.orders.get_for_update(order_id)
        if order is None or not (current.is_superuser or order.user_id == current.user_id):
            raise OrderNotFound(order_id)  # another user's order is, to them, not there
        returned = sorted({line.product_id for line in order.lines})
        order.cancel({p.product_id: p for p in work.products.get_for_update(returned)})
        notices.order_cancelled(work, order, _owner(work, order, current), clock.now())
        work.commit()
    return OrderSnapshot.of(order)


def _owner(work: UnitOfWork, order: Order, current: Principal) -> Recipient:
    if current.user_id == order.user_id:
        return Recipient(current.username, current.email)
    user = work.users.get(order.user_id)
    assert user is not None  # an order's user is never deleted (foreign key)
    return Recipient(user.username, user.email)
