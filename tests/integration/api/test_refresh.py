from __future__ import annotations

import pytest

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, SteppingClock, answer, parse_set_cookies
from webstore import Webstore

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
CSRF_MISSING = {"detail": "CSRF Failed: CSRF token missing."}
CSRF_INCORRECT = {"detail": "CSRF Failed: CSRF token incorrect."}
REJECTED = {"detail": "expired refresh token, please login again."}
INVALID_TOKEN = {"detail": "Invalid token."}


def plant_refresh_cookie(shopper: Shopper, token: str) -> None:
    shopper.client.set_cookie("refreshtoken", token, path="/api")


def test_refreshing_gives_a_new_access_token_and_a_new_refresh_cookie(alice: Shopper) -> None:
    old_refresh = alice.refresh_cookie

    response = alice.refresh()

    assert response.status_code == 200
    assert list(response.json) == ["access_token"]
    assert response.json["access_token"] != alice.access_token
    cookies = parse_set_cookies(response)
    assert set(cookies) == {"refreshtoken", "csrftoken"}  # the CSRF cookie slides along
    assert cookies["csrftoken"]["value"] == alice.csrf
    assert cookies["refreshtoken"]["value"] != old_refresh
    assert cookies["refreshtoken"]["httponly"] is True
    assert cookies["refreshtoken"]["samesite"] == "Lax"
    assert cookies["refreshtoken"]["path"] == "/api"
    assert cookies["refreshtoken"]["max-age"] == "604800"
    assert cookies["refreshtoken"]["secure"] is True


def test_the_refreshed_access_token_opens_protected_endpoints(alice: Shopper) -> None:
    alice.access_token = alice.refresh().json["access_token"]

    assert alice.get("/api/me").status_code == 200


def test_refreshing_again_with_the_newest_cookie_keeps_working(
    alice: Shopper, clock: SteppingClock
) -> None:
    for _ in range(3):
        clock.advance(60)
        assert alice.refresh().status_code == 200


def test_no_refresh_cookie_is_answered_first_even_without_csrf(alice: Shopper) -> None:
    alice.client.delete_cookie("refreshtoken", path="/api")

    response = alice.client.post("/api/refresh_token")

    assert answer(response) == (403, NOT_PROVIDED)


def test_a_missing_csrf_header_is_refused(alice: Shopper) -> None:
    response = alice.client.post("/api/refresh_token")

    assert answer(response) == (403, CSRF_MISSING)


def test_a_missing_csrf_cookie_is_refused(alice: Shopper) -> None:
    header = alice.csrf
    alice.client.delete_cookie("csrftoken")

    response = alice.client.post("/api/refresh_token", headers={"X-CSRFToken": header})

    assert answer(response) == (403, CSRF_MISSING)


def test_a_csrf_header_that_differs_from_the_cookie_is_refused(alice: Shopper) -> None:
    response = alice.refresh(**{"X-CSRFToken": alice.csrf[:-2] + "xx"})

    assert answer(response) == (403, CSRF_INCORRECT)


def test_a_csrf_token_issued_to_another_user_is_refused(alice: Shopper, bob: Shopper) -> None:
    alice.client.set_cookie("csrftoken", bob.csrf)

    response = alice.refresh(**{"X-CSRFToken": bob.csrf})

    assert answer(response) == (403, CSRF_INCORRECT)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        "a.b.c.d",
        "x" * 4000,
        "abcdefghijklmnop.0.abcdefghijklmnopqrstuvwxyz012345.forged",
    ],
)
def test_a_malformed_or_forged_refresh_token_is_refused(alice: Shopper, token: str) -> None:
    plant_refresh_cookie(alice, token)

    response = alice.refresh()

    expected = NOT_PROVIDED if token == "" else REJECTED
    assert answer(response) == (403, expected)


def test_an_expired_refresh_token_is_refused(alice: Shopper, clock: SteppingClock) -> None:
    clock.advance(604800)

    assert answer(alice.refresh()) == (403, REJECTED)


def test_the_refresh_token_of_an_inactive_user_is_refused(alice: Shopper, store: Webstore) -> None:
    store.set_user_active(store.operator, "alice", False)

    assert answer(alice.refresh()) == (403, REJECTED)


def test_reusing_a_rotated_refresh_token_revokes_the_whole_login_session(
    alice: Shopper, clock: SteppingClock
) -> None:
    stolen = alice.refresh_cookie
    assert stolen is not None
    newest_access = alice.refresh().json["access_token"]
    newest_refresh = alice.refresh_cookie
    clock.advance(11)  # past the grace

    plant_refresh_cookie(alice, stolen)
    assert answer(alice.refresh()) == (403, REJECTED)

    assert newest_refresh is not None
    plant_refresh_cookie(alice, newest_refresh)
    assert answer(alice.refresh()) == (403, REJECTED)
    alice.access_token = newest_access
    assert answer(alice.get("/api/me")) == (403, INVALID_TOKEN)


def test_the_previous_token_within_the_grace_gets_an_access_token_and_no_cookie(
    alice: Shopper, clock: SteppingClock
) -> None:
    previous = alice.refresh_cookie
    assert previous is not None
    assert alice.refresh().status_code == 200
    newest = alice.refresh_cookie
    clock.advance(10)

    plant_refresh_cookie(alice, previous)
    response = alice.refresh()

    assert response.status_code == 200
    assert "refreshtoken" not in parse_set_cookies(response)
    alice.access_token = response.json["access_token"]
    assert alice.get("/api/me").status_code == 200
    assert newest is not None
    plant_refresh_cookie(alice, newest)
    assert alice.refresh().status_code == 200  # the session's one live token still works


def test_the_previous_token_just_after_the_grace_is_theft(
    alice: Shopper, clock: SteppingClock
) -> None:
    previous = alice.refresh_cookie
    assert previous is not None
    assert alice.refresh().status_code == 200
    clock.advance(10.5)

    plant_refresh_cookie(alice, previous)

    assert answer(alice.refresh()) == (403, REJECTED)


def test_a_token_two_rotations_old_is_theft_even_within_the_grace(
    alice: Shopper, clock: SteppingClock
) -> None:
    oldest = alice.refresh_cookie
    assert oldest is not None
    assert alice.refresh().status_code == 200
    assert alice.refresh().status_code == 200

    plant_refresh_cookie(alice, oldest)

    assert answer(alice.refresh()) == (403, REJECTED)


@pytest.mark.parametrize("settings", [fast_settings(refresh_reuse_grace=0)])
def test_a_grace_of_zero_makes_any_reuse_theft(alice: Shopper) -> None:
    previous = alice.refresh_cookie
    assert previous is not None
    assert alice.refresh().status_code == 200

    plant_refresh_cookie(alice, previous)

    assert answer(alice.refresh()) == (403, REJECTED)
