"""POST /api/change_password, /api/password_reset and /api/password_reset/confirm."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from tests.conftest import fast_settings
from tests.integration.api.conftest import PASSWORD, Shopper, SteppingClock, answer
from webstore import Webstore, bootstrap
from webstore.adapters.mail import InMemoryMailbox
from webstore.entrypoints.web.app import create_app

NEW_PASSWORD = "through the looking glass"
CHANGED = {"detail": "New password has been saved."}
RESET_SENT = {"detail": "Password reset e-mail has been sent."}
RESET_DONE = {"detail": "Password has been reset with the new password."}
BAD_TOKEN = "This password reset link is invalid, used or expired."
WRONG_OLD = "Your old password was entered incorrectly. Please enter it again."
LINK = re.compile(r"http://127\.0\.0\.1:8000/#reset=([A-Za-z0-9_-]+)")


def change(shopper: Shopper, old: str = PASSWORD, new: str = NEW_PASSWORD) -> tuple[int, object]:
    body = {"old_password": old, "new_password": new}
    return answer(shopper.post("/api/change_password", json=body))


def reset_links(store: Webstore, address: str) -> list[str]:
    store.send_pending_mail()
    assert isinstance(store.mailer, InMemoryMailbox)
    return [
        LINK.findall(letter.get_content())[0]
        for letter in store.mailer.sent
        if letter["To"] == address and letter["Subject"] == "Reset your password"
    ]


# --- change_password -------------------------------------------------------------------------


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(
    alice: Shopper, make_shopper: Callable[..., Shopper], client: FlaskClient
) -> None:
    other = Shopper(client, "alice")
    other.log_in()

    assert change(alice) == (200, CHANGED)

    assert alice.get("/api/me").status_code == 200
    assert alice.refresh().status_code == 200
    assert answer(other.get("/api/me")) == (403, {"detail": "Invalid token."})
    assert answer(other.refresh()) == (
        403,
        {"detail": "expired refresh token, please login again."},
    )
    login = {"username": "alice", "password": NEW_PASSWORD}
    assert client.post("/api/login_view", json=login).status_code == 200


def test_a_wrong_old_password_is_a_400_naming_the_field(alice: Shopper) -> None:
    assert change(alice, old="not my password") == (
        400, {"error": f"old_password: {WRONG_OLD}", "errors": {"old_password": [WRONG_OLD]}}
    )  # fmt: skip
    assert alice.get("/api/me").status_code == 200  # nothing ended


def test_the_new_password_follows_sign_up_s_rules(alice: Shopper) -> None:
    assert change(alice, new="12345678") == (
        400,
        {
            "error": "new_password: This password is entirely numeric.",
            "errors": {"new_password": ["This password is entirely numeric."]},
        },
    )
    status, body = answer(alice.post("/api/change_password", json={}))
    assert status == 400
    assert body["errors"] == {  # type: ignore[index]
        "old_password": ["This field is required."],
        "new_password": ["This field is required."],
    }


def test_wrong_old_passwords_are_throttled_like_failed_logins(alice: Shopper) -> None:
    for _ in range(5):
        assert change(alice, old="a guess")[0] == 400

    response = alice.post(
        "/api/change_password", json={"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert answer(response) == (
        429, {"detail": "Request was throttled. Expected available in 900 seconds."}
    )  # fmt: skip
    assert response.headers["Retry-After"] == "900"


def test_changing_the_password_needs_a_token_and_the_csrf_header(
    alice: Shopper, client: FlaskClient
) -> None:
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert answer(client.post("/api/change_password", json=body)) == (
        403, {"detail": "Authentication credentials were not provided."}
    )  # fmt: skip
    headers = {"Authorization": f"Token {alice.access_token}"}
    assert answer(client.post("/api/change_password", json=body, headers=headers)) == (
        403, {"detail": "CSRF Failed: CSRF token missing."}
    )  # fmt: skip


# --- password_reset --------------------------------------------------------------------------


def test_every_reset_request_gets_the_same_answer_whether_or_not_the_account_exists(
    alice: Shopper, client: FlaskClient, store: Webstore
) -> None:
    store.register_user("dormouse", "dormouse@example.com", PASSWORD)
    store.set_user_active(store.operator, "dormouse", False)

    answers = []
    for identifier in ("alice", "alice@example.com", "dormouse", "nobody", "no@example.com"):
        response = client.post("/api/password_reset", json={"username_or_email": identifier})
        headers = {k: v for k, v in response.headers if k != "X-Request-ID"}
        answers.append((response.status_code, response.get_data(), headers))

    assert answers[0][:2] == (200, b'{"detail":"Password reset e-mail has been sent."}')
    assert all(each == answers[0] for each in answers)
    assert len(reset_links(store, "alice@example.com")) == 2
    assert reset_links(store, "dormouse@example.com") == []


def test_reset_requests_are_throttled_per_username_or_address(client: FlaskClient) -> None:
    for _ in range(5):
        client.post("/api/password_reset", json={"username_or_email": "Alice"})

    response = client.post("/api/password_reset", json={"username_or_email": "alice"})

    assert answer(response) == (
        429, {"detail": "Request was throttled. Expected available in 900 seconds."}
    )  # fmt: skip
    assert response.headers["Retry-After"] == "900"
    assert client.post("/api/password_reset", json={"username_or_email": "bob"}).status_code == 200


def test_a_reset_request_from_a_foreign_origin_is_refused_and_mails_nothing(
    alice: Shopper, client: FlaskClient, store: Webstore
) -> None:
    response = client.post(
        "/api/password_reset",
        json={"username_or_email": "alice"},
        headers={"Origin": "https://evil.example"},
    )

    assert answer(response) == (
        403,
        {
            "detail": "CSRF Failed: Origin checking failed - https://evil.example does not "
            "match any trusted origins."
        },
    )
    assert reset_links(store, "alice@example.com") == []


def test_a_bad_reset_request_is_a_400(client: FlaskClient) -> None:
    assert answer(client.post("/api/password_reset", json={"username_or_email": 7})) == (
        400,
        {
            "error": "username_or_email: Not a valid string.",
            "errors": {"username_or_email": ["Not a valid string."]},
        },
    )
    assert (
        client.post("/api/password_reset", data="x", content_type="text/plain").status_code == 415
    )


# --- password_reset/confirm ------------------------------------------------------------------


def confirm(client: FlaskClient, token: object, new: str = NEW_PASSWORD) -> tuple[int, object]:
    body = {"token": token, "new_password": new}
    return answer(client.post("/api/password_reset/confirm", json=body))


def bad_token() -> tuple[int, object]:
    return 400, {"error": f"token: {BAD_TOKEN}", "errors": {"token": [BAD_TOKEN]}}


def test_the_link_resets_the_password_once_and_ends_every_session(
    alice: Shopper, client: FlaskClient, store: Webstore
) -> None:
    client.post("/api/password_reset", json={"username_or_email": "alice"})
    [token] = reset_links(store, "alice@example.com")

    assert confirm(client, token, new="12345678")[0] == 400  # the link is still good after this
    assert confirm(client, token) == (200, RESET_DONE)

    assert answer(alice.get("/api/me")) == (403, {"detail": "Invalid token."})
    login = {"username": "alice", "password": NEW_PASSWORD}
    assert client.post("/api/login_view", json=login).status_code == 200
    assert confirm(client, token, new="yet another secret") == bad_token()


def test_an_expired_or_unknown_token_is_a_400(
    alice: Shopper, client: FlaskClient, store: Webstore, clock: SteppingClock
) -> None:
    client.post("/api/password_reset", json={"username_or_email": "alice"})
    [token] = reset_links(store, "alice@example.com")
    clock.advance(3600)

    assert confirm(client, token) == bad_token()
    assert confirm(client, "A" * 43) == bad_token()
    assert confirm(client, None)[0] == 400


# --- the same time with or without an account -------------------------------------------------


@pytest.fixture
def sqlite_client(sqlite_url: str) -> Iterator[FlaskClient]:
    settings = fast_settings(sqlite_url)
    store = bootstrap(settings, migrate=True)
    for n in range(15):
        store.register_user(f"user-{n}", f"user-{n}@example.com", PASSWORD)
    yield create_app(settings, store).test_client()
    store.uow.dispose()  # type: ignore[attr-defined]


def test_a_reset_request_takes_about_as_long_whether_or_not_the_account_exists(
    sqlite_client: FlaskClient,
) -> None:
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(15):
        for kind, identifier in (("known", f"user-{n}"), ("unknown", f"stranger-{n}")):
            started = time.perf_counter()
            response = sqlite_client.post(
                "/api/password_reset", json={"username_or_email": identifier}
            )
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code == 200

    known, unknown = (statistics.median(timings[k]) for k in ("known", "unknown"))
    # Both commit one transaction (the request is counted either way); only two small inserts
    # differ. A mail sent while answering, or a password hashed for one side, would not pass.
    assert abs(known - unknown) < max(0.010, 0.5 * max(known, unknown)), (known, unknown)


@pytest.mark.parametrize("path", ["/api/password_reset", "/api/password_reset/confirm"])
def test_the_open_password_endpoints_check_the_origin_before_the_body(
    client: FlaskClient, path: str
) -> None:
    response = client.post(path, json={}, headers={"Origin": "null"})

    refused = "CSRF Failed: Origin checking failed - null does not match any trusted origins."
    assert answer(response) == (403, {"detail": refused})
