from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Shopper, SteppingClock, answer
from webstore.domain.products import Product

NOT_FOUND = {"detail": "Not found."}
PERMISSION = {"detail": "You do not have permission to perform this action."}


def place(shopper: Shopper, product_id: int = 1, amount: int = 1) -> int:
    body = {
        "address": f"{shopper.username}'s house",
        "phone": "555 0100 1",
        "items": [{"product_id": product_id, "amount": amount}],
    }
    response = shopper.post("/api/post_order", json=body)
    assert response.status_code == 201, response.json
    order_id: int = response.json["id"]
    return order_id


@pytest.fixture
def history(
    alice: Shopper,
    bob: Shopper,
    admin: Shopper,
    clock: SteppingClock,
    catalogue: dict[str, Product],
) -> dict[str, int]:
    """Four orders a minute apart: alice's completed, bob's cancelled, alice's and bob's pending."""
    ids = {}
    for name, shopper in (
        ("alice_done", alice),
        ("bob_cancelled", bob),
        ("alice_open", alice),
        ("bob_open", bob),
    ):
        ids[name] = place(shopper)
        clock.advance(60)
    assert admin.post(f"/api/orders/{ids['alice_done']}/complete").status_code == 200
    assert bob.post(f"/api/orders/{ids['bob_cancelled']}/cancel").status_code == 200
    return ids


def ids_of(response: Any) -> list[int]:
    return [order["id"] for order in response.json]


# --- listing -----------------------------------------------------------------------------------


def test_a_regular_user_sees_only_their_own_orders_newest_first(
    alice: Shopper, history: dict[str, int]
) -> None:
    response = alice.get("/api/get_order")

    assert response.status_code == 200
    assert ids_of(response) == [history["alice_open"], history["alice_done"]]
    assert response.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    "query", ["category=completed", "category=user&user_id=2", "category=bogus", "user_id=x"]
)
def test_a_regular_user_s_filters_are_ignored(
    alice: Shopper, history: dict[str, int], query: str
) -> None:
    response = alice.get(f"/api/get_order?{query}")

    assert response.status_code == 200
    assert ids_of(response) == [history["alice_open"], history["alice_done"]]


def test_a_superuser_without_a_category_sees_every_order(
    admin: Shopper, history: dict[str, int]
) -> None:
    assert ids_of(admin.get("/api/get_order")) == [4, 3, 2, 1]


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("completed", ["alice_done"]),
        ("uncompleted", ["bob_open", "alice_open"]),
        ("cancelled", ["bob_cancelled"]),
    ],
)
def test_a_superuser_filters_by_category(
    admin: Shopper, history: dict[str, int], category: str, expected: list[str]
) -> None:
    response = admin.get(f"/api/get_order/?category={category}")

    assert response.status_code == 200
    assert ids_of(response) == [history[name] for name in expected]
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_a_superuser_lists_one_users_orders(
    admin: Shopper, bob: Shopper, history: dict[str, int]
) -> None:
    response = admin.get(f"/api/get_order?category=user&user_id={bob.user_id}")

    assert ids_of(response) == [history["bob_open"], history["bob_cancelled"]]


def test_the_orders_of_a_user_without_orders_are_an_empty_array(
    admin: Shopper, history: dict[str, int]
) -> None:
    assert answer(admin.get("/api/get_order?category=user&user_id=999")) == (200, [])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=bogus", "category"),
        ("category=COMPLETED", "category"),
        ("category=", "category"),
        ("category=user", "user_id"),
        ("category=user&user_id=bob", "user_id"),
        ("category=user&user_id=0", "user_id"),
        ("category=user&user_id=1.5", "user_id"),
    ],
)
def test_an_unknown_category_or_a_user_category_without_an_integer_user_id_is_refused(
    admin: Shopper, history: dict[str, int], query: str, field: str
) -> None:
    response = admin.get(f"/api/get_order?{query}")

    assert response.status_code == 400
    assert response.json["error"].startswith(f"{field}: ")
    assert list(response.json["errors"]) == [field]


