"""What Python code passes in: typed order items, and the stock by the name it reads back."""

from __future__ import annotations

import pytest

from webstore import IdempotencyRequest, OrderItem, Principal, ProductSnapshot, Webstore
from webstore.errors import InsufficientStock, InvalidInput

HOME = ("1 Main St", "+1 555 0100")


def test_an_order_takes_typed_items_and_mappings_alike(
    store: Webstore, alice: Principal, chair: ProductSnapshot
) -> None:
    order = store.place_order(
        alice, *HOME, [OrderItem(chair.id, 2), {"product_id": chair.id, "amount": 1}]
    )
    assert [(line.product_id, line.quantity) for line in order.lines] == [(chair.id, 3)]
    with pytest.raises(InsufficientStock):
        store.place_order(alice, *HOME, (OrderItem(product_id=chair.id, quantity=3),))


def test_a_keyed_order_takes_typed_items(
    store: Webstore, alice: Principal, chair: ProductSnapshot
) -> None:
    request = IdempotencyRequest("order-1", "f" * 64)
    first = store.place_order_once(alice, *HOME, [OrderItem(chair.id, 1)], request)
    again = store.place_order_once(alice, *HOME, [OrderItem(chair.id, 1)], request)
    assert (again.order, again.replayed) == (first.order, True)


def test_a_bad_typed_item_is_refused_by_its_own_field_names(
    store: Webstore, alice: Principal, chair: ProductSnapshot
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.place_order(alice, *HOME, [OrderItem(chair.id, 1), OrderItem(0, 0)])
    assert caught.value.errors == {
        "items": {
            "1": {
                "product_id": ["Must be at least 1."],
                "quantity": ["Must be at least 1."],
            }
        }
    }


def test_a_product_is_added_and_changed_with_stock_as_it_is_read_back(
    store: Webstore, admin: Principal
) -> None:
    lamp = store.add_product(admin, {"name": "Lamp", "price": "5", "stock": 4})
    assert lamp.stock == 4
    assert store.update_product(admin, lamp.id, {"stock": 7}).stock == 7
    assert store.update_product(admin, lamp.id, {"amount": 6}).stock == 6


def test_stock_and_amount_at_once_are_refused(store: Webstore, admin: Principal) -> None:
    message = {"stock": ["Give the stock as stock or as amount, not both."]}
    with pytest.raises(InvalidInput) as adding:
        store.add_product(admin, {"name": "Lamp", "price": "5", "stock": 4, "amount": 4})
    assert adding.value.errors == message
    chair = store.add_product(admin, {"name": "Chair", "price": "5", "amount": 1})
    with pytest.raises(InvalidInput) as changing:
        store.update_product(admin, chair.id, {"stock": 2, "amount": 2})
    assert changing.value.errors == message


def test_a_bad_stock_is_named_stock(store: Webstore, admin: Principal) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.add_product(admin, {"name": "Lamp", "price": "5", "stock": -1})
    assert list(caught.value.errors) == ["stock"]
