"""Logged in across reloads, tabs and expired access tokens; throttled logins explained."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.integration.browser.conftest import Shop, Staff
from tests.integration.browser.steps import PASSWORD, add_to_cart, fill_checkout, log_in, sign_up

pytestmark = pytest.mark.slow

NO_WEB_LOCKS = "Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined})"


def logged_in(page: Page) -> None:
    expect(page.get_by_text("Logged in as alice")).to_be_visible()
    expect(page.locator("#products > li")).to_have_count(1)


@pytest.mark.parametrize("web_locks", [True, False], ids=["web-locks", "server-grace-only"])
def test_two_tabs_refreshing_at_the_same_moment_both_stay_logged_in(
    shop: Shop, staff: Staff, web_locks: bool
) -> None:
    staff.add_product("Red chair")
    if not web_locks:  # then only the server's reuse grace keeps the slower tab in
        shop.context.add_init_script(NO_WEB_LOCKS)
    first = shop.open("/")
    sign_up(first, "alice")
    log_in(first, "alice")
    second = shop.open("/")
    logged_in(second)
    refreshes: list[int] = []
    shop.context.on(
        "response",
        lambda response: (
            refreshes.append(response.status)
            if response.url.endswith("/api/refresh_token")
            else None
        ),
    )

    for _ in range(3):
        first.reload(wait_until="commit")
        second.reload(wait_until="commit")
        logged_in(first)
        logged_in(second)

    assert refreshes == [200] * 6
    third = shop.open("/")  # the session was not revoked as a stolen token would be
    logged_in(third)


@pytest.mark.parametrize("server", [{"access_token_ttl": "3"}], indirect=True)
def test_an_expired_access_token_is_refreshed_once_and_the_request_retried(
    shop: Shop, staff: Staff
) -> None:
    staff.add_product("Red chair")
    page = shop.open("/")
    sign_up(page, "alice")
    log_in(page, "alice")
    logged_in(page)
    add_to_cart(page, "Red chair")
    fill_checkout(page)
    page.wait_for_timeout(4100)  # the access token is now expired
    calls: list[str] = []
    page.on("response", lambda response: calls.append(f"{response.status} {response.url}"))

    with page.expect_response(lambda response: "post_order" in response.url and response.ok):
        page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed")
    api = [call.replace(shop.server.base_url, "") for call in calls]
    assert api[:3] == [
        "403 /api/post_order",
        "200 /api/refresh_token",
        "201 /api/post_order",
    ]
    expect(page.locator("article.order")).to_have_count(1)  # one order: the same key both times


def test_a_throttled_login_says_when_to_try_again(shop: Shop) -> None:
    page = shop.open("/")
    sign_up(page, "alice")
    form = page.locator("#login-form")
    for _ in range(5):
        form.get_by_label("Username").fill("alice")
        form.get_by_label("Password").fill("not the password")
        form.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Wrong username or password, or the account is deactivated."
        )
        page.evaluate("document.getElementById('alert').hidden = true")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Too many attempts\. Try again in 1[45] minutes\.")
    )


def test_logging_out_in_one_tab_ends_the_session_in_the_other(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair")
    first = shop.open("/")
    sign_up(first, "alice")
    log_in(first, "alice")
    second = shop.open("/")
    logged_in(second)
    first.get_by_role("button", name="Log out").click()
    expect(first.get_by_role("button", name="Log in")).to_be_visible()  # the logout has landed
    second.reload()
    expect(second.get_by_role("button", name="Log in")).to_be_visible()
    assert shop.console_errors == []
