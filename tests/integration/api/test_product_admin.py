from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.api.conftest import Shopper, answer
from webstore.domain.products import Product

NOT_FOUND = {"detail": "Not found."}
PERMISSION = {"detail": "You do not have permission to perform this action."}
NEW_STOOL = {"name": "Bar Stool", "description": "Tall", "price": "45.00", "amount": 7}
NO_PICTURE = {"image": None, "thumbnail": None}


@pytest.mark.parametrize("path", ["/api/products/1", "/api/products/1/"])
def test_a_regular_user_sees_a_product_exactly_as_the_listing_shows_it(
    alice: Shopper, catalogue: dict[str, Product], path: str
) -> None:
    listed = alice.get("/api/get_all_products").json[0]

    assert answer(alice.get(path)) == (
        200,
        {
            "id": 1,
            "name": "Red Chair",
            "description": "A sturdy red chair",
            "price": "19.99",
            "amount": 10,
        },
    )
    assert alice.get(path).json == listed


def test_a_superuser_also_sees_whether_a_product_is_active(
    admin: Shopper, catalogue: dict[str, Product]
) -> None:
    assert admin.get("/api/products/1").json["is_active"] is True


def test_a_withdrawn_product_is_not_found_by_a_regular_user_but_seen_by_a_superuser(
    alice: Shopper, admin: Shopper, catalogue: dict[str, Product]
) -> None:
    assert admin.delete("/api/products/2").status_code == 204

    assert answer(alice.get("/api/products/2")) == (404, NOT_FOUND)
    status, body = answer(admin.get("/api/products/2"))
    assert status == 200
    assert body["is_active"] is False


@pytest.mark.parametrize("path", ["/api/products/99", "/api/products/0", "/api/products/abc"])
def test_an_unknown_product_is_not_found(alice: Shopper, admin: Shopper, path: str) -> None:
    assert answer(alice.get(path)) == (404, NOT_FOUND)
    assert answer(admin.get(path)) == (404, NOT_FOUND)


def test_a_superuser_creates_a_product(admin: Shopper, alice: Shopper) -> None:
    response = admin.post("/api/products", json=NEW_STOOL)

    assert answer(response) == (201, {"id": 1, **NEW_STOOL, "is_active": True, **NO_PICTURE})
    assert alice.get("/api/get_all_products").json == [{"id": 1, **NEW_STOOL}]


def test_the_description_is_optional(admin: Shopper) -> None:
    body = {"name": "Bar Stool", "price": "45.00", "amount": 7}

    response = admin.post("/api/products/", json=body)

    assert response.status_code == 201
    assert response.json["description"] == ""


@pytest.mark.parametrize(
    ("price", "shown"),
    [
        ("12.5", "12.50"),
        (12.5, "12.50"),
        (12, "12.00"),
        ("0.01", "0.01"),
        (99999999.99, "99999999.99"),
    ],
)
def test_a_price_may_be_a_json_number_or_a_decimal_string(
    admin: Shopper, price: object, shown: str
) -> None:
    response = admin.post("/api/products", json={**NEW_STOOL, "price": price})

    assert response.status_code == 201
    assert response.json["price"] == shown


def test_a_price_stays_exact_through_json(admin: Shopper) -> None:
    response = admin.post(
        "/api/products",
        data='{"name": "Pin", "price": 0.30, "amount": 1}',
        content_type="application/json",
    )

    assert Decimal(response.json["price"]) == Decimal("0.30")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": 7}, "name"),
        ({"price": "12.345"}, "price"),
        ({"price": 0}, "price"),
        ({"price": -1}, "price"),
        ({"price": "cheap"}, "price"),
        ({"price": True}, "price"),
        ({"price": 1000000000}, "price"),
        ({"amount": -1}, "amount"),
        ({"amount": 1.0}, "amount"),
        ({"amount": "5"}, "amount"),
        ({"amount": True}, "amount"),
        ({"description": 5}, "description"),
    ],
)
def test_invalid_product_fields_are_refused_on_create_and_update(
    admin: Shopper, catalogue: dict[str, Product], changes: dict[str, object], field: str
) -> None:
    created = admin.post("/api/products", json={**NEW_STOOL, **changes})
    updated = admin.patch("/api/products/1", json=changes)

    for response in (created, updated):
        assert response.status_code == 400
        assert list(response.json["errors"]) == [field]
    assert admin.get("/api/products/1").json["name"] == "Red Chair"


