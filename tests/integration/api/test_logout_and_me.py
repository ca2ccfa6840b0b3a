from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, answer, parse_set_cookies

LOGGED_OUT = {"detail": "Successfully logged out."}


def assert_both_cookies_cleared(response: TestResponse, domain: str | None = None) -> None:
    cookies = parse_set_cookies(response)
    assert set(cookies) == {"refreshtoken", "csrftoken"}
    for name, path in (("refreshtoken", "/api"), ("csrftoken", "/")):
        assert cookies[name]["value"] == ""
        assert cookies[name]["max-age"] == "0"
        assert cookies[name]["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
        assert cookies[name]["path"] == path
        assert cookies[name].get("domain") == domain


def test_logging_out_without_any_cookie_still_succeeds_and_clears_cookies(
    client: FlaskClient,
) -> None:
    response = client.post("/api/logout")

    assert answer(response) == (200, LOGGED_OUT)
    assert_both_cookies_cleared(response)


def test_logging_out_revokes_the_login_session_and_clears_both_cookies(alice: Shopper) -> None:
    refresh, csrf = alice.refresh_cookie, alice.csrf

    response = alice.post("/api/logout")

    assert answer(response) == (200, LOGGED_OUT)
    assert_both_cookies_cleared(response)
    assert alice.refresh_cookie is None
    assert answer(alice.get("/api/me")) == (
        403,
        {"detail": "Invalid token."},
    )
    assert refresh is not None
    alice.client.set_cookie("refreshtoken", refresh, path="/api")
    alice.client.set_cookie("csrftoken", csrf)
    assert answer(alice.refresh()) == (
        403,
        {"detail": "expired refresh token, please login again."},
    )


def test_logging_out_with_a_refresh_cookie_but_no_csrf_header_is_refused(alice: Shopper) -> None:
    response = alice.client.post("/api/logout")

    assert answer(response) == (403, {"detail": "CSRF Failed: CSRF token missing."})
    assert parse_set_cookies(response) == {}
    assert alice.get("/api/me").status_code == 200


def test_logging_out_with_an_incorrect_csrf_header_is_refused(alice: Shopper) -> None:
    response = alice.client.post("/api/logout", headers={"X-CSRFToken": "not-the-cookie"})

    assert answer(response) == (403, {"detail": "CSRF Failed: CSRF token incorrect."})
    assert alice.get("/api/me").status_code == 200


def test_logging_out_with_another_users_csrf_token_is_refused(alice: Shopper, bob: Shopper) -> None:
    alice.client.set_cookie("csrftoken", bob.csrf)

    response = alice.client.post("/api/logout", headers={"X-CSRFToken": bob.csrf})

    assert answer(response) == (403, {"detail": "CSRF Failed: CSRF token incorrect."})
    assert alice.get("/api/me").status_code == 200


def test_logging_out_with_a_forged_refresh_cookie_just_clears_it(alice: Shopper) -> None:
    alice.client.set_cookie("refreshtoken", "forged", path="/api")

    response = alice.post("/api/logout")

    assert answer(response) == (200, LOGGED_OUT)
    assert_both_cookies_cleared(response)


@pytest.mark.parametrize("settings", [fast_settings(cookie_domain="example.com")])
def test_logging_out_clears_the_cookies_of_the_configured_domain(client: FlaskClient) -> None:
    response = client.post("/api/logout/")

    assert response.status_code == 200
    assert_both_cookies_cleared(response, domain="example.com")


def test_me_tells_a_reloaded_page_who_is_logged_in(alice: Shopper) -> None:
    response = alice.get("/api/me")

    assert answer(response) == (
        200,
        {
            "id": alice.user_id,
            "username": "alice",
            "email": "alice@example.com",
            "is_superuser": False,
        },
    )
    assert list(response.json) == ["id", "username", "email", "is_superuser"]


def test_me_knows_a_superuser(admin: Shopper) -> None:
    assert admin.get("/api/me").json["is_superuser"] is True


def test_me_needs_authentication(client: FlaskClient) -> None:
    assert answer(client.get("/api/me")) == (
        403,
        {"detail": "Authentication credentials were not provided."},
    )
