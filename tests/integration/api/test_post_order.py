from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Shopper, answer
from webstore import Webstore
from webstore.domain.products import Product

ADDRESS = "221B Baker Street, London"
PHONE = "+44 (20) 7946-0958"
PHONE_RULE = "Enter a valid phone number: 5 to 32 digits, spaces and +()- with at least 5 digits."


def order(*items: tuple[Any, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "address": ADDRESS,
        "phone": PHONE,
        "items": [{"product_id": pid, "amount": amount} for pid, amount in items],
    }
    body.update(fields)
    return body


def stock(alice: Shopper) -> dict[str, int]:
    return {p["name"]: p["amount"] for p in alice.get("/api/get_all_products").json}


def test_placing_an_order_answers_201_with_the_pending_order(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.post("/api/post_order", json=order((1, 2), (2, 1)))

    assert answer(response) == (
        201,
        {
            "id": 1,
            "user": alice.user_id,
            "address": ADDRESS,
            "phone": PHONE,
            "status": "pending",
            "completed": False,
            "created_at": "2026-11-26T20:12:30Z",
            "total_price": "189.48",
            "items": [
                {"product_id": 1, "product_name": "Red Chair", "amount": 2, "price": "19.99"},
                {"product_id": 2, "product_name": "Oak Table", "amount": 1, "price": "149.50"},
            ],
        },
    )
    assert stock(alice) == {"Red Chair": 8, "Oak Table": 1, "Brass Lamp": 0}


def test_lines_naming_the_same_product_are_merged(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.post("/api/post_order", json=order((1, 2), (2, 1), (1, 3)))

    assert response.status_code == 201
    assert [(i["product_id"], i["amount"]) for i in response.json["items"]] == [(1, 5), (2, 1)]
    assert stock(alice)["Red Chair"] == 5


def test_merged_lines_are_checked_against_stock_together(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.post("/api/post_order", json=order((2, 1), (2, 2)))

    assert answer(response) == (
        400,
        {"error": "not enough stock for product 2: requested 3, available 2"},
    )


def test_an_unknown_product_changes_nothing(alice: Shopper, catalogue: dict[str, Product]) -> None:
    response = alice.post("/api/post_order", json=order((1, 1), (99, 1)))

    assert answer(response) == (400, {"error": "product 99 does not exist"})
    assert stock(alice) == {"Red Chair": 10, "Oak Table": 2, "Brass Lamp": 0}
    assert alice.get("/api/get_order").json == []


def test_not_enough_stock_changes_nothing(alice: Shopper, catalogue: dict[str, Product]) -> None:
    response = alice.post("/api/post_order", json=order((1, 3), (2, 5)))

    assert answer(response) == (
        400,
        {"error": "not enough stock for product 2: requested 5, available 2"},
    )
    assert stock(alice) == {"Red Chair": 10, "Oak Table": 2, "Brass Lamp": 0}
    assert alice.get("/api/get_order").json == []


def test_a_sold_out_product_cannot_be_ordered(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    assert answer(alice.post("/api/post_order", json=order((3, 1)))) == (
        400,
        {"error": "not enough stock for product 3: requested 1, available 0"},
    )


def test_the_whole_stock_can_be_bought(alice: Shopper, catalogue: dict[str, Product]) -> None:
    assert alice.post("/api/post_order", json=order((2, 2))).status_code == 201

    assert stock(alice)["Oak Table"] == 0


def test_an_order_keeps_the_price_of_the_day_it_was_placed(
    alice: Shopper, admin: Shopper, catalogue: dict[str, Product]
) -> None:
    assert alice.post("/api/post_order", json=order((1, 2))).status_code == 201

    assert admin.patch("/api/products/1", json={"price": "25.00"}).status_code == 200

    placed = alice.get("/api/get_order").json[0]
    assert placed["items"][0]["price"] == "19.99"
    assert placed["total_price"] == "39.98"


def test_address_and_phone_are_trimmed(alice: Shopper, catalogue: dict[str, Product]) -> None:
    response = alice.post(
        "/api/post_order", json=order((1, 1), address="  1 Elm Street \n", phone=" 555 0100 1 ")
    )

    assert response.json["address"] == "1 Elm Street"
    assert response.json["phone"] == "555 0100 1"


def test_the_contracts_nested_error_example(alice: Shopper, catalogue: dict[str, Product]) -> None:
    response = alice.post("/api/post_order", json=order((1, 1), (2, 0)))

    assert answer(response) == (
        400,
        {
            "error": "items.1.amount: Must be at least 1.",
            "errors": {"items": {"1": {"amount": ["Must be at least 1."]}}},
        },
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"address": ""}, {"address": ["This field may not be blank."]}),
        ({"address": "   "}, {"address": ["This field may not be blank."]}),
        (
            {"address": "x" * 501},
            {"address": ["Ensure this field has no more than 500 characters."]},
        ),
        ({"address": 12}, {"address": ["Not a valid string."]}),
        ({"address": None}, {"address": ["This field may not be null."]}),
        ({"phone": "1234"}, {"phone": [PHONE_RULE]}),
        ({"phone": "9" * 33}, {"phone": ["Ensure this field has no more than 32 characters."]}),
        ({"phone": 5550100}, {"phone": ["Not a valid string."]}),
    ],
)
def test_address_and_phone_rules(
    alice: Shopper, catalogue: dict[str, Product], fields: dict[str, Any], errors: dict[str, Any]
) -> None:
    response = alice.post("/api/post_order", json=order((1, 1), **fields))

    assert response.status_code == 400
    assert response.json["errors"] == errors


@pytest.mark.parametrize("phone", ["abcde", "12-34", "555 0100 x", "+()- 1234", "12345#"])
def test_a_phone_needs_five_digits_and_only_spaces_and_plus_parens_dashes(
    alice: Shopper, catalogue: dict[str, Product], phone: str
) -> None:
    response = alice.post("/api/post_order", json=order((1, 1), phone=phone))

    assert response.status_code == 400
    assert list(response.json["errors"]) == ["phone"]


@pytest.mark.parametrize("phone", ["12345", "+1 (555) 010-0199", "9" * 32])
def test_reasonable_phone_numbers_are_accepted(
    alice: Shopper, catalogue: dict[str, Product], phone: str
) -> None:
    assert alice.post("/api/post_order", json=order((1, 1), phone=phone)).status_code == 201


def test_missing_fields_are_each_reported(alice: Shopper) -> None:
    response = alice.post("/api/post_order", json={})

    assert response.status_code == 400
    assert response.json["errors"] == {
        "address": ["This field is required."],
        "phone": ["This field is required."],
        "items": ["This field is required."],
    }


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "This list may not be empty."),
        ("1 chair", 'Expected a list of items but got type "str".'),
        ({"product_id": 1, "amount": 1}, 'Expected a list of items but got type "dict".'),
        (None, "This field may not be null."),
        (
            [{"product_id": 1, "amount": 1}] * 101,
            "Ensure this field has no more than 100 elements.",
        ),
    ],
)
def test_items_must_be_a_list_of_1_to_100_lines(
    alice: Shopper, catalogue: dict[str, Product], items: object, message: str
) -> None:
    response = alice.post("/api/post_order", json=order(items=items))

    assert answer(response) == (400, {"error": f"items: {message}", "errors": {"items": [message]}})


