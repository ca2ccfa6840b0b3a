from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.integration.api.conftest import Shopper, SteppingClock, answer
from webstore.domain.products import Product

ADDRESS = "221B Baker Street, London"
PHONE = "+44 (20) 7946-0958"
KEY = "checkout-7f3a9c"
INVALID_KEY = (400, {"detail": "Invalid Idempotency-Key header."})
REUSED = (422, {"detail": "Idempotency-Key reused with a different request."})


def body(amount: int = 2) -> dict[str, Any]:
    return {"address": ADDRESS, "phone": PHONE, "items": [{"product_id": 1, "amount": amount}]}


def post(shopper: Shopper, key: str | None = KEY, json_body: Any = None, **kw: Any) -> TestResponse:
    headers = {} if key is None else {"Idempotency-Key": key}
    return shopper.post("/api/post_order", json=body() if json_body is None else json_body,
                        headers={**headers, **kw.pop("headers", {})}, **kw)  # fmt: skip


def chairs_left(shopper: Shopper) -> int:
    return int(shopper.get("/api/get_all_products").json[0]["amount"])


def orders_of(shopper: Shopper) -> list[int]:
    return [order["id"] for order in shopper.get("/api/get_order").json]


def test_the_same_key_again_replays_the_stored_201_byte_for_byte(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    first = post(alice)
    again = post(alice)

    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Content-Type"] == "application/json"
    assert again.data == first.data
    assert first.json["items"] == [
        {"product_id": 1, "product_name": "Red Chair", "amount": 2, "price": "19.99"}
    ]
    assert (orders_of(alice), chairs_left(alice)) == ([first.json["id"]], 8)


def test_key_order_and_spacing_of_the_json_do_not_make_another_request(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    first = post(alice)
    reordered = json.dumps(
        {"items": [{"amount": 2, "product_id": 1}], "phone": PHONE, "address": ADDRESS}, indent=4
    )

    again = alice.client.post(
        "/api/post_order",
        data=reordered,
        content_type="application/json",
        headers=alice.headers({"Idempotency-Key": KEY}),
    )

    assert (again.status_code, again.data) == (201, first.data)
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_a_different_body_is_422_and_places_nothing(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    post(alice)

    assert answer(post(alice, json_body=body(amount=3))) == REUSED
    assert answer(post(alice, json_body={**body(), "address": ADDRESS + " "})) == REUSED
    assert (len(orders_of(alice)), chairs_left(alice)) == (1, 8)


def test_a_replay_is_served_even_when_the_stock_has_run_out_since(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    first = post(alice, json_body=body(amount=10))

    again = post(alice, json_body=body(amount=10))

    assert (again.status_code, again.data) == (201, first.data)
    assert chairs_left(alice) == 0


def test_keys_are_scoped_per_user(
    alice: Shopper, bob: Shopper, catalogue: dict[str, Product]
) -> None:
    for_alice = post(alice)
    for_bob = post(bob)

    assert for_bob.status_code == 201
    assert "Idempotent-Replayed" not in for_bob.headers
    assert (for_bob.json["user"], for_alice.json["user"]) == (bob.user_id, alice.user_id)
    assert chairs_left(alice) == 6


def test_without_a_key_every_request_places_an_order(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    assert post(alice, key=None).status_code == post(alice, key=None).status_code == 201
    assert chairs_left(alice) == 6


def test_a_key_is_remembered_for_24_hours(
    alice: Shopper, catalogue: dict[str, Product], clock: SteppingClock
) -> None:
    first = post(alice)
    clock.advance(24 * 3600 - 1)
    alice.log_in()  # a fresh access token: the first one lived five minutes
    assert post(alice).data == first.data

    clock.advance(1)
    later = post(alice, json_body=body(amount=1))

    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert later.json["id"] != first.json["id"]
    assert chairs_left(alice) == 7


def test_a_failed_request_is_not_stored_so_the_key_may_be_used_again(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    out_of_stock = post(alice, json_body=body(amount=11))
    invalid = post(alice, json_body=body(amount=0))

    placed = post(alice, json_body=body(amount=1))

    assert answer(out_of_stock) == (
        400,
        {"error": "not enough stock for product 1: requested 11, available 10"},
    )
    assert invalid.status_code == 400 and "errors" in invalid.json
    assert placed.status_code == 201 and "Idempotent-Replayed" not in placed.headers


@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "caf\u00e9", "tab\tinside", "\x7f", "bell\x07"],
    ids=["empty", "256-characters", "latin-1", "tab", "delete", "control"],
)
def test_an_empty_over_long_or_non_printable_key_is_400(
    alice: Shopper, catalogue: dict[str, Product], key: str
) -> None:
    assert answer(post(alice, key=key)) == INVALID_KEY
    assert chairs_left(alice) == 10


@pytest.mark.parametrize("key", ["k" * 255, "a key with spaces and ~!@#$%^&*()<>{}", "0"])
def test_any_key_of_1_to_255_printable_ascii_characters_is_accepted(
    alice: Shopper, catalogue: dict[str, Product], key: str
) -> None:
    assert post(alice, key=key).status_code == 201
    assert post(alice, key=key).headers["Idempotent-Replayed"] == "true"


def test_the_key_is_checked_after_authentication_and_csrf_and_before_the_body(
    client: FlaskClient, alice: Shopper, catalogue: dict[str, Product]
) -> None:
    bad_key = {"Idempotency-Key": ""}
    anonymous = client.post("/api/post_order", json={}, headers=bad_key)
    no_csrf = alice.client.post(
        "/api/post_order",
        json={},
        headers={"Authorization": f"Token {alice.access_token}", **bad_key},
    )

    assert answer(anonymous)[0] == answer(no_csrf)[0] == 403
    assert no_csrf.json == {"detail": "CSRF Failed: CSRF token missing."}
    assert answer(post(alice, key="", json_body={"items": "nothing"})) == INVALID_KEY
