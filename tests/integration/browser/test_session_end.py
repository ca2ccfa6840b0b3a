"""A session that ends (logged out elsewhere, deactivated, revoked) ends in every open tab."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.integration.browser.conftest import ADMIN, Shop, Staff
from tests.integration.browser.steps import (
    PASSWORD,
    add_to_cart,
    fill_checkout,
    log_in,
    sign_up,
    stored_in_the_browser,
)

pytestmark = pytest.mark.slow

ENDED = "Your session has ended. Log in again to continue."
LOGGED_OUT_ELSEWHERE = "You logged out in another tab."
WRONG_LOGIN = "Wrong username or password, or the account is deactivated."


def place_an_order(page: Page, product: str) -> None:
    add_to_cart(page, product)
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed")


def try_log_in(page: Page, username: str, password: str) -> None:
    form = page.locator("#login-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()


def logged_out(page: Page) -> None:
    """The page as a visitor sees it: nothing left of the person who was logged in."""
    expect(page.locator("#login-form").get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    expect(page.locator("article.order")).to_have_count(0)
    expect(page.get_by_text("Invalid token.")).to_have_count(0)


def test_a_deactivated_customer_is_logged_out_in_every_tab_and_keeps_the_cart(
    shop: Shop, staff: Staff
) -> None:
    staff.add_product("Red chair", "19.99", 5)
    first = shop.open("/")
    sign_up(first, "alice")
    log_in(first, "alice")
    place_an_order(first, "Red chair")
    second = shop.open("/")
    expect(second.get_by_text("Logged in as alice")).to_be_visible()
    expect(second.locator("article.order")).to_have_count(1)

    staff.set_active("alice", False)
    add_to_cart(first, "Red chair")
    fill_checkout(first)
    first.get_by_role("button", name="Place order").click()  # answered "Invalid token."

    for page in (first, second):
        logged_out(page)
        expect(page.get_by_role("alert")).to_have_text(ENDED)
    expect(first.locator("#cart-lines")).to_contain_text("Red chair")  # kept for the next log-in
    assert "eyJ" not in stored_in_the_browser(first)  # no token was ever stored
    assert len(staff.orders()) == 1

    third = shop.open("/")  # the ended session is not offered again
    expect(third.locator("#login-form")).to_be_visible()
    expect(third.get_by_role("alert")).to_be_hidden()
    try_log_in(third, "alice", PASSWORD)  # and she cannot log back in
    expect(third.get_by_role("alert")).to_have_text(WRONG_LOGIN)


def test_logging_out_in_one_tab_logs_out_every_other_tab_at_once(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair")
    office = shop.open("/admin/")
    log_in(office, *ADMIN)
    expect(office.locator("#product-rows tr")).to_have_count(1)
    store = shop.open("/")
    expect(store.get_by_text(f"Logged in as {ADMIN[0]}")).to_be_visible()
    other = shop.open("/")
    expect(other.get_by_text(f"Logged in as {ADMIN[0]}")).to_be_visible()

    store.get_by_role("button", name="Log out").click()

    logged_out(store)
    for page in (other, office):
        expect(page.get_by_role("status")).to_have_text(LOGGED_OUT_ELSEWHERE)
        logged_out(page)
    expect(office.locator("#product-rows tr")).to_have_count(0)  # no stale data left on screen
    expect(office.locator("#office")).to_be_hidden()

    log_in(other, *ADMIN)  # logging in again in one tab is seen by the others
    expect(store.get_by_text(f"Logged in as {ADMIN[0]}")).to_be_visible()
    expect(office.locator("#product-rows tr")).to_have_count(1)
    assert shop.console_errors == []


@pytest.mark.parametrize("server", [{"access_token_ttl": "3"}], indirect=True)
def test_an_expired_token_whose_refresh_fails_ends_the_session(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair", "19.99", 5)
    page = shop.open("/")
    sign_up(page, "alice")
    log_in(page, "alice")
    place_an_order(page, "Red chair")
    staff.set_active("alice", False)
    page.wait_for_timeout(3100)  # the access token has expired too
    answers: list[str] = []
    page.on(
        "response",
        lambda response: answers.append(
            f"{response.status} {response.url.replace(shop.server.base_url, '')}"
        ),
    )

    add_to_cart(page, "Red chair")
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()

    logged_out(page)
    expect(page.get_by_role("alert")).to_have_text(ENDED)
    assert answers[:2] == ["403 /api/post_order", "403 /api/refresh_token"]


def test_a_failed_log_in_says_what_may_be_wrong(shop: Shop, staff: Staff) -> None:
    page = shop.open("/")
    sign_up(page, "alice")
    try_log_in(page, "alice", "not the password")
    expect(page.get_by_role("alert")).to_have_text(WRONG_LOGIN)

    staff.set_active("alice", False)
    try_log_in(page, "alice", PASSWORD)
    expect(page.get_by_role("alert")).to_have_text(WRONG_LOGIN)
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()

    old_client = requests.post(  # the API keeps its words for the clients that read them
        f"{shop.server.base_url}/api/login_view",
        json={"username": "alice", "password": PASSWORD},
        timeout=10,
    )
    assert (old_client.status_code, old_client.json()) == (403, {"detail": "user not found"})