def test_limit_and_offset_slice_the_orders(admin: Shopper, history: dict[str, int]) -> None:
    response = admin.get("/api/get_order?limit=2&offset=1")

    assert ids_of(response) == [3, 2]
    assert response.headers["X-Total-Count"] == "4"
    assert ids_of(admin.get("/api/get_order?offset=3")) == [1]
    assert ids_of(admin.get("/api/get_order?category=uncompleted&limit=1")) == [4]


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "offset=-1", "limit=abc"])
def test_bad_limit_or_offset_values_are_refused_for_everybody(
    alice: Shopper, admin: Shopper, history: dict[str, int], query: str
) -> None:
    assert alice.get(f"/api/get_order?{query}").status_code == 400
    assert admin.get(f"/api/get_order?{query}").status_code == 400


def test_listed_orders_have_the_full_shape(alice: Shopper, history: dict[str, int]) -> None:
    newest = alice.get("/api/get_order").json[0]

    assert newest == {
        "id": history["alice_open"],
        "user": alice.user_id,
        "address": "alice's house",
        "phone": "555 0100 1",
        "status": "pending",
        "completed": False,
        "created_at": "2026-11-26T20:14:30Z",
        "total_price": "19.99",
        "items": [{"product_id": 1, "product_name": "Red Chair", "amount": 1, "price": "19.99"}],
    }


# --- complete and cancel -------------------------------------------------------------------------


def test_a_superuser_completes_a_pending_order(
    admin: Shopper, alice: Shopper, catalogue: dict[str, Product]
) -> None:
    order_id = place(alice)

    response = admin.post(f"/api/orders/{order_id}/complete")

    assert response.status_code == 200
    assert response.json["status"] == "completed"
    assert response.json["completed"] is True
    assert alice.get("/api/get_order").json[0]["status"] == "completed"


def test_an_order_cannot_be_completed_or_cancelled_twice(
    admin: Shopper, history: dict[str, int]
) -> None:
    done, cancelled = history["alice_done"], history["bob_cancelled"]

    assert answer(admin.post(f"/api/orders/{done}/complete")) == (
        409,
        {"detail": f"order {done} is completed and cannot become completed"},
    )
    assert answer(admin.post(f"/api/orders/{done}/cancel/")) == (
        409,
        {"detail": f"order {done} is completed and cannot become cancelled"},
    )
    assert answer(admin.post(f"/api/orders/{cancelled}/complete/")) == (
        409,
        {"detail": f"order {cancelled} is cancelled and cannot become completed"},
    )


def test_a_regular_user_may_not_complete_an_order(alice: Shopper, history: dict[str, int]) -> None:
    assert answer(alice.post(f"/api/orders/{history['alice_open']}/complete")) == (403, PERMISSION)


def test_completing_an_unknown_order_is_not_found(admin: Shopper) -> None:
    assert answer(admin.post("/api/orders/404/complete")) == (404, NOT_FOUND)


def test_the_owner_cancels_a_pending_order_and_the_stock_comes_back(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    order_id = place(alice, product_id=2, amount=2)
    assert alice.get("/api/products/2").json["amount"] == 0

    response = alice.post(f"/api/orders/{order_id}/cancel")

    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert response.json["completed"] is False
    assert alice.get("/api/products/2").json["amount"] == 2
    assert answer(alice.post(f"/api/orders/{order_id}/cancel")) == (
        409,
        {"detail": f"order {order_id} is cancelled and cannot become cancelled"},
    )
    assert alice.get("/api/products/2").json["amount"] == 2


def test_another_users_order_is_not_found_when_cancelling(
    bob: Shopper, history: dict[str, int]
) -> None:
    assert answer(bob.post(f"/api/orders/{history['alice_open']}/cancel")) == (404, NOT_FOUND)


def test_a_superuser_cancels_anyones_pending_order(admin: Shopper, history: dict[str, int]) -> None:
    response = admin.post(f"/api/orders/{history['alice_open']}/cancel")

    assert response.status_code == 200
    assert response.json["status"] == "cancelled"


def test_cancelling_an_unknown_order_is_not_found(alice: Shopper) -> None:
    assert answer(alice.post("/api/orders/12345/cancel")) == (404, NOT_FOUND)
