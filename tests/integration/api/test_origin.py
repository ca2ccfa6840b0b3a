from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, answer
from tests.integration.api.endpoints import UNSAFE
from webstore import Webstore
from webstore.config import Settings
from webstore.domain.products import Product
from webstore.entrypoints.web.app import create_app

EVIL = "https://evil.example.com"
SHOP = "https://shop.example.com"
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}


def refused(origin: str) -> tuple[int, dict[str, str]]:
    message = f"CSRF Failed: Origin checking failed - {origin} does not match any trusted origins."
    return 403, {"detail": message}


def order_of(product: Product) -> dict[str, object]:
    return {
        "address": "1 Elm Street",
        "phone": "+1 555 0100",
        "items": [{"product_id": product.id, "amount": 1}],
    }


def send(shopper: Shopper, method: str, path: str, **headers: str) -> TestResponse:
    """A request with a valid token and CSRF pair, and ``headers`` on top."""
    return shopper.client.open(path, method=method, json={}, headers=shopper.headers(headers))


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_an_unsafe_request_from_a_foreign_origin_is_refused(
    admin: Shopper, method: str, path: str
) -> None:
    assert answer(send(admin, method, path, Origin=EVIL)) == refused(EVIL)


@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "http://localhost.evil.com",
        "https://localhost",  # this host, another scheme
        "http://localhost:8080",  # this host, another port
        "null",  # a sandboxed frame, a data: URL, some redirects
    ],
)
def test_any_origin_but_this_hosts_own_is_foreign(
    alice: Shopper, catalogue: dict[str, Product], origin: str
) -> None:
    response = alice.post(
        "/api/post_order", order_of(catalogue["Red Chair"]), headers={"Origin": origin}
    )

    assert answer(response) == refused(origin)


def test_a_request_from_this_hosts_own_page_passes(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.post(
        "/api/post_order", order_of(catalogue["Red Chair"]), headers={"Origin": "http://localhost"}
    )

    assert response.status_code == 201


def test_a_request_without_an_origin_passes(alice: Shopper, catalogue: dict[str, Product]) -> None:
    assert alice.post("/api/post_order", order_of(catalogue["Red Chair"])).status_code == 201


@pytest.mark.parametrize("settings", [fast_settings(cors_origins=(SHOP,))])
def test_a_configured_cors_origin_is_trusted(alice: Shopper, catalogue: dict[str, Product]) -> None:
    response = alice.post(
        "/api/post_order", order_of(catalogue["Red Chair"]), headers={"Origin": SHOP}
    )

    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.parametrize("settings", [fast_settings(cors_origins=(SHOP,))])
def test_only_the_configured_origins_are_trusted(alice: Shopper) -> None:
    response = alice.post("/api/post_order", {}, headers={"Origin": "http://shop.example.com"})

    assert answer(response) == refused("http://shop.example.com")


@pytest.mark.parametrize("settings", [fast_settings(cors_origins=("null",))])
def test_the_null_origin_is_never_trusted(alice: Shopper) -> None:
    assert answer(alice.post("/api/post_order", {}, headers={"Origin": "null"})) == refused("null")


class TestOnAnotherPortOverHttps:
    @pytest.fixture
    def app(self, settings: Settings, store: Webstore) -> Flask:
        app = create_app(settings, store)
        app.config.update(SERVER_NAME="shop.example.com:8443", PREFERRED_URL_SCHEME="https")
        return app

    def test_the_own_origin_includes_scheme_and_port(
        self, alice: Shopper, catalogue: dict[str, Product]
    ) -> None:
        cookie = alice.client.get_cookie("csrftoken", domain="shop.example.com")
        assert cookie is not None
        headers = {"X-CSRFToken": cookie.value, "Origin": "https://shop.example.com:8443"}

        response = alice.post("/api/post_order", order_of(catalogue["Red Chair"]), headers=headers)

        assert response.status_code == 201

    @pytest.mark.parametrize(
        "origin", ["https://shop.example.com", "http://shop.example.com:8443", "http://localhost"]
    )
    def test_the_same_name_with_another_scheme_or_port_is_foreign(
        self, alice: Shopper, origin: str
    ) -> None:
        assert answer(alice.post("/api/post_order", {}, headers={"Origin": origin})) == (
            refused(origin)
        )


# --- which endpoints, and in which order ----------------------------------------------------


def test_signing_up_and_logging_in_skip_the_origin_check_as_csrf_exempt_views_do(
    client: FlaskClient,
) -> None:
    shopper = Shopper(client, "carol")
    sign_up = {"username": "carol", "email": "carol@example.com", "password": shopper.password}
    log_in = {"username": "carol", "password": shopper.password}

    signed_up = client.post("/api/sign_in", json=sign_up, headers={"Origin": EVIL})
    logged_in = client.post("/api/login_view", json=log_in, headers={"Origin": EVIL})

    assert signed_up.status_code == 200
    assert logged_in.status_code == 200


def test_refreshing_from_a_foreign_origin_is_refused(alice: Shopper) -> None:
    assert answer(alice.refresh(Origin=EVIL)) == refused(EVIL)
    assert alice.refresh().status_code == 200  # the refresh token was not spent


def test_logging_out_from_a_foreign_origin_is_refused(alice: Shopper) -> None:
    response = alice.client.post("/api/logout", headers={"X-CSRFToken": alice.csrf, "Origin": EVIL})

    assert answer(response) == refused(EVIL)
    assert alice.refresh_cookie is not None


def test_logging_out_without_a_cookie_from_a_foreign_origin_is_refused(
    client: FlaskClient,
) -> None:
    response = client.post("/api/logout", headers={"Origin": EVIL})

    assert answer(response) == refused(EVIL)
    assert "Set-Cookie" not in response.headers


def test_logging_out_without_a_cookie_from_our_own_page_answers_200(client: FlaskClient) -> None:
    response = client.post("/api/logout", headers={"Origin": "http://localhost"})

    assert answer(response) == (200, {"detail": "Successfully logged out."})


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_authentication_is_checked_before_the_origin(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, json={}, headers={"Origin": EVIL})

    assert answer(response) == (403, NOT_PROVIDED)


def test_a_bad_token_is_reported_before_the_origin(client: FlaskClient) -> None:
    headers = {"Authorization": "Token not-a-jwt", "Origin": EVIL}

    assert answer(client.post("/api/post_order", json={}, headers=headers)) == (
        403,
        {"detail": "Invalid token."},
    )


def test_a_missing_refresh_cookie_is_reported_before_the_origin(client: FlaskClient) -> None:
    response = client.post("/api/refresh_token", headers={"Origin": EVIL})

    assert answer(response) == (403, NOT_PROVIDED)


def test_the_origin_is_checked_before_the_csrf_token(alice: Shopper) -> None:
    response = alice.client.post(
        "/api/post_order",
        json={},
        headers={"Authorization": f"Token {alice.access_token}", "Origin": EVIL},
    )

    assert answer(response) == refused(EVIL)


def test_the_origin_is_checked_before_permission(alice: Shopper) -> None:
    assert answer(alice.post("/api/products", {}, headers={"Origin": EVIL})) == refused(EVIL)


def test_safe_methods_from_a_foreign_origin_pass(alice: Shopper) -> None:
    assert alice.get("/api/get_all_products", headers={"Origin": EVIL}).status_code == 200
