from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit.conftest import new_product, stock_of
from webstore import Principal, Webstore
from webstore.domain.products import Product
from webstore.domain.values import Money
from webstore.errors import InvalidInput, PermissionDenied, ProductNotFound


@pytest.fixture
def shelf(store: Webstore, admin: Principal) -> list[Product]:
    names = ["Red chair", "Blue lamp", "Green rug", "Tea pot", "Pocket watch"]
    return [new_product(store, admin, name=name) for name in names]


def names(products: object) -> list[str]:
    assert isinstance(products, list | tuple)
    return [product.name for product in products]


def test_products_are_listed_by_id_with_withdrawn_ones_left_out(
    store: Webstore, admin: Principal, shelf: list[Product]
) -> None:
    assert shelf[1].id is not None
    store.deactivate_product(admin, shelf[1].id)
    page = store.list_products()
    assert names(page.items) == ["Red chair", "Green rug", "Tea pot", "Pocket watch"]
    assert page.total == 4


@pytest.mark.parametrize(
    ("limit", "offset", "expected"),
    [
        (2, None, ["Red chair", "Blue lamp"]),
        (2, 2, ["Green rug", "Tea pot"]),
        ("2", "4", ["Pocket watch"]),
        (None, 3, ["Tea pot", "Pocket watch"]),
        (1000, 0, ["Red chair", "Blue lamp", "Green rug", "Tea pot", "Pocket watch"]),
        (3, 10, []),
    ],
)
def test_a_listing_can_be_sliced_and_still_counts_everything(
    store: Webstore, shelf: list[Product], limit: object, offset: object, expected: list[str]
) -> None:
    page = store.list_products(limit, offset)
    assert names(page.items) == expected
    assert page.total == 5


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [
        (0, None, "limit"),
        (1001, None, "limit"),
        ("-1", None, "limit"),
        ("ten", None, "limit"),
        ("", None, "limit"),
        (True, None, "limit"),
        (2.5, None, "limit"),
        (None, -1, "offset"),
        (None, "one", "offset"),
    ],
)
def test_a_bad_limit_or_offset_is_invalid_input(
    store: Webstore, limit: object, offset: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.list_products(limit, offset)
    assert list(caught.value.errors) == [field]


def test_anyone_can_see_an_active_product(
    store: Webstore, alice: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    seen = store.get_product(alice, red_chair.id)
    assert (seen.name, seen.description, seen.price, seen.stock, seen.is_active) == (
        "Red chair",
        "Oak, painted red",
        Money(Decimal("19.99")),
        5,
        True,
    )


def test_a_withdrawn_product_is_hidden_from_users_but_not_from_superusers(
    store: Webstore, admin: Principal, alice: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    store.deactivate_product(admin, red_chair.id)
    with pytest.raises(ProductNotFound, match=f"^product {red_chair.id} does not exist$"):
        store.get_product(alice, red_chair.id)
    assert not store.get_product(admin, red_chair.id).is_active


def test_an_unknown_product_is_not_found_even_by_a_superuser(
    store: Webstore, admin: Principal
) -> None:
    with pytest.raises(ProductNotFound, match=r"^product 99 does not exist$"):
        store.get_product(admin, 99)


def test_a_superuser_adds_a_product_with_an_optional_description(
    store: Webstore, admin: Principal
) -> None:
    lamp = store.add_product(admin, {"name": " Blue lamp ", "price": 7.5, "amount": 0})
    assert lamp.id is not None
    assert (lamp.name, lamp.description, str(lamp.price), lamp.stock) == (
        "Blue lamp",
        "",
        "7.50",
        0,
    )
    assert store.get_product(admin, lamp.id).name == "Blue lamp"


def test_invalid_product_data_is_refused_field_by_field(store: Webstore, admin: Principal) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.add_product(admin, {"description": 42, "price": "19.999", "amount": -1})
    assert caught.value.errors == {
        "name": ["This field is required."],
        "description": ["Not a valid string."],
        "price": ["Ensure that there are no more than 2 decimal places."],
        "amount": ["Must be at least 0."],
    }
    assert store.list_products().total == 0


def test_only_a_superuser_may_add_change_or_withdraw_products(
    store: Webstore, alice: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    denied = r"^You do not have permission to perform this action\.$"
    with pytest.raises(PermissionDenied, match=denied):
        store.add_product(alice, {"name": "Forged chair", "price": "1.00", "amount": 1})
    with pytest.raises(PermissionDenied):
        store.add_product(alice, {})  # permission is checked before the input
    with pytest.raises(PermissionDenied):
        store.update_product(alice, red_chair.id, {"price": "0.01"})
    with pytest.raises(PermissionDenied):
        store.deactivate_product(alice, red_chair.id)
    assert names(store.list_products().items) == ["Red chair"]
    assert str(store.get_product(alice, red_chair.id).price) == "19.99"


def test_updating_changes_only_the_given_fields(
    store: Webstore, admin: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    changed = store.update_product(admin, red_chair.id, {"price": "24.50", "amount": 0})
    assert (changed.name, str(changed.price), changed.stock) == ("Red chair", "24.50", 0)
    assert stock_of(store, red_chair.id) == 0
    assert store.get_product(admin, red_chair.id).description == "Oak, painted red"


def test_updating_ignores_fields_that_are_not_editable(
    store: Webstore, admin: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    changed = store.update_product(admin, red_chair.id, {"id": 99, "colour": "red"})
    assert changed.id == red_chair.id


def test_updating_can_withdraw_and_bring_back_a_product(
    store: Webstore, admin: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    store.update_product(admin, red_chair.id, {"is_active": False})
    assert store.list_products().total == 0
    store.update_product(admin, red_chair.id, {"is_active": True})
    assert names(store.list_products().items) == ["Red chair"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"price": 0}, "price"),
        ({"amount": 1.5}, "amount"),
        ({"is_active": "no"}, "is_active"),
        ({"is_active": 0}, "is_active"),
    ],
)
def test_an_invalid_update_changes_nothing(
    store: Webstore, admin: Principal, red_chair: Product, changes: dict[str, object], field: str
) -> None:
    assert red_chair.id is not None
    with pytest.raises(InvalidInput) as caught:
        store.update_product(admin, red_chair.id, {"amount": 1, **changes})
    assert list(caught.value.errors) == [field]
    assert stock_of(store, red_chair.id) == 5


def test_changing_or_withdrawing_an_unknown_product_is_not_found(
    store: Webstore, admin: Principal
) -> None:
    with pytest.raises(ProductNotFound):
        store.update_product(admin, 99, {"amount": 1})
    with pytest.raises(ProductNotFound):
        store.deactivate_product(admin, 99)


def test_withdrawing_a_product_twice_is_fine(
    store: Webstore, admin: Principal, red_chair: Product
) -> None:
    assert red_chair.id is not None
    store.deactivate_product(admin, red_chair.id)
    store.deactivate_product(admin, red_chair.id)
    assert not store.get_product(admin, red_chair.id).is_active


def test_importing_adds_every_row_in_order(store: Webstore) -> None:
    rows = [
        {"name": "Red chair", "description": "Oak", "price": "19.99", "amount": 5},
        {"name": "Blue lamp", "price": 7.5, "amount": 2},
    ]
    imported = store.import_products(store.operator, iter(rows))
    assert names(imported) == ["Red chair", "Blue lamp"]
    assert names(store.list_products().items) == ["Red chair", "Blue lamp"]


def test_importing_is_all_or_nothing(store: Webstore) -> None:
    rows = [
        {"name": "Red chair", "price": "19.99", "amount": 5},
        {"name": "Blue lamp", "price": "free", "amount": 2},
        {"name": "Green rug", "price": "30.00", "amount": -1},
    ]
    with pytest.raises(InvalidInput) as caught:
        store.import_products(store.operator, rows)
    assert caught.value.errors == {
        "rows": {
            "1": {"price": ["A valid number is required."]},
            "2": {"amount": ["Must be at least 0."]},
        }
    }
    assert store.list_products().total == 0
