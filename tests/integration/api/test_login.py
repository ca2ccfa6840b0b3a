from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import PASSWORD, Shopper, parse_set_cookies
from webstore import Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app

USER_NOT_FOUND = {"detail": "user not found"}


@pytest.fixture
def signed_up(client: FlaskClient) -> Shopper:
    shopper = Shopper(client, "Alice")
    assert shopper.sign_up().status_code == 200
    return shopper


def log_in(client: FlaskClient, username: str = "Alice", password: str = PASSWORD) -> TestResponse:
    return client.post("/api/login_view", json={"username": username, "password": password})


def test_logging_in_gives_an_access_token_and_the_user(
    client: FlaskClient, signed_up: Shopper
) -> None:
    response = log_in(client)

    assert response.status_code == 200
    assert list(response.json) == ["access_token", "user"]
    assert response.json["access_token"].count(".") == 2
    assert response.json["user"] == {"id": 1, "username": "Alice", "email": "alice@example.com"}


def test_the_username_matches_whatever_its_case_and_shows_as_registered(
    client: FlaskClient, signed_up: Shopper
) -> None:
    response = log_in(client, username="aLICE")

    assert response.status_code == 200
    assert response.json["user"]["username"] == "Alice"


def test_the_refresh_cookie_is_http_only_lax_on_api_for_the_refresh_lifetime(
    client: FlaskClient, signed_up: Shopper
) -> None:
    cookie = parse_set_cookies(log_in(client))["refreshtoken"]

    assert cookie["value"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/api"
    assert cookie["max-age"] == "604800"
    assert cookie["secure"] is True
    assert "domain" not in cookie


def test_the_csrf_cookie_is_readable_by_scripts_lax_on_the_whole_site(
    client: FlaskClient, signed_up: Shopper
) -> None:
    cookie = parse_set_cookies(log_in(client))["csrftoken"]

    assert cookie["value"]
    assert "httponly" not in cookie
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == "604800"
    assert cookie["secure"] is True
    assert "domain" not in cookie


@pytest.mark.parametrize("settings", [fast_settings(cookie_secure=False)])
def test_cookies_are_not_secure_when_cookie_secure_is_off(
    client: FlaskClient, signed_up: Shopper
) -> None:
    cookies = parse_set_cookies(log_in(client))

    assert "secure" not in cookies["refreshtoken"]
    assert "secure" not in cookies["csrftoken"]


def test_cookie_secure_0_in_the_environment_turns_secure_off(store: Webstore) -> None:
    settings = Settings.from_env(
        {"WEBSTORE_COOKIE_SECURE": "0", "WEBSTORE_DATABASE_URL": "memory://"}
    )
    client = create_app(settings, store).test_client()
    Shopper(client, "Alice").sign_up()

    cookies = parse_set_cookies(log_in(client))

    assert "secure" not in cookies["refreshtoken"]
    assert "secure" not in cookies["csrftoken"]


@pytest.mark.parametrize("settings", [fast_settings(cookie_domain="example.com")])
def test_both_cookies_carry_the_configured_domain(client: FlaskClient, signed_up: Shopper) -> None:
    cookies = parse_set_cookies(log_in(client))

    assert cookies["refreshtoken"]["domain"] == "example.com"
    assert cookies["csrftoken"]["domain"] == "example.com"


@pytest.mark.parametrize("settings", [fast_settings(refresh_token_ttl=3600)])
def test_the_cookies_live_as_long_as_the_refresh_token(
    client: FlaskClient, signed_up: Shopper
) -> None:
    cookies = parse_set_cookies(log_in(client))

    assert cookies["refreshtoken"]["max-age"] == "3600"
    assert cookies["csrftoken"]["max-age"] == "3600"


def test_a_wrong_password_looks_like_an_unknown_user(
    client: FlaskClient, signed_up: Shopper
) -> None:
    wrong_password = log_in(client, password="incorrect horse")
    unknown_user = log_in(client, username="mallory")

    assert (wrong_password.status_code, wrong_password.json) == (403, USER_NOT_FOUND)
    assert (unknown_user.status_code, unknown_user.json) == (403, USER_NOT_FOUND)
    assert wrong_password.headers.getlist("Set-Cookie") == []
    assert unknown_user.headers.getlist("Set-Cookie") == []


def test_an_inactive_user_looks_like_an_unknown_user(
    client: FlaskClient, signed_up: Shopper, store: Webstore
) -> None:
    store.set_user_active(store.operator, "Alice", False)

    response = log_in(client)

    assert (response.status_code, response.json) == (403, USER_NOT_FOUND)


@pytest.mark.parametrize("missing", ["username", "password"])
def test_a_missing_field_is_a_validation_error(client: FlaskClient, missing: str) -> None:
    body = {"username": "Alice", "password": PASSWORD}
    del body[missing]

    response = client.post("/api/login_view", json=body)

    assert response.status_code == 400
    assert response.json == {
        "error": f"{missing}: This field is required.",
        "errors": {missing: ["This field is required."]},
    }


@pytest.mark.parametrize("value", [42, None, ["Alice"], True])
def test_a_username_that_is_not_a_string_is_a_validation_error(
    client: FlaskClient, value: object
) -> None:
    response = client.post("/api/login_view", json={"username": value, "password": PASSWORD})

    assert response.status_code == 400
    assert set(response.json) == {"error", "errors"}
    assert list(response.json["errors"]) == ["username"]


def test_a_hash_made_with_weaker_parameters_is_rehashed_on_login() -> None:
    database = InMemoryUnitOfWorkFactory()
    weak = bootstrap(fast_settings(argon2_time_cost=1), uow=database)
    weak.register_user("Alice", "alice@example.com", PASSWORD)
    stronger = bootstrap(fast_settings(argon2_time_cost=2), uow=database)
    client = create_app(fast_settings(), stronger).test_client()

    assert log_in(client).status_code == 200

    with database(read_only=True) as work:
        user = work.users.get_by_username("Alice")
    assert user is not None
    assert ",t=2," in user.password_hash
