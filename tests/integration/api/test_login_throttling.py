from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY, fast_settings
from tests.integration.api.conftest import PASSWORD, Shopper, SteppingClock, answer
from webstore import Webstore, bootstrap
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app

USER_NOT_FOUND = {"detail": "user not found"}
PROXY = "10.0.0.1"  # the reverse proxy in front of the app, when there is one
CHESHIRE, QUEEN = "203.0.113.9", "198.51.100.4"  # two clients


def throttled(seconds: int) -> tuple[int, dict[str, str]]:
    return 429, {"detail": f"Request was throttled. Expected available in {seconds} seconds."}


def log_in(
    client: FlaskClient,
    username: str = "alice",
    password: str = PASSWORD,
    *,
    socket: str = CHESHIRE,
    forwarded_for: str | None = None,
) -> TestResponse:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return client.post(
        "/api/login_view",
        json={"username": username, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": socket},
    )


def fail(client: FlaskClient, username: str = "alice", **where: str) -> None:
    assert answer(log_in(client, username, "not the password", **where)) == (403, USER_NOT_FOUND)


@pytest.fixture
def signed_up(client: FlaskClient) -> Shopper:
    shopper = Shopper(client, "Alice")
    assert shopper.sign_up().status_code == 200
    return shopper


def test_the_sixth_attempt_gets_429_with_retry_after_even_with_the_right_password(
    client: FlaskClient, signed_up: Shopper
) -> None:
    for _ in range(5):
        fail(client)

    response = log_in(client)

    assert answer(response) == throttled(900)
    assert response.headers["Retry-After"] == "900"
    assert response.headers["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response.headers


def test_retry_after_counts_down_and_the_right_password_works_again_after_it(
    client: FlaskClient, signed_up: Shopper, clock: SteppingClock
) -> None:
    for _ in range(5):
        fail(client)

    clock.advance(100)
    response = log_in(client)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "800")

    clock.advance(800)
    assert log_in(client).status_code == 200


def test_unknown_usernames_are_throttled_alike(client: FlaskClient, signed_up: Shopper) -> None:
    for _ in range(5):
        fail(client, "hatter")

    assert answer(log_in(client, "Hatter")) == throttled(900)


def test_a_successful_login_clears_the_usernames_count(
    client: FlaskClient, signed_up: Shopper
) -> None:
    for _ in range(4):
        fail(client)
    assert log_in(client, "ALICE").status_code == 200

    for _ in range(4):
        fail(client)

    assert log_in(client).status_code == 200


def test_invalid_bodies_are_not_counted(client: FlaskClient, signed_up: Shopper) -> None:
    for _ in range(6):
        response = client.post("/api/login_view", json={"username": "alice", "password": 1})
        assert response.status_code == 400

    assert log_in(client).status_code == 200


@pytest.mark.parametrize("settings", [fast_settings(login_failures_per_address=3)])
def test_the_socket_address_is_counted_and_x_forwarded_for_is_not_believed_by_default(
    client: FlaskClient, signed_up: Shopper
) -> None:
    for n in range(3):
        fail(client, f"guest{n}", socket=CHESHIRE, forwarded_for=f"192.0.2.{n}")

    assert answer(log_in(client, socket=CHESHIRE, forwarded_for="192.0.2.99")) == throttled(900)
    assert log_in(client, socket=QUEEN, forwarded_for=CHESHIRE).status_code == 200


@pytest.mark.parametrize(
    "settings", [fast_settings(login_failures_per_address=3, trusted_proxies=1)]
)
def test_with_one_trusted_proxy_the_client_is_the_last_x_forwarded_for_entry(
    client: FlaskClient, signed_up: Shopper
) -> None:
    # A client may send its own X-Forwarded-For: the proxy appends the address it saw.
    for n in range(3):
        fail(client, f"guest{n}", socket=PROXY, forwarded_for=f"6.6.6.{n}, {CHESHIRE}")

    assert answer(log_in(client, socket=PROXY, forwarded_for=CHESHIRE)) == throttled(900)
    assert log_in(client, socket=PROXY, forwarded_for=f"{CHESHIRE}, {QUEEN}").status_code == 200


@pytest.mark.parametrize(
    "settings", [fast_settings(login_failures_per_address=3, trusted_proxies=2)]
)
def test_with_two_trusted_proxies_the_client_is_the_second_entry_from_the_right(
    client: FlaskClient, signed_up: Shopper
) -> None:
    for n in range(3):
        fail(client, f"guest{n}", socket=PROXY, forwarded_for=f"{CHESHIRE}, 10.0.0.{n + 2}")

    assert answer(log_in(client, socket=PROXY, forwarded_for=f"{CHESHIRE}, 10.0.0.9")) == (
        throttled(900)
    )
    assert log_in(client, socket=PROXY, forwarded_for=f"{QUEEN}, 10.0.0.2").status_code == 200


@pytest.mark.parametrize("settings", [fast_settings(trusted_proxies=1)])
@pytest.mark.parametrize(
    ("forwarded", "origin"),
    [
        ({"X-Forwarded-Host": "shop.evil.example"}, "http://shop.evil.example"),
        ({"X-Forwarded-Proto": "https"}, "https://localhost"),
        ({"X-Forwarded-Port": "8443"}, "http://localhost:8443"),
    ],
    ids=["host", "proto", "port"],
)
def test_a_trusted_proxy_is_believed_for_the_client_address_only(
    make_shopper: Callable[..., Shopper], forwarded: dict[str, str], origin: str
) -> None:
    alice = make_shopper("alice")
    headers = {"X-Forwarded-For": CHESHIRE, "Origin": origin, **forwarded}

    response = alice.post("/api/logout", headers=headers)

    assert answer(response) == (
        403,
        {
            "detail": f"CSRF Failed: Origin checking failed - {origin} does not match any "
            "trusted origins."
        },
    )


def test_the_limits_come_from_the_environment() -> None:
    environment = {
        "WEBSTORE_DATABASE_URL": "memory://",
        "WEBSTORE_SECRET_KEY": TEST_SECRET_KEY.decode(),
        "WEBSTORE_LOGIN_FAILURES_PER_USERNAME": "2",
        "WEBSTORE_LOGIN_FAILURES_PER_ADDRESS": "3",
        "WEBSTORE_LOGIN_FAILURE_WINDOW": "60",
        "WEBSTORE_TRUSTED_PROXIES": "1",
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    }
    settings = Settings.from_env(environment)
    assert (settings.login_failures_per_username, settings.login_failures_per_address) == (2, 3)
    client = app_over(settings).test_client()
    Shopper(client, "alice").sign_up()

    fail(client, socket=PROXY, forwarded_for=CHESHIRE)
    fail(client, socket=PROXY, forwarded_for=QUEEN)
    assert answer(log_in(client, socket=PROXY, forwarded_for="192.0.2.1")) == throttled(60)
    fail(client, "bob", socket=PROXY, forwarded_for=CHESHIRE)
    fail(client, "carol", socket=PROXY, forwarded_for=CHESHIRE)
    assert answer(log_in(client, "dave", socket=PROXY, forwarded_for=CHESHIRE)) == throttled(60)


def test_the_defaults_are_5_per_username_50_per_address_in_15_minutes() -> None:
    settings = Settings.from_env({})
    assert (
        settings.login_failures_per_username,
        settings.login_failures_per_address,
        settings.login_failure_window,
        settings.trusted_proxies,
    ) == (5, 50, 900, 0)


def app_over(settings: Settings) -> Flask:
    store: Webstore = bootstrap(settings, clock=SteppingClock())
    return create_app(settings, store)
