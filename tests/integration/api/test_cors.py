from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper
from webstore import Webstore
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app

SHOP = "https://shop.example.com"
with_cors = pytest.mark.parametrize(
    "settings", [fast_settings(cors_origins=(SHOP, "http://localhost:5173"))]
)


def preflight(client: FlaskClient, origin: str, path: str = "/api/post_order") -> TestResponse:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-csrftoken",
        },
    )


def test_without_configured_origins_there_are_no_cors_headers(client: FlaskClient) -> None:
    response = client.get("/api/health", headers={"Origin": SHOP})

    assert not [name for name, _ in response.headers if name.startswith("Access-Control")]
    assert preflight(client, SHOP).headers.get("Access-Control-Allow-Origin") is None


@with_cors
def test_a_configured_origin_is_echoed_with_credentials(alice: Shopper) -> None:
    response = alice.client.get(
        "/api/get_all_products", headers={**alice.headers(), "Origin": SHOP}
    )

    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"X-Total-Count", "Retry-After", "Idempotent-Replayed"}


@with_cors
def test_errors_carry_cors_headers_too_so_the_front_end_can_read_them(client: FlaskClient) -> None:
    response = client.get("/api/me", headers={"Origin": SHOP})

    assert response.status_code == 403
    assert response.headers["Access-Control-Allow-Origin"] == SHOP


@with_cors
def test_a_preflight_from_a_configured_origin_is_allowed(client: FlaskClient) -> None:
    response = preflight(client, "http://localhost:5173")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    headers = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert headers == {"authorization", "content-type", "x-csrftoken", "idempotency-key"}


@with_cors
@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://shop.example.com.evil.com",
        "null",
        "http://shop.example.com",
    ],
)
def test_any_other_origin_gets_no_cors_headers(client: FlaskClient, origin: str) -> None:
    simple = client.get("/api/health", headers={"Origin": origin})
    options = preflight(client, origin)

    for response in (simple, options):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in simple.headers["Vary"]


def test_origins_come_from_the_comma_separated_setting(store: Webstore) -> None:
    environ = {
        "WEBSTORE_DATABASE_URL": "memory://",
        "WEBSTORE_CORS_ORIGINS": f" {SHOP}/ , http://localhost:5173",
    }
    client = create_app(Settings.from_env(environ), store).test_client()

    for origin in (SHOP, "http://localhost:5173"):
        response = client.get("/api/health", headers={"Origin": origin})
        assert response.headers["Access-Control-Allow-Origin"] == origin
