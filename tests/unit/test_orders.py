from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from webstore.domain.errors import IllegalTransition, InsufficientStock, UnknownProduct
from webstore.domain.orders import Order, OrderLine, OrderStatus, merge_lines
from webstore.domain.products import Product
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


def shelf(chairs: int = 10, lamps: int = 10) -> dict[int, Product]:
    return {
        1: Product("Red chair", money("19.99"), chairs, id=1),
        2: Product("Blue lamp", money("7.50"), lamps, id=2),
    }


def place(products: dict[int, Product], wanted: dict[int, int]) -> Order:
    return Order.place(
        user_id=7, address="1 Main St", phone="12345", wanted=wanted, products=products, now=PLACED
    )


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


def test_a_pending_order_can_be_cancelled_and_its_stock_returns() -> None:
    order, products = tea_party_order(), shelf(chairs=0, lamps=1)
    order.cancel(products)
    assert order.status is OrderStatus.CANCELLED
    assert not order.completed
    assert (products[1].stock, products[2].stock) == (2, 4)


def test_cancelling_without_the_ordered_products_changes_nothing() -> None:
    order = tea_party_order()
    with pytest.raises(ValueError, match=r"\[2\]"):
        order.cancel({1: shelf()[1]})
    assert order.status is OrderStatus.PENDING


def test_placing_an_order_reserves_every_line_at_the_price_of_the_day() -> None:
    products = shelf(chairs=3, lamps=5)
    order = place(products, {2: 4, 1: 3})
    assert [(line.product_id, line.quantity, str(line.price)) for line in order.lines] == [
        (2, 4, "7.50"),
        (1, 3, "19.99"),
    ]
    assert (order.status, order.user_id, order.created_at) == (OrderStatus.PENDING, 7, PLACED)
    assert (products[1].stock, products[2].stock) == (0, 1)


def test_an_order_naming_an_unknown_product_takes_no_stock_even_before_it() -> None:
    products = shelf()
    with pytest.raises(UnknownProduct, match=r"^product 9 does not exist$"):
        place(products, {1: 1, 9: 1})
    assert (products[1].stock, products[2].stock) == (10, 10)


def test_a_withdrawn_product_is_unknown_to_an_order() -> None:
    products = shelf()
    products[2].deactivate()
    with pytest.raises(UnknownProduct):
        place(products, {1: 1, 2: 1})
    assert products[1].stock == 10


def test_an_order_short_of_stock_on_any_line_takes_none() -> None:
    products = shelf(chairs=10, lamps=1)
    with pytest.raises(InsufficientStock):
        place(products, {1: 5, 2: 2})
    assert (products[1].stock, products[2].stock) == (10, 1)


def test_an_unknown_product_is_reported_before_a_line_short_of_stock() -> None:
    with pytest.raises(UnknownProduct):
        place(shelf(chairs=0), {1: 1, 9: 1})


@pytest.mark.parametrize("first", ["complete", "cancel"])
@pytest.mark.parametrize("then", ["complete", "cancel"])
def test_an_order_that_left_pending_never_moves_again(first: str, then: str) -> None:
    order = tea_party_order()
    act = {"complete": order.complete, "cancel": lambda: order.cancel(shelf())}
    act[first]()
    settled = order.status
    with pytest.raises(IllegalTransition) as caught:
        act[then]()
    assert order.status is settled
    wanted = {"complete": "completed", "cancel": "cancelled"}[then]
    assert str(caught.value) == f"order 11 is {settled} and cannot become {wanted}"


def test_lines_naming_the_same_product_are_merged_in_first_seen_order() -> None:
    assert merge_lines([(3, 1), (1, 2), (3, 4)]) == {3: 5, 1: 2}
    assert list(merge_lines([(3, 1), (1, 2), (3, 4)])) == [3, 1]


def test_orders_are_the_same_when_their_ids_are() -> None:
    assert tea_party_order() == tea_party_order()
    assert Order(7, "a", "12345", PLACED) != Order(7, "a", "12345", PLACED)
