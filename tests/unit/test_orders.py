from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from webstore.domain.errors import IllegalTransition
from webstore.domain.orders import Order, OrderLine, OrderStatus, merge_lines
from webstore.domain.values import Money

PLACED = datetime(2026, 11, 26, 20, 12, 30, tzinfo=UTC)


def money(amount: str) -> Money:
    return Money(Decimal(amount))


def tea_party_order() -> Order:
    lines = [
        OrderLine(1, "Red chair", 2, money("19.99")),
        OrderLine(2, "Blue lamp", 3, money("7.50")),
    ]
    return Order(7, "Mad Hatter's table", "+44 20 7946 0000", PLACED, lines, id=11)


def test_a_new_order_is_pending() -> None:
    order = tea_party_order()
    assert order.status is OrderStatus.PENDING
    assert not order.completed


def test_the_total_is_the_sum_of_price_times_amount_over_the_lines() -> None:
    order = tea_party_order()
    assert order.lines[0].subtotal == money("39.98")
    assert order.total_price == money("62.48")


def test_an_order_without_lines_costs_nothing() -> None:
    assert Order(7, "Nowhere", "12345", PLACED).total_price == Money.zero()


def test_a_pending_order_can_be_completed() -> None:
    order = tea_party_order()
    order.complete()
    assert order.status is OrderStatus.COMPLETED
    assert order.completed


def test_a_pending_order_can_be_cancelled() -> None:
    order = tea_party_order()
    order.cancel()
    assert order.status is OrderStatus.CANCELLED
    assert not order.completed


@pytest.mark.parametrize("first", ["complete", "cancel"])
@pytest.mark.parametrize("then", ["complete", "cancel"])
def test_an_order_that_left_pending_never_moves_again(first: str, then: str) -> None:
    order = tea_party_order()
    getattr(order, first)()
    settled = order.status
    with pytest.raises(IllegalTransition) as caught:
        getattr(order, then)()
    assert order.status is settled
    wanted = {"complete": "completed", "cancel": "cancelled"}[then]
    assert str(caught.value) == f"order 11 is {settled} and cannot become {wanted}"


def test_lines_naming_the_same_product_are_merged_in_first_seen_order() -> None:
    assert merge_lines([(3, 1), (1, 2), (3, 4)]) == {3: 5, 1: 2}
    assert list(merge_lines([(3, 1), (1, 2), (3, 4)])) == [3, 1]


def test_orders_are_the_same_when_their_ids_are() -> None:
    assert tea_party_order() == tea_party_order()
    assert Order(7, "a", "12345", PLACED) != Order(7, "a", "12345", PLACED)
