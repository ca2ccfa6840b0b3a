"""A CSRF token stops working after the refresh lifetime, even while its session lives on."""

from __future__ import annotations

from tests.integration.api.conftest import Shopper, SteppingClock, answer
from webstore import Webstore

DAY = 24 * 3600
INCORRECT = (403, {"detail": "CSRF Failed: CSRF token incorrect."})


def _with_csrf(shopper: Shopper, token: str) -> dict[str, str]:
    shopper.client.set_cookie("csrftoken", token)
    return {"X-CSRFToken": token}


def test_a_token_kept_past_the_refresh_lifetime_is_refused_while_the_new_one_works(
    alice: Shopper, clock: SteppingClock
) -> None:
    first_token = alice.csrf
    clock.advance(6 * DAY)
    assert alice.refresh().status_code == 200  # the session slides on, with a new CSRF token
    current_token = alice.csrf
    assert current_token != first_token
    clock.advance(2 * DAY)

    assert (
        answer(alice.client.post("/api/refresh_token", headers=_with_csrf(alice, first_token)))
        == INCORRECT
    )
    assert (
        alice.client.post(
            "/api/refresh_token", headers=_with_csrf(alice, current_token)
        ).status_code
        == 200
    )


def test_a_token_issued_before_a_deactivation_does_not_pass_after_the_next_login(
    alice: Shopper, store: Webstore, clock: SteppingClock
) -> None:
    stolen = alice.csrf
    store.set_user_active(store.operator, "alice", False)
    clock.advance(8 * DAY)
    store.set_user_active(store.operator, "alice", True)
    alice.log_in()

    refused = alice.client.post("/api/refresh_token", headers=_with_csrf(alice, stolen))
    assert answer(refused) == INCORRECT
    order = alice.post("/api/post_order", json={}, headers=_with_csrf(alice, stolen))
    assert answer(order) == INCORRECT


def test_two_tabs_of_one_user_keep_working(alice: Shopper) -> None:
    first_tab_token = alice.csrf
    alice.log_in()  # a second tab logs in: a second token for the same user

    assert alice.post("/api/logout", headers=_with_csrf(alice, first_tab_token)).status_code == 200
