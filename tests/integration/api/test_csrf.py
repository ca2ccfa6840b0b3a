from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.integration.api.conftest import Shopper, answer
from tests.integration.api.endpoints import UNSAFE
from webstore.domain.products import Product

MISSING = {"detail": "CSRF Failed: CSRF token missing."}
INCORRECT = {"detail": "CSRF Failed: CSRF token incorrect."}
PERMISSION = {"detail": "You do not have permission to perform this action."}


def send(shopper: Shopper, method: str, path: str, **headers: str) -> TestResponse:
    return shopper.client.open(
        path,
        method=method,
        json={},
        headers={"Authorization": f"Token {shopper.access_token}", **headers},
    )


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_an_unsafe_request_without_the_csrf_header_is_refused(
    admin: Shopper, method: str, path: str
) -> None:
    assert answer(send(admin, method, path)) == (403, MISSING)


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_an_unsafe_request_without_the_csrf_cookie_is_refused(
    admin: Shopper, method: str, path: str
) -> None:
    header = admin.csrf
    admin.client.delete_cookie("csrftoken")

    assert answer(send(admin, method, path, **{"X-CSRFToken": header})) == (403, MISSING)


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_a_csrf_header_that_differs_from_the_cookie_is_refused(
    admin: Shopper, method: str, path: str
) -> None:
    response = send(admin, method, path, **{"X-CSRFToken": admin.csrf[::-1]})

    assert answer(response) == (403, INCORRECT)


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_a_csrf_token_issued_to_another_user_is_refused(
    admin: Shopper, alice: Shopper, method: str, path: str
) -> None:
    admin.client.set_cookie("csrftoken", alice.csrf)  # planted by a sibling subdomain

    response = send(admin, method, path, **{"X-CSRFToken": alice.csrf})

    assert answer(response) == (403, INCORRECT)


def test_a_csrf_token_not_signed_by_the_server_is_refused(alice: Shopper) -> None:
    planted = "A" * 32 + "." + "B" * 43
    alice.client.set_cookie("csrftoken", planted)

    response = send(alice, "POST", "/api/post_order", **{"X-CSRFToken": planted})

    assert answer(response) == (403, INCORRECT)


def test_the_csrf_header_name_is_case_insensitive(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    order = {
        "address": "1 Elm Street",
        "phone": "+1 555 0100",
        "items": [{"product_id": catalogue["Red Chair"].id, "amount": 1}],
    }
    response = alice.client.post(
        "/api/post_order",
        json=order,
        headers={"Authorization": f"Token {alice.access_token}", "x-csrftoken": alice.csrf},
    )

    assert response.status_code == 201


def test_logging_in_again_in_a_second_tab_does_not_break_the_first(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    first_tab_token, first_csrf = alice.access_token, alice.csrf
    alice.log_in()  # the second tab: new session, new csrftoken cookie in the shared jar
    assert alice.csrf != first_csrf
    order = {
        "address": "1 Elm Street",
        "phone": "+1 555 0100",
        "items": [{"product_id": catalogue["Red Chair"].id, "amount": 1}],
    }

    alice.access_token = first_tab_token
    assert alice.post("/api/post_order", json=order).status_code == 201
    alice.client.set_cookie("csrftoken", first_csrf)
    assert alice.post("/api/post_order", json=order).status_code == 201


def test_signing_up_and_logging_in_need_no_csrf(client: FlaskClient) -> None:
    shopper = Shopper(client, "carol")

    assert shopper.sign_up().status_code == 200
    assert shopper.log_in().status_code == 200


def test_safe_methods_need_no_csrf(alice: Shopper) -> None:
    response = alice.client.get(
        "/api/get_all_products", headers={"Authorization": f"Token {alice.access_token}"}
    )

    assert response.status_code == 200


# --- the order of checks: authentication, CSRF, permission, validation -----------------------


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_authentication_is_checked_before_csrf(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method, json={})

    assert answer(response) == (
        403,
        {"detail": "Authentication credentials were not provided."},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/products"),
        ("PATCH", "/api/products/1"),
        ("DELETE", "/api/products/1"),
        ("POST", "/api/orders/1/complete"),
    ],
)
def test_csrf_is_checked_before_permission(alice: Shopper, method: str, path: str) -> None:
    assert answer(send(alice, method, path)) == (403, MISSING)


@pytest.mark.parametrize(
    "body",
    [{}, {"name": "", "price": "-1", "amount": -5}, {"price": "cheap"}],
)
def test_permission_is_checked_before_validation(
    alice: Shopper, catalogue: dict[str, Product], body: dict[str, object]
) -> None:
    assert answer(alice.post("/api/products", json=body)) == (403, PERMISSION)
    assert answer(alice.patch("/api/products/1", json=body)) == (403, PERMISSION)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ("x", "text/plain")],
)
def test_permission_is_checked_before_the_body_is_even_read(
    alice: Shopper, data: str, content_type: str
) -> None:
    response = alice.client.post(
        "/api/products", data=data, content_type=content_type, headers=alice.headers()
    )

    assert answer(response) == (403, PERMISSION)


def test_a_superuser_gets_to_the_validation(admin: Shopper) -> None:
    response = admin.post("/api/products", json={})

    assert response.status_code == 400
