"""Staff manage customers: the Users section of the back office, and orders named by username."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.integration.browser.conftest import ADMIN, Shop, Staff, customer
from tests.integration.browser.steps import PASSWORD, confirm, log_in

pytestmark = pytest.mark.slow

LAST_SUPERUSER = "The last active superuser cannot be deactivated."


def user_row(page: Page, username: str) -> Locator:
    return page.locator("#user-rows tr").filter(
        has=page.get_by_role("rowheader", name=username, exact=True)
    )


def search_users(page: Page, text: str) -> None:
    form = page.locator("#user-search-form")
    form.get_by_label("Search users").fill(text)
    form.get_by_role("button", name="Search").click()


def test_staff_page_through_and_search_users_and_see_a_customers_orders(
    shop: Shop, staff: Staff
) -> None:
    chair = staff.add_product("Red chair", "19.99", 50)
    lamp = staff.add_product("Desk lamp", "12.50", 50)
    customer(shop.server, "alice", {chair: 1}, {lamp: 2})
    customer(shop.server, "bob", {chair: 3})
    for number in range(1, 21):
        customer(shop.server, f"shopper{number:02}")
    asked: list[str] = []
    page = shop.open("/admin/")
    page.on("request", lambda request: asked.append(request.url.replace(shop.server.base_url, "")))
    log_in(page, *ADMIN)

    rows = page.locator("#user-rows tr")
    expect(page.locator("#users-count")).to_have_text("23 users")
    expect(rows).to_have_count(20)
    expect(user_row(page, "root")).to_contain_text("Staff")
    expect(user_row(page, "alice")).to_contain_text("alice@example.com")
    expect(user_row(page, "alice")).to_contain_text("Active")
    pager = page.locator("#users-pager")
    expect(pager).to_contain_text("Page 1 of 2")
    pager.get_by_role("button", name="Next").click()
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("shopper18")

    search_users(page, "ALICE@")  # username or email, any case
    expect(rows).to_have_count(1)
    expect(page.locator("#users-count")).to_have_text("1 user matching “ALICE@”")

    orders = page.locator("#orders article.order")
    expect(orders).to_have_count(3)
    expect(orders.nth(0)).to_contain_text("Customer: bob")  # newest first
    expect(orders.nth(1)).to_contain_text("Customer: alice")
    expect(page.locator("#orders")).not_to_contain_text("user 2")
    named = [path for path in asked if path.startswith("/api/users?") and "ids=" in path]
    assert len(named) == 1 and "ids=3%2C2" in named[0], asked  # one request for the page

    user_row(page, "alice").get_by_role("button", name="Orders").click()
    expect(page.locator("#orders-count")).to_have_text("2 orders of alice")
    expect(orders).to_have_count(2)
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_focused()
    for order in orders.all():
        expect(order).to_contain_text("Customer: alice")
    expect(page.get_by_label("Show")).to_have_value("user")
    expect(page.get_by_label("User ID")).to_have_value(str(staff.user_id("alice")))


def test_staff_deactivate_a_user_after_confirming_and_activate_again(
    shop: Shop, staff: Staff
) -> None:
    customer(shop.server, "alice")
    dialogs: list[str] = []
    shop.context.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page = shop.open("/admin/")
    log_in(page, *ADMIN)
    alice = user_row(page, "alice")
    deactivate = alice.get_by_role("button", name="Deactivate")

    deactivate.click()
    dialog = page.get_by_role("dialog", name="Deactivate alice?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("logged out")
    expect(dialog.get_by_role("button", name="Keep active")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(deactivate).to_be_focused()
    expect(alice).to_contain_text("Active")

    deactivate.click()
    confirm(page, "Deactivate")
    expect(page.get_by_role("status")).to_have_text("alice deactivated.")
    expect(alice).to_contain_text("Deactivated")
    login = f"{shop.server.base_url}/api/login_view"
    refused = staff.session.post(login, json={"username": "alice", "password": PASSWORD})
    assert refused.status_code == 403

    alice.get_by_role("button", name="Activate").click()  # nothing to lose: no question
    expect(page.get_by_role("status")).to_have_text("alice activated.")
    expect(alice).to_contain_text("Active")
    allowed = staff.session.post(login, json={"username": "alice", "password": PASSWORD})
    assert allowed.status_code == 200

    user_row(page, "root").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("dialog")).to_contain_text("your own session ends")
    confirm(page, "Deactivate")
    expect(page.get_by_role("alert")).to_have_text(LAST_SUPERUSER)
    expect(page.get_by_role("status")).to_be_hidden()
    expect(user_row(page, "root")).to_contain_text("Active")
    expect(page.get_by_text(f"Logged in as {ADMIN[0]}")).to_be_visible()
    assert dialogs == []  # never window.confirm
