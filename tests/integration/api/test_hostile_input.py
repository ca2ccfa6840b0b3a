"""Input that once slipped past validation, and the ordering of checks DRF clients rely on."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.integration.api.conftest import Shopper, answer, parse_set_cookies
from webstore.domain.products import Product


@pytest.mark.parametrize("value", ["--5", "-+1", "9" * 5000, "\u0663", " 1 2 "])
def test_a_malformed_limit_is_a_validation_error_not_a_crash(alice: Shopper, value: str) -> None:
    response = alice.get("/api/get_all_products", query_string={"limit": value})

    assert answer(response) == (
        400,
        {
            "error": "limit: A valid integer is required.",
            "errors": {"limit": ["A valid integer is required."]},
        },
    )


def test_a_malformed_user_id_is_a_validation_error_not_a_crash(admin: Shopper) -> None:
    response = admin.get("/api/get_order", query_string={"category": "user", "user_id": "--1"})

    assert response.status_code == 400
    assert response.json["errors"] == {"user_id": ["A valid integer is required."]}


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_json_nested_too_deeply_is_a_parse_error(
    client: FlaskClient, opening: str, closing: str
) -> None:
    body = opening * 5000 + closing * 5000

    response = client.post("/api/sign_in", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json == {"detail": "JSON parse error - nested too deeply"}


def test_refreshing_renews_the_csrf_cookie_with_the_session(alice: Shopper) -> None:
    csrf_before = alice.csrf

    response = alice.refresh()

    cookies = parse_set_cookies(response)
    assert response.status_code == 200
    assert cookies["csrftoken"]["value"] != csrf_before  # a new token, with a new issue time
    assert cookies["csrftoken"]["max-age"] == cookies["refreshtoken"]["max-age"] == "604800"
    assert "httponly" not in cookies["csrftoken"]


def test_patching_a_product_that_does_not_exist_is_404_even_with_a_bad_body(admin: Shopper) -> None:
    response = admin.patch("/api/products/999", json={"amount": -1})

    assert answer(response) == (404, {"detail": "Not found."})


def test_an_unknown_product_is_reported_before_another_lines_missing_stock(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    lamp = catalogue["Brass Lamp"]  # sold out
    order = {
        "address": "1 Main St",
        "phone": "+1 555 0100",
        "items": [{"product_id": lamp.id, "amount": 1}, {"product_id": 999, "amount": 1}],
    }

    response = alice.post("/api/post_order", json=order)

    assert answer(response) == (400, {"error": "product 999 does not exist"})


def test_a_null_order_line_is_reported_in_drfs_words(alice: Shopper) -> None:
    order = {
        "address": "1 Main St",
        "phone": "+1 555 0100",
        "items": [{"product_id": 1, "amount": 1}, None],
    }

    response = alice.post("/api/post_order", json=order)

    assert answer(response) == (
        400,
        {
            "error": "items.1: This field may not be null.",
            "errors": {"items": {"1": ["This field may not be null."]}},
        },
    )
