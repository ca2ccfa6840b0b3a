"""Staff's use cases over the store in memory: users listed, deactivated and reactivated,
one order looked up, and the public catalogue's single product."""

from __future__ import annotations

import dataclasses

import pytest

from tests.fakes import FakeClock
from tests.unit.conftest import ALICE_PASSWORD, new_product
from webstore import Principal, ProductSnapshot, UserSnapshot, Webstore
from webstore.errors import (
    InvalidInput,
    InvalidToken,
    LastSuperuser,
    OrderNotFound,
    PermissionDenied,
    ProductNotFound,
    UserNotFound,
)


def names(store: Webstore, admin: Principal, **filters: object) -> list[str]:
    return [user.username for user in store.list_users(admin, **filters).items]  # type: ignore[arg-type]


def test_users_are_listed_by_id_as_frozen_snapshots_dated_by_the_clock(
    store: Webstore, admin: Principal, clock: FakeClock
) -> None:
    clock.advance(days=1)
    store.register_user("Zoë", "zoe@example.com", "a long password")

    page = store.list_users(admin)

    assert page.total == 2
    root, zoe = page.items
    assert zoe == UserSnapshot(2, "Zoë", "zoe@example.com", True, False, clock.now())
    assert (root.username, root.is_superuser, root.date_joined < zoe.date_joined) == (
        "root", True, True
    )  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        zoe.is_active = False  # type: ignore[misc]


def test_users_are_searched_ignoring_case_and_accents_and_picked_by_id(
    store: Webstore, admin: Principal
) -> None:
    for name, email in (
        ("José", "pepe@example.com"),
        ("jose2", "j@café.example"),
        ("Ann", "a@b.co"),
    ):
        store.register_user(name, email, "a long password")

    assert names(store, admin, search="JOSE") == ["José", "jose2"]
    assert names(store, admin, search="cafe") == ["jose2"]
    assert names(store, admin, ids=[4, 1, 99]) == ["root", "Ann"]
    assert names(store, admin, ids="2, 3") == ["José", "jose2"]
    assert names(store, admin, ids="") == []
    assert names(store, admin, search="e", ids=[1, 2, 3], limit=1, offset=1) == ["José"]


@pytest.mark.parametrize(
    ("filters", "errors"),
    [
        ({"ids": "1,a"}, {"ids": {"1": ["A valid integer is required."]}}),
        ({"ids": [1, True]}, {"ids": {"1": ["Not a valid integer."]}}),
        ({"ids": 5}, {"ids": ['Expected a list of items but got type "int".']}),
        ({"search": 5, "limit": 0},
         {"search": ["Not a valid string."], "limit": ["Must be at least 1."]}),
    ],
)  # fmt: skip
def test_bad_filters_are_invalid_input(
    store: Webstore, admin: Principal, filters: dict[str, object], errors: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.list_users(admin, **filters)  # type: ignore[arg-type]

    assert caught.value.errors == errors


def test_only_superusers_list_users(store: Webstore, alice: Principal) -> None:
    with pytest.raises(PermissionDenied):
        store.list_users(alice, ids="not even looked at")
    with pytest.raises(PermissionDenied):  # the store decides, not the claim
        store.list_users(dataclasses.replace(alice, is_superuser=True))


def test_a_user_is_deactivated_by_id_or_by_name_and_their_sessions_end(
    store: Webstore, admin: Principal, alice: Principal
) -> None:
    login = store.log_in("alice", ALICE_PASSWORD)

    by_id = store.set_user_active(admin, alice.user_id, False)

    assert (by_id.id, by_id.username, by_id.is_active) == (alice.user_id, "Alice", False)
    with pytest.raises(InvalidToken):
        store.authenticate(login.access_token)
    assert store.set_user_active(admin, "ALICE", True).is_active
    with pytest.raises(InvalidToken):  # ended sessions stay ended
        store.authenticate(login.access_token)


@pytest.mark.parametrize("user", [99, 0, -1, 2**63, "nobody"])
def test_an_unknown_user_is_not_found(store: Webstore, admin: Principal, user: int | str) -> None:
    with pytest.raises(UserNotFound, match=f"^user {user} does not exist$"):
        store.set_user_active(admin, user, False)


def test_a_user_is_named_by_a_string_or_an_integer_only(store: Webstore, admin: Principal) -> None:
    with pytest.raises(TypeError):
        store.set_user_active(admin, True, False)  # type: ignore[arg-type]


def test_the_last_active_superuser_account_stays_active_unless_the_operator_says_so(
    store: Webstore, admin: Principal
) -> None:
    with pytest.raises(LastSuperuser, match=r"^The last active superuser cannot be deactivated\.$"):
        store.set_user_active(admin, admin.user_id, False)
    store.create_superuser("grace", "grace@example.com", "a long password")
    grace = store.list_users(admin, search="grace").items[0]

    assert not store.set_user_active(admin, "grace", False).is_active  # another superuser
    with pytest.raises(LastSuperuser):
        store.set_user_active(admin, "root", False)
    assert store.set_user_active(admin, grace.id, True).is_active
    assert not store.set_user_active(admin, "root", False).is_active  # grace is left
    assert not store.set_user_active(store.operator, "grace", False).is_active


# --- one order, one public product -----------------------------------------------------------


def test_an_order_is_shown_to_its_owner_and_to_superusers_only(
    store: Webstore, admin: Principal, alice: Principal, bob: Principal
) -> None:
    chair = new_product(store, admin)
    placed = store.place_order(
        alice, "1 Main St", "+1 555 0100", [{"product_id": chair.id, "amount": 2}]
    )

    assert store.get_order(alice, placed.id) == placed
    assert store.get_order(admin, placed.id) == placed
    assert store.get_order(store.operator, placed.id) == placed
    for who, order_id in ((bob, placed.id), (alice, 999), (admin, 0), (admin, 2**64)):
        with pytest.raises(OrderNotFound):
            store.get_order(who, order_id)


def test_anybody_sees_an_active_product_and_nobody_a_withdrawn_one(
    store: Webstore, admin: Principal, red_chair: ProductSnapshot
) -> None:
    assert store.get_product(None, red_chair.id) == red_chair
    store.deactivate_product(admin, red_chair.id)
    for product_id in (red_chair.id, 999, 2**64):
        with pytest.raises(ProductNotFound):
            store.get_product(None, product_id)
    assert not store.get_product(admin, red_chair.id).is_active