def test_missing_required_fields_are_each_reported(admin: Shopper) -> None:
    response = admin.post("/api/products", json={"description": "nameless"})

    assert response.status_code == 400
    assert response.json["errors"] == {
        "name": ["This field is required."],
        "price": ["This field is required."],
        "amount": ["This field is required."],
    }


def test_a_regular_user_may_not_create_a_product(alice: Shopper) -> None:
    assert answer(alice.post("/api/products", json=NEW_STOOL)) == (403, PERMISSION)


def test_a_superuser_changes_some_fields_of_a_product(
    admin: Shopper, catalogue: dict[str, Product]
) -> None:
    response = admin.patch("/api/products/1/", json={"price": 17.5, "amount": 4, "colour": "red"})

    assert answer(response) == (
        200,
        {
            "id": 1,
            "name": "Red Chair",
            "description": "A sturdy red chair",
            "price": "17.50",
            "amount": 4,
            "is_active": True,
            **NO_PICTURE,
        },
    )


def test_a_superuser_withdraws_and_restores_a_product_by_patching_is_active(
    admin: Shopper, alice: Shopper, catalogue: dict[str, Product]
) -> None:
    assert admin.patch("/api/products/1", json={"is_active": False}).json["is_active"] is False
    assert alice.get("/api/products/1").status_code == 404

    assert admin.patch("/api/products/1", json={"is_active": True}).json["is_active"] is True
    assert alice.get("/api/products/1").status_code == 200


def test_is_active_must_be_a_boolean(admin: Shopper, catalogue: dict[str, Product]) -> None:
    response = admin.patch("/api/products/1", json={"is_active": "no"})

    assert response.status_code == 400
    assert response.json["errors"] == {"is_active": ["Must be a valid boolean."]}


def test_patching_an_unknown_product_is_not_found(admin: Shopper) -> None:
    assert answer(admin.patch("/api/products/42", json={"amount": 1})) == (404, NOT_FOUND)


def test_a_regular_user_may_not_change_a_product(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    assert answer(alice.patch("/api/products/1", json={"amount": 0})) == (403, PERMISSION)


def test_deleting_withdraws_the_product_with_an_empty_204_twice(
    admin: Shopper, alice: Shopper, catalogue: dict[str, Product]
) -> None:
    first = admin.delete("/api/products/1")
    second = admin.delete("/api/products/1/")

    for response in (first, second):
        assert response.status_code == 204
        assert response.data == b""
        assert response.content_type == "application/json"
    assert [p["id"] for p in alice.get("/api/get_all_products").json] == [2, 3]


def test_a_withdrawn_product_cannot_be_ordered_but_old_orders_keep_it(
    admin: Shopper, alice: Shopper, catalogue: dict[str, Product]
) -> None:
    order = {
        "address": "1 Elm Street",
        "phone": "555-0100-1",
        "items": [{"product_id": 1, "amount": 1}],
    }
    assert alice.post("/api/post_order", json=order).status_code == 201

    assert admin.delete("/api/products/1").status_code == 204

    assert answer(alice.post("/api/post_order", json=order)) == (
        400,
        {"error": "product 1 does not exist"},
    )
    assert alice.get("/api/get_order").json[0]["items"][0]["product_name"] == "Red Chair"


def test_deleting_an_unknown_product_is_not_found(admin: Shopper) -> None:
    assert answer(admin.delete("/api/products/77")) == (404, NOT_FOUND)


def test_a_regular_user_may_not_delete_a_product(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    assert answer(alice.delete("/api/products/1")) == (403, PERMISSION)
    assert alice.get("/api/products/1").status_code == 200


def test_over_http_the_stock_is_amount_and_a_stock_field_is_ignored(
    admin: Shopper, catalogue: dict[str, Product]
) -> None:
    without_amount = {key: value for key, value in NEW_STOOL.items() if key != "amount"}

    refused = admin.post("/api/products", json={**without_amount, "stock": 7})
    made = admin.post("/api/products", json={**NEW_STOOL, "stock": 99})
    changed = admin.patch(f"/api/products/{made.json['id']}", json={"amount": 3, "stock": 99})

    assert answer(refused) == (
        400,
        {
            "error": "amount: This field is required.",
            "errors": {"amount": ["This field is required."]},
        },
    )
    assert (made.status_code, made.json["amount"]) == (201, 7)
    assert (changed.status_code, changed.json["amount"]) == (200, 3)
