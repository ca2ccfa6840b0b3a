from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import SHOP_OPENING
from tests.unit.conftest import new_product, stock_of
from webstore import Principal, Webstore
from webstore.domain.orders import OrderStatus
from webstore.domain.products import Product
from webstore.errors import InsufficientStock, InvalidInput, UnknownProduct

BAKER_STREET = "221B Baker Street, London"
PHONE = "+44 20 7946 0000"


def line(product: Product, amount: int) -> dict[str, Any]:
    return {"product_id": product.id, "amount": amount}


def snapshot(store: Webstore, admin: Principal) -> tuple[list[tuple[int | None, int]], int]:
    """Every product's stock and how many orders exist."""
    with store.uow(read_only=True) as work:
        stock = [(p.id, p.stock) for p in work.products.get_for_update(range(1, 10))]
    return stock, store.list_orders(admin).total


@pytest.fixture
def green_rug(store: Webstore, admin: Principal, red_chair: Product, blue_lamp: Product) -> Product:
    rug = new_product(store, admin, name="Green rug", price="30.00", amount=2)
    assert rug.id == 3
    return rug


def test_placing_an_order_takes_the_stock_and_records_the_price_of_the_day(
    store: Webstore, alice: Principal, red_chair: Product, blue_lamp: Product
) -> None:
    order = store.place_order(
        alice, f"  {BAKER_STREET} ", f" {PHONE} ", [line(red_chair, 2), line(blue_lamp, 1)]
    )
    assert order.id is not None
    assert (order.user_id, order.address, order.phone) == (alice.user_id, BAKER_STREET, PHONE)
    assert (order.status, order.created_at) == (OrderStatus.PENDING, SHOP_OPENING)
    assert [(li.product_name, li.quantity, str(li.price)) for li in order.lines] == [
        ("Red chair", 2, "19.99"),
        ("Blue lamp", 1, "7.50"),
    ]
    assert str(order.total_price) == "47.48"
    assert red_chair.id is not None and blue_lamp.id is not None
    assert (stock_of(store, red_chair.id), stock_of(store, blue_lamp.id)) == (3, 1)


def test_the_whole_stock_can_be_ordered(
    store: Webstore, alice: Principal, red_chair: Product
) -> None:
    store.place_order(alice, BAKER_STREET, PHONE, [line(red_chair, 5)])
    assert red_chair.id is not None
    assert stock_of(store, red_chair.id) == 0


def test_lines_naming_the_same_product_are_merged(
    store: Webstore, alice: Principal, red_chair: Product
) -> None:
    order = store.place_order(alice, BAKER_STREET, PHONE, [line(red_chair, 2), line(red_chair, 3)])
    assert [(li.product_id, li.quantity) for li in order.lines] == [(red_chair.id, 5)]
    assert str(order.total_price) == "99.95"


def test_lines_are_merged_before_the_stock_check(
    store: Webstore, alice: Principal, admin: Principal, red_chair: Product
) -> None:
    before = snapshot(store, admin)
    with pytest.raises(InsufficientStock) as caught:
        store.place_order(alice, BAKER_STREET, PHONE, [line(red_chair, 3), line(red_chair, 3)])
    assert (caught.value.requested, caught.value.available) == (6, 5)
    assert snapshot(store, admin) == before


def test_an_unknown_product_fails_the_order_and_changes_nothing(
    store: Webstore, alice: Principal, admin: Principal, red_chair: Product
) -> None:
    before = snapshot(store, admin)
    items = [line(red_chair, 1), {"product_id": 99, "amount": 1}]
    with pytest.raises(UnknownProduct, match=r"^product 99 does not exist$"):
        store.place_order(alice, BAKER_STREET, PHONE, items)
    assert snapshot(store, admin) == before


def test_too_little_stock_fails_the_order_with_the_numbers_and_changes_nothing(
    store: Webstore, alice: Principal, admin: Principal, red_chair: Product, green_rug: Product
) -> None:
    before = snapshot(store, admin)
    with pytest.raises(InsufficientStock) as caught:
        store.place_order(alice, BAKER_STREET, PHONE, [line(red_chair, 1), line(green_rug, 5)])
    assert caught.value.detail == "not enough stock for product 3: requested 5, available 2"
    assert snapshot(store, admin) == before


def test_a_withdrawn_product_cannot_be_ordered_as_if_it_did_not_exist(
    store: Webstore, alice: Principal, admin: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    store.deactivate_product(admin, red_chair.id)
    with pytest.raises(UnknownProduct, match=f"^product {red_chair.id} does not exist$"):
        store.place_order(alice, BAKER_STREET, PHONE, [line(red_chair, 1)])
    assert stock_of(store, red_chair.id) == 5


def test_the_price_and_name_on_an_order_stay_as_they_were_when_it_was_placed(
    store: Webstore, alice: Principal, admin: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    store.place_order(alice, BAKER_STREET, PHONE, [line(red_chair, 2)])
    store.update_product(admin, red_chair.id, {"price": "24.50", "name": "Crimson chair"})
    [order] = store.list_orders(alice).items
    assert [(li.product_name, str(li.price)) for li in order.lines] == [("Red chair", "19.99")]
    assert str(order.total_price) == "39.98"


def test_invalid_order_data_is_refused_field_by_field_and_changes_nothing(
    store: Webstore, alice: Principal, admin: Principal, red_chair: Product
) -> None:
    before = snapshot(store, admin)
    items = [line(red_chair, 1), {"product_id": red_chair.id, "amount": 0}, "chair", {}]
    with pytest.raises(InvalidInput) as caught:
        store.place_order(alice, "  ", "555", items)
    assert caught.value.errors == {
        "address": ["This field may not be blank."],
        "phone": [
            "Enter a valid phone number: 5 to 32 digits, spaces and +()- with at least 5 digits."
        ],
        "items": {
            "1": {"amount": ["Must be at least 1."]},
            "2": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
            "3": {
                "product_id": ["This field is required."],
                "amount": ["This field is required."],
            },
        },
    }
    assert snapshot(store, admin) == before


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (None, "This field may not be null."),
        ({"product_id": 1, "amount": 1}, 'Expected a list of items but got type "dict".'),
        ([], "This list may not be empty."),
        (
            [{"product_id": 1, "amount": 1}] * 101,
            "Ensure this field has no more than 100 elements.",
        ),
    ],
)
def test_the_items_must_be_a_list_of_one_to_a_hundred_lines(
    store: Webstore, alice: Principal, red_chair: Product, items: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.place_order(alice, BAKER_STREET, PHONE, items)
    assert caught.value.errors == {"items": [message]}


def test_a_hundred_lines_are_accepted(store: Webstore, alice: Principal, admin: Principal) -> None:
    plenty = new_product(store, admin, name="Tea cup", amount=100)
    order = store.place_order(alice, BAKER_STREET, PHONE, [line(plenty, 1)] * 100)
    assert [li.quantity for li in order.lines] == [100]


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"product_id": 1, "amount": True}, "amount", "Not a valid integer."),
        ({"product_id": 1, "amount": 1.0}, "amount", "Not a valid integer."),
        ({"product_id": 1, "amount": 10_001}, "amount", "Must be at most 10000."),
        ({"product_id": "1", "amount": 1}, "product_id", "Not a valid integer."),
        ({"product_id": 0, "amount": 1}, "product_id", "Must be at least 1."),
    ],
)
def test_product_ids_and_amounts_must_be_true_integers_in_range(
    store: Webstore, alice: Principal, red_chair: Product, item: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.place_order(alice, BAKER_STREET, PHONE, [item])
    assert caught.value.errors == {"items": {"0": {field: [message]}}}
