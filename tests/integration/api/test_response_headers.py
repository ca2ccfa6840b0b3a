"""Headers that protect what a response carries: no caching of tokens, no content sniffing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.integration.api.conftest import Shopper

NOSNIFF = "nosniff"


def test_a_login_with_its_access_token_is_never_cached(alice: Shopper) -> None:
    response = alice.log_in()

    assert response.headers["Cache-Control"] == "no-store"


def test_a_refreshed_access_token_is_never_cached(alice: Shopper) -> None:
    response = alice.refresh()

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_refresh_within_the_grace_period_is_never_cached_either(alice: Shopper) -> None:
    old_cookie = alice.refresh_cookie
    assert alice.refresh().status_code == 200
    assert old_cookie is not None
    alice.client.set_cookie("refreshtoken", old_cookie, path="/api")

    response = alice.refresh()

    assert response.status_code == 200
    assert not any(c.startswith("refreshtoken=") for c in response.headers.getlist("Set-Cookie"))
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/health", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/api/docs", 200),
        ("GET", "/api/nowhere", 404),
        ("GET", "/api/post_order", 405),
        ("GET", "/api/me", 403),
        ("POST", "/api/sign_in", 400),
        ("OPTIONS", "/api/get_order", 200),
        ("HEAD", "/api/health", 200),
    ],
)
def test_every_response_forbids_content_sniffing(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method, data=b"{", content_type="application/json")

    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == NOSNIFF


def test_a_server_error_forbids_content_sniffing(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> bool:
        raise RuntimeError("boom")

    store = client.application.extensions["webstore"]
    monkeypatch.setattr(type(store), "is_healthy", lambda self: broken())

    response = client.get("/api/health")

    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == NOSNIFF


def test_an_oversized_body_forbids_content_sniffing(client: FlaskClient) -> None:
    response = client.post(
        "/api/sign_in", data=b"x" * (1024 * 1024 + 1), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.headers["X-Content-Type-Options"] == NOSNIFF
