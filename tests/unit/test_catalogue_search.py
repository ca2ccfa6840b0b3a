from __future__ import annotations

import pytest

from tests.unit.conftest import new_product
from webstore import Principal, ProductSnapshot, Webstore
from webstore.errors import InvalidInput, PermissionDenied


@pytest.fixture
def shelf(store: Webstore, admin: Principal) -> list[ProductSnapshot]:
    names = ["Éclair tin", "Red chair", "Armchair", "Chair cushion", "Tea pot"]
    return [new_product(store, admin, name=name) for name in names]


def names(products: object) -> list[str]:
    assert isinstance(products, list | tuple)
    return [product.name for product in products]


def test_a_search_lists_names_containing_it_in_any_case_and_counts_them(
    store: Webstore, shelf: list[ProductSnapshot]
) -> None:
    page = store.list_products(limit=2, offset=1, search="CHAIR")

    assert names(page.items) == ["Armchair", "Chair cushion"]
    assert page.total == 3


@pytest.mark.parametrize("search", [None, "", "   "])
def test_no_search_or_a_blank_one_lists_everything(
    store: Webstore, shelf: list[ProductSnapshot], search: str | None
) -> None:
    assert store.list_products(search=search).total == 5


def test_a_search_text_is_trimmed(store: Webstore, shelf: list[ProductSnapshot]) -> None:
    assert names(store.list_products(search="  éclair ").items) == ["Éclair tin"]


def test_deactivated_products_are_found_only_in_the_superusers_catalogue(
    store: Webstore, admin: Principal, shelf: list[ProductSnapshot]
) -> None:
    store.deactivate_product(admin, shelf[1].id)

    everything = store.list_products(search="chair", actor=admin, include_inactive=True)

    assert names(store.list_products(search="chair").items) == ["Armchair", "Chair cushion"]
    assert [(p.name, p.is_active) for p in everything.items] == [
        ("Red chair", False),
        ("Armchair", True),
        ("Chair cushion", True),
    ]
    assert everything.total == 3


def test_a_regular_user_may_not_list_the_superusers_catalogue(
    store: Webstore, alice: Principal
) -> None:
    with pytest.raises(PermissionDenied):
        store.list_products(limit="not even checked", actor=alice, include_inactive=True)


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("x" * 201, "Ensure this field has no more than 200 characters."),
        ("chair\x00", "Null characters are not allowed."),
        (42, "Not a valid string."),
    ],
)
def test_a_bad_search_is_invalid_input(store: Webstore, search: object, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.list_products(search=search)

    assert caught.value.errors == {"search": [message]}


def test_a_bad_search_and_a_bad_limit_are_reported_together(store: Webstore) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.list_products(limit="0", search="x" * 201)

    assert set(caught.value.errors) == {"limit", "search"}


def test_a_search_of_two_hundred_characters_is_allowed(
    store: Webstore, shelf: list[ProductSnapshot]
) -> None:
    assert store.list_products(search="x" * 200).total == 0