def test_a_hundred_lines_are_accepted(alice: Shopper, store: Webstore) -> None:
    store.import_products(store.operator, [{"name": "Marble", "price": "0.05", "amount": 100}])

    response = alice.post("/api/post_order", json=order(*[(1, 1)] * 100))

    assert response.status_code == 201
    assert response.json["items"] == [
        {"product_id": 1, "product_name": "Marble", "amount": 100, "price": "0.05"}
    ]
    assert response.json["total_price"] == "5.00"


@pytest.mark.parametrize(
    ("product_id", "message"),
    [
        (0, "Must be at least 1."),
        (-3, "Must be at least 1."),
        ("1", "Not a valid integer."),
        (True, "Not a valid integer."),
        (1.0, "Not a valid integer."),
        (1.5, "Not a valid integer."),
        (None, "This field may not be null."),
    ],
)
def test_a_product_id_is_a_positive_json_integer(
    alice: Shopper, catalogue: dict[str, Product], product_id: object, message: str
) -> None:
    response = alice.post("/api/post_order", json=order((product_id, 1)))

    assert response.status_code == 400
    assert response.json["errors"] == {"items": {"0": {"product_id": [message]}}}


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "Must be at least 1."),
        (10001, "Must be at most 10000."),
        (True, "Not a valid integer."),
        (1.5, "Not a valid integer."),
        (1.0, "Not a valid integer."),
        ("5", "Not a valid integer."),
        (None, "This field may not be null."),
    ],
)
def test_an_amount_is_a_json_integer_from_1_to_10000(
    alice: Shopper, catalogue: dict[str, Product], amount: object, message: str
) -> None:
    response = alice.post("/api/post_order", json=order((1, amount)))

    assert response.status_code == 400
    assert response.json["errors"] == {"items": {"0": {"amount": [message]}}}


