"""``webstore orders``: list orders, complete or cancel one."""

from __future__ import annotations

import click

from webstore.application.ordering.orders import OrderCategory
from webstore.application.snapshots import OrderSnapshot
from webstore.application.store import Webstore
from webstore.domain.errors import UserNotFound
from webstore.domain.orders import OrderStatus
from webstore.domain.values import username_key
from webstore.entrypoints.cli.support import friendly_errors, open_store, table

CATEGORY_OF_STATUS = {
    OrderStatus.PENDING: OrderCategory.UNCOMPLETED,
    OrderStatus.COMPLETED: OrderCategory.COMPLETED,
    OrderStatus.CANCELLED: OrderCategory.CANCELLED,
}
IDS_PER_QUERY = 1000  # as many as ``list_users`` takes at once


@click.group()
def orders() -> None:
    """Order administration."""


@orders.command("list")
@click.option("--status", type=click.Choice([status.value for status in OrderStatus]))
@click.option("--user", "username", help="Only this user's orders.")
@friendly_errors
def orders_list(status: str | None, username: str | None) -> None:
    """Orders, newest first: id, time (UTC), customer, status, units and total."""
    store = open_store()
    wanted = None if status is None else OrderStatus(status)
    if username is None:
        category = None if wanted is None else CATEGORY_OF_STATUS[wanted]
        found = store.list_orders(store.operator, category).items
    else:
        user_id = _user_id(store, username)
        found = store.list_orders(store.operator, OrderCategory.USER, user_id).items
        found = [order for order in found if wanted is None or order.status is wanted]
    names = _usernames(store, {order.user_id for order in found})
    rows = [_row(order, names.get(order.user_id, str(order.user_id))) for order in found]
    for line in table(("id", "created", "user", "status", "units", "total"), rows):
        click.echo(line)


@orders.command("complete")
@click.argument("order_id", metavar="ID", type=click.IntRange(min=1))
@friendly_errors
def orders_complete(order_id: int) -> None:
    """Mark a pending order completed."""
    store = open_store()
    store.complete_order(store.operator, order_id)
    click.echo(f"order {order_id} completed")


@orders.command("cancel")
@click.argument("order_id", metavar="ID", type=click.IntRange(min=1))
@friendly_errors
def orders_cancel(order_id: int) -> None:
    """Cancel a pending order; its units go back in stock."""
    store = open_store()
    store.cancel_order(store.operator, order_id)
    click.echo(f"order {order_id} cancelled; its units are back in stock")


def _user_id(store: Webstore, username: str) -> int:
    key = username_key(username)
    for user in store.list_users(store.operator, search=username).items:
        if username_key(user.username) == key:
            return user.id
    raise UserNotFound(username)


def _usernames(store: Webstore, ids: set[int]) -> dict[int, str]:
    ordered = sorted(ids)
    names: dict[int, str] = {}
    for start in range(0, len(ordered), IDS_PER_QUERY):
        chunk = ordered[start : start + IDS_PER_QUERY]
        users = store.list_users(store.operator, ids=chunk).items
        names.update((user.id, user.username) for user in users)
    return names


def _row(order: OrderSnapshot, username: str) -> tuple[object, ...]:
    units = sum(line.quantity for line in order.lines)
    created = order.created_at.strftime("%Y-%m-%d %H:%M")
    return (order.id, created, username, order.status.value, units, order.total_price)
