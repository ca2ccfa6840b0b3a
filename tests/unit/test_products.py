from __future__ import annotations

from decimal import Decimal

import pytest

from webstore.domain.errors import InsufficientStock, UnknownProduct
from webstore.domain.products import Product
from webstore.domain.values import Money


def red_chair(stock: int = 5) -> Product:
    return Product("Red chair", Money(Decimal("19.99")), stock, "Oak, painted red", id=3)


def test_reserving_takes_units_out_of_stock() -> None:
    chair = red_chair(5)
    chair.reserve(2)
    assert chair.stock == 3


def test_the_whole_stock_can_be_reserved() -> None:
    chair = red_chair(5)
    chair.reserve(5)
    assert chair.stock == 0


def test_reserving_more_than_the_stock_says_how_many_and_takes_nothing() -> None:
    chair = red_chair(2)
    with pytest.raises(InsufficientStock) as caught:
        chair.reserve(5)
    assert (caught.value.product_id, caught.value.requested, caught.value.available) == (3, 5, 2)
    assert str(caught.value) == "not enough stock for product 3: requested 5, available 2"
    assert chair.stock == 2


def test_a_deactivated_product_cannot_be_reserved_as_if_it_did_not_exist() -> None:
    chair = red_chair(5)
    chair.deactivate()
    with pytest.raises(UnknownProduct, match="product 3 does not exist"):
        chair.reserve(1)
    assert chair.stock == 5


@pytest.mark.parametrize("quantity", [0, -1])
def test_reserving_or_restocking_nothing_or_less_is_a_programming_error(quantity: int) -> None:
    chair = red_chair(5)
    with pytest.raises(ValueError):
        chair.reserve(quantity)
    with pytest.raises(ValueError):
        chair.restock(quantity)
    assert chair.stock == 5


def test_restocking_puts_units_back() -> None:
    chair = red_chair(0)
    chair.restock(4)
    assert chair.stock == 4


def test_a_deactivated_product_can_still_take_back_its_units() -> None:
    chair = red_chair(1)
    chair.deactivate()
    chair.restock(2)
    assert chair.stock == 3


def test_revising_changes_only_the_given_fields() -> None:
    chair = red_chair(5)
    chair.revise(price=Money(Decimal("24.50")), stock=0)
    assert (chair.name, chair.description) == ("Red chair", "Oak, painted red")
    assert (chair.price, chair.stock, chair.is_active) == (Money(Decimal("24.50")), 0, True)


def test_revising_can_rename_describe_and_withdraw_a_product() -> None:
    chair = red_chair(5)
    chair.revise(name="Crimson chair", description="", is_active=False)
    assert (chair.name, chair.description, chair.is_active) == ("Crimson chair", "", False)


def test_revising_never_sets_a_negative_stock() -> None:
    chair = red_chair(5)
    with pytest.raises(ValueError):
        chair.revise(stock=-1)
    assert chair.stock == 5


def test_products_are_the_same_when_their_ids_are() -> None:
    assert red_chair(5) == red_chair(1)
    assert Product("Red chair", Money.zero(), 1) != Product("Red chair", Money.zero(), 1)
    assert len({red_chair(5), red_chair(1)}) == 1