def test_an_amount_written_as_1_point_0_in_the_raw_json_is_not_an_integer(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    raw = (
        '{"address": "1 Elm Street", "phone": "5550100",'
        ' "items": [{"product_id": 1, "amount": 1.0}]}'
    )
    response = alice.client.post(
        "/api/post_order", data=raw, content_type="application/json", headers=alice.headers()
    )

    assert response.json["errors"] == {"items": {"0": {"amount": ["Not a valid integer."]}}}


def test_an_amount_of_10000_is_accepted_by_validation(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.post("/api/post_order", json=order((1, 10000)))

    assert answer(response) == (
        400,
        {"error": "not enough stock for product 1: requested 10000, available 10"},
    )


def test_errors_of_several_lines_are_keyed_by_their_index(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    items = [
        {"product_id": 1, "amount": 1},
        "a chair",
        {"amount": 2},
        {"product_id": 2, "amount": 0},
    ]

    response = alice.post("/api/post_order", json=order(items=items))

    assert response.json["errors"] == {
        "items": {
            "1": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
            "2": {"product_id": ["This field is required."]},
            "3": {"amount": ["Must be at least 1."]},
        }
    }
    assert response.json["error"] == (
        "items.1.non_field_errors: Invalid data. Expected a dictionary, but got str."
    )


# --- a checkout reads the login session once, in its own transaction --------------------------

INVALID_TOKEN = (403, {"detail": "Invalid token."})
CSRF_MISSING = (403, {"detail": "CSRF Failed: CSRF token missing."})


def test_a_checkout_of_an_ended_login_is_refused_first_whatever_else_is_wrong(
    alice: Shopper, store: Webstore, catalogue: dict[str, Product]
) -> None:
    store.set_user_active(store.operator, "alice", False)
    wrongs = [
        alice.post("/api/post_order", json=order((1, 1))),
        alice.post("/api/post_order", json=order((1, 1)), headers={"X-CSRFToken": ""}),
        alice.post("/api/post_order", json=order((1, 1)), headers={"Idempotency-Key": " \x01"}),
        alice.post("/api/post_order", json=order((1, 1)), headers={"Idempotency-Key": "k-1"}),
        alice.post("/api/post_order", json=order((1, 0), phone="x")),
        alice.post("/api/post_order", json=order((99, 1))),
        alice.post("/api/post_order", json=order((1, 1000))),
        alice.client.post(
            "/api/post_order",
            data="{not json",
            content_type="application/json",
            headers=alice.headers(),
        ),
    ]
    assert [answer(response) for response in wrongs] == [INVALID_TOKEN] * len(wrongs)
    assert [p.stock for p in store.list_products().items] == [10, 2, 0]


def test_a_live_login_hears_csrf_then_validation_as_before(
    alice: Shopper, store: Webstore, catalogue: dict[str, Product]
) -> None:
    missing = alice.post("/api/post_order", json=order((1, 0)), headers={"X-CSRFToken": ""})
    invalid = alice.post("/api/post_order", json=order((1, 0)))
    assert answer(missing) == CSRF_MISSING
    assert answer(invalid) == (400, invalid.json) and "items" in invalid.json["errors"]
    assert [p.stock for p in store.list_products().items] == [10, 2, 0]


def test_an_idempotent_order_is_not_replayed_once_its_login_ended(
    alice: Shopper, store: Webstore, catalogue: dict[str, Product]
) -> None:
    keyed = {"headers": {"Idempotency-Key": "order-1"}}
    first = alice.post("/api/post_order", json=order((1, 1)), **keyed)
    assert first.status_code == 201
    store.set_user_active(store.operator, "alice", False)
    assert answer(alice.post("/api/post_order", json=order((1, 1)), **keyed)) == INVALID_TOKEN
    assert [p.stock for p in store.list_products().items] == [9, 2, 0]
