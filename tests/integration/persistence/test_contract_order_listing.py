"""An order listing read whole (``OrderRepository.listing``) is the listing read piece by piece:
on PostgreSQL a user's orders come in one statement, which must answer the very same orders,
lines, count and version as the version, the page, the lines and the count read apart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.persistence.helpers import NOW, Backend, add_product, add_user, money
from webstore.application import snapshots
from webstore.application.ports import OrderQuery
from webstore.domain.orders import Order, OrderLine, OrderStatus

PRICES = ["0.01", "19.99", "20.00", "99999999.99", "5.50"]
SLICES = [(None, 0), (3, 0), (3, 3), (2, 5), (None, 4), (1, 0), (4, 100), (1000, 0)]


def _fill(backend: Backend) -> tuple[int, int, int]:
    """Two users with orders (ties in time among them) and one without."""
    alice, bob, carol = (add_user(backend.uow, name) for name in ("alice", "bob", "carol"))
    products = [add_product(backend.uow, f"ITEM-{n}", PRICES[n]) for n in range(5)]
    with backend.uow() as work:
        for n in range(9):
            lines = [
                OrderLine(pid, f"Stühl «{pid}» {n}", 1 + (n + k) % 4, money(PRICES[k]))
                for k, pid in enumerate(products[: 1 + n % 5])
            ]
            when = NOW - timedelta(minutes=n // 3)  # three orders at each moment
            order = Order(alice, f"{n} Main Street", "+1 555 0100", when, lines)
            if n == 4:
                order.status = OrderStatus.CANCELLED
            work.orders.add(order)
            work.orders.add(Order(bob, "2 Side Road", "+1 555 0101", when, lines[:1]))
        work.commit()
    return alice, bob, carol


@pytest.mark.parametrize("who", [0, 1, 2])
def test_a_listing_read_whole_is_the_listing_read_apart(backend: Backend, who: int) -> None:
    query = OrderQuery(user_id=_fill(backend)[who])
    for limit, offset in SLICES:
        with backend.uow(read_only=True) as work:
            whole = work.orders.listing(query, limit, offset, versioned=True)
            unversioned = work.orders.listing(query, limit, offset, versioned=False)
        with backend.uow(read_only=True) as work:
            version = work.orders.listing_version(query)
            items = work.orders.list(query, limit, offset)
            total = work.orders.count(query)
        assert repr(snapshots.orders(whole.orders)) == repr(snapshots.orders(items))
        assert [len(order.lines) for order in items] == [len(o.lines) for o in whole.orders]
        assert (whole.version, whole.total) == (version, total)
        assert unversioned.version is None
        assert repr(unversioned.orders) == repr(whole.orders)
        assert unversioned.total == total
