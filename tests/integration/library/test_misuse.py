"""What a Python caller can get wrong, refused the same way over memory and SQLite."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import fast_settings
from tests.integration.library.conftest import ALICE_PASSWORD
from webstore import (
    FileFormat,
    OrderCategory,
    Principal,
    ProductFile,
    ProductSnapshot,
    Webstore,
    bootstrap,
)
from webstore.errors import (
    ConfigurationError,
    CsrfFailed,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
    PrincipalRevoked,
    ProductNotFound,
    UnknownProduct,
)

HOME = ("1 Main St", "+1 555 0100")


def two_chairs(chair: ProductSnapshot) -> list[dict[str, object]]:
    return [{"product_id": chair.id, "amount": 2}]


# --- 2. a filter that would be ignored is refused ----------------------------------------------


def test_a_user_id_without_the_user_category_is_refused(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    store.place_order(alice, *HOME, two_chairs(chair))
    with pytest.raises(InvalidInput) as caught:
        store.list_orders(admin, user_id=alice.user_id)
    assert list(caught.value.errors) == ["user_id"]
    with pytest.raises(InvalidInput):
        store.list_orders(admin, OrderCategory.COMPLETED, alice.user_id)
    assert store.list_orders(admin, OrderCategory.USER, alice.user_id).total == 1


@pytest.mark.parametrize(("category", "user_id"), [("completed", None), (None, 1), ("user", 1)])
def test_a_regular_users_filters_are_refused_not_dropped(
    store: Webstore, alice: Principal, category: str | None, user_id: int | None
) -> None:
    with pytest.raises(InvalidInput, match="Only a superuser can filter orders"):
        store.list_orders(alice, category, user_id)


def test_the_http_leniency_is_asked_for_by_name(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    store.place_order(alice, *HOME, two_chairs(chair))
    assert store.list_orders(admin, user_id=999, ignore_unused_filters=True).total == 1
    assert store.list_orders(alice, "cancelled", ignore_unused_filters=True).total == 1


# --- 3. what comes back is a frozen snapshot, whatever the storage --------------------------


def test_products_and_orders_from_every_method_are_frozen(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    order = store.place_order(alice, *HOME, two_chairs(chair))
    returned = [
        chair,
        store.get_product(admin, chair.id),
        store.list_products().items[0],
        store.list_products(actor=admin, include_inactive=True).items[0],
        store.update_product(admin, chair.id, {"price": "18.00"}),
        *store.import_products(admin, [{"name": "Lamp", "price": "5", "amount": 1}]),
    ]
    for product in returned:
        with pytest.raises(dataclasses.FrozenInstanceError):
            product.stock = 99  # type: ignore[misc]
    for placed in [order, store.list_orders(admin).items[0], store.cancel_order(alice, order.id)]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            placed.address = "elsewhere"  # type: ignore[misc]
    assert store.get_product(admin, chair.id).stock == 5  # the cancel put both back


def test_a_snapshot_keeps_the_state_of_its_moment(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    order = store.place_order(alice, *HOME, two_chairs(chair))
    store.cancel_order(alice, order.id)
    assert order.status.value == "pending"
    assert chair.stock == 5 and store.get_product(admin, chair.id).stock == 5


# --- 4. a principal is a claim, checked each time -------------------------------------------


def test_a_principal_of_nobody_cannot_order(store: Webstore, chair: ProductSnapshot) -> None:
    ghost = Principal(999, "ghost", "ghost@example.com")
    with pytest.raises(PrincipalRevoked):
        store.place_order(ghost, *HOME, two_chairs(chair))
    with pytest.raises(PrincipalRevoked):
        store.list_orders(ghost)
    assert store.list_products().items[0].stock == 5


def test_a_principal_deactivated_since_cannot_act(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    logged_in = store.authenticate(store.log_in("alice", ALICE_PASSWORD).access_token)
    store.set_user_active(admin, "alice", False)
    for principal in (alice, logged_in):
        with pytest.raises(PrincipalRevoked):
            store.place_order(principal, *HOME, two_chairs(chair))
    store.set_user_active(admin, "alice", True)
    assert store.place_order(alice, *HOME, two_chairs(chair)).user_id == alice.user_id


def test_a_principal_whose_session_ended_cannot_act(
    store: Webstore, alice: Principal, chair: ProductSnapshot
) -> None:
    login = store.log_in("alice", ALICE_PASSWORD)
    store.log_out(login.refresh_token, login.csrf_token)
    with pytest.raises(PrincipalRevoked):
        store.place_order(login.user, *HOME, two_chairs(chair))


def test_claiming_to_be_a_superuser_is_not_enough(
    store: Webstore, alice: Principal, chair: ProductSnapshot
) -> None:
    claimed = dataclasses.replace(alice, is_superuser=True)
    with pytest.raises(PermissionDenied):
        store.add_product(claimed, {"name": "Free lunch", "price": "1", "amount": 1})
    with pytest.raises(PermissionDenied):
        store.deactivate_product(claimed, chair.id)
    store.deactivate_product(store.operator, chair.id)
    with pytest.raises(ProductNotFound):  # a withdrawn product stays hidden from the claim
        store.get_product(claimed, chair.id)


def test_the_operator_administers_but_cannot_order(store: Webstore, chair: ProductSnapshot) -> None:
    with pytest.raises(PermissionDenied):
        store.place_order(store.operator, *HOME, two_chairs(chair))
    assert store.list_orders(store.operator).total == 0


# --- 6. no check is skipped by leaving its argument out ----------------------------------------


def test_none_never_skips_a_check(store: Webstore, alice: Principal) -> None:
    login = store.log_in("alice", ALICE_PASSWORD)
    with pytest.raises(NotAuthenticated):
        store.log_out(None, login.csrf_token)  # type: ignore[arg-type]
    with pytest.raises(CsrfFailed):
        store.log_out(login.refresh_token, None)  # type: ignore[arg-type]
    with pytest.raises(CsrfFailed):
        store.refresh(login.refresh_token, None)  # type: ignore[arg-type]
    with pytest.raises(CsrfFailed):
        store.check_csrf(None, None, login.user)
    with pytest.raises(NotAuthenticated):
        store.authenticate(None)  # type: ignore[arg-type]
    assert store.authenticate(login.access_token).user_id == alice.user_id


# --- 7. one rule for who may call what ----------------------------------------------------------


def test_administration_needs_a_superuser(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    rows = [{"name": "Lamp", "price": "5.00", "amount": 1}]
    with pytest.raises(PermissionDenied):
        store.import_products(alice, rows)
    with pytest.raises(PermissionDenied):
        store.set_user_active(alice, "root", False)
    with pytest.raises(PermissionDenied):
        store.change_password(alice, "root", "a new long secret")
    assert [p.name for p in store.import_products(admin, rows)] == ["Lamp"]
    store.change_password(admin, "alice", "a new long secret")
    assert store.log_in("alice", "a new long secret").user.user_id == alice.user_id


def test_a_superuser_lists_withdrawn_products_too(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    store.deactivate_product(admin, chair.id)
    assert store.list_products().total == 0
    every = store.list_products(actor=admin, include_inactive=True)
    assert [(p.name, p.is_active) for p in every.items] == [("Red chair", False)]
    assert every.total == 1
    for who in (alice, None):
        with pytest.raises(PermissionDenied):
            store.list_products(actor=who, include_inactive=True)


def test_a_product_file_is_imported_for_a_live_superuser_only(
    store: Webstore, admin: Principal, alice: Principal
) -> None:
    csv = ProductFile(b"name,price,amount\nLamp,5.00,1\n", FileFormat.CSV)
    with pytest.raises(PermissionDenied):
        store.import_product_file(alice, csv)
    with pytest.raises(PermissionDenied):  # the database decides, not the claim
        store.import_product_file(dataclasses.replace(alice, is_superuser=True), csv)
    assert store.import_product_file(store.operator, csv).added == 1
    store.set_user_active(store.operator, admin.username, False)
    with pytest.raises(PrincipalRevoked):
        store.import_product_file(admin, csv)
    assert [p.name for p in store.list_products().items] == ["Lamp"]


def test_the_superusers_catalogue_is_searched_like_the_shop(
    store: Webstore, admin: Principal, alice: Principal, chair: ProductSnapshot
) -> None:
    store.add_product(admin, {"name": "Oak table", "price": "9", "amount": 1})
    store.deactivate_product(admin, chair.id)
    found = store.list_products(search="CHAIR", actor=admin, include_inactive=True)
    assert [(p.name, p.is_active) for p in found.items] == [("Red chair", False)]
    assert store.list_products(search="CHAIR").total == 0
    with pytest.raises(PermissionDenied):  # before the bad limit is looked at
        store.list_products("0", actor=alice, include_inactive=True)


# --- 10. an unknown product means one thing per error --------------------------------------------


def test_an_order_for_a_missing_product_is_not_a_missing_resource(
    store: Webstore, admin: Principal, alice: Principal
) -> None:
    with pytest.raises(UnknownProduct):
        store.place_order(alice, *HOME, [{"product_id": 42, "amount": 1}])
    with pytest.raises(ProductNotFound):
        store.get_product(admin, 42)
    assert not issubclass(UnknownProduct, ProductNotFound)
    assert not issubclass(ProductNotFound, UnknownProduct)


# --- 5. a schema behind the code is named, not a raw driver error -------------------------------


def test_an_sqlite_file_without_its_schema_is_refused_with_the_fix(sqlite_url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        bootstrap(fast_settings(sqlite_url))
    assert "run `webstore db upgrade` or pass migrate=True" in str(caught.value)
    assert bootstrap(fast_settings(sqlite_url), migrate=True).list_products().total == 0
    assert bootstrap(fast_settings(sqlite_url)).is_healthy()
