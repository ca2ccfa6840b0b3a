"""The storefront, driven as a customer would drive it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.integration.browser.conftest import Shop, Staff
from tests.integration.browser.steps import (
    add_to_cart,
    confirm,
    fill_checkout,
    log_in,
    log_out,
    order_card,
    product_card,
    sign_up,
    stored_in_the_browser,
)

pytestmark = pytest.mark.slow


def search(page: Page, text: str) -> None:
    page.get_by_label("Search products").fill(text)
    page.get_by_role("button", name="Search").click()


def test_a_customer_signs_up_shops_orders_cancels_and_logs_out(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair", "19.99", 5, description="Beech, painted red")
    staff.add_product("Desk lamp", "12.50", 3)
    staff.add_product("Blue sofa", "399.00", 1)
    page = shop.open("/")
    expect(page.locator("#products > li")).to_have_count(3)  # the catalogue is public
    expect(page.get_by_role("heading", name="My orders")).to_be_hidden()

    sign_up(page, "alice")
    log_in(page, "alice")
    chair = product_card(page, "Red chair")
    expect(chair).to_contain_text("Beech, painted red")
    expect(chair).to_contain_text("19.99")
    expect(chair).to_contain_text("In stock: 5")
    expect(page.locator("#products > li")).to_have_count(3)

    page.reload()
    expect(page.get_by_text("Logged in as alice")).to_be_visible()
    expect(page.locator("#products > li")).to_have_count(3)

    search(page, "CHAIR")
    expect(page.locator("#products > li")).to_have_count(1)
    expect(page.locator("#catalogue-count")).to_have_text("1 product matching “CHAIR”")
    add_to_cart(page, "Red chair")
    search(page, "")
    expect(page.locator("#products > li")).to_have_count(3)
    add_to_cart(page, "Desk lamp")
    page.get_by_label("Quantity of Red chair").fill("2")
    page.get_by_label("Quantity of Red chair").press("Tab")
    expect(page.locator("#cart-total")).to_have_text("52.48")

    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed. Total: 52.48.")
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    (order,) = shop_orders = staff.orders()
    assert [(item["product_name"], item["amount"]) for item in order["items"]] == [
        ("Red chair", 2),
        ("Desk lamp", 1),
    ], shop_orders
    card = order_card(page, order["id"])
    expect(card).to_contain_text("pending")
    expect(card.get_by_role("row", name="Red chair 2 19.99")).to_be_visible()
    expect(card.locator("tfoot")).to_contain_text("52.48")
    expect(chair).to_contain_text("In stock: 3")
    assert "Red chair" not in stored_in_the_browser(page)  # the cart was emptied

    card.get_by_role("button", name="Cancel order").click()
    confirm(page, "Cancel order")
    expect(card).to_contain_text("cancelled")
    expect(card.get_by_role("button", name="Cancel order")).to_have_count(0)
    expect(chair).to_contain_text("In stock: 5")
    assert staff.orders()[0]["status"] == "cancelled"

    assert "eyJ" not in stored_in_the_browser(page)  # the access token (a JWT) stays in memory
    add_to_cart(page, "Blue sofa")
    log_out(page)
    assert "Blue sofa" not in stored_in_the_browser(page)  # the next person starts afresh
    page.reload()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    assert shop.console_errors == []


def test_the_catalogue_comes_in_pages_of_24(shop: Shop, staff: Staff) -> None:
    for number in range(1, 31):
        staff.add_product(f"Chair no. {number:02}")
    page = shop.open("/")
    sign_up(page, "alice")
    log_in(page, "alice")
    products = page.locator("#products > li h2")
    expect(products).to_have_count(24)
    expect(page.locator("#products-page")).to_have_text("Page 1 of 2")
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    page.get_by_role("button", name="Next").click()
    expect(products).to_have_text([f"Chair no. {number}" for number in range(25, 31)])
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    expect(products.first).to_have_text("Chair no. 01")


def test_the_storefront_works_from_the_keyboard(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair")
    page = shop.open("/")
    sign_up(page, "alice")  # which fills in the username to log in with, and moves on
    expect(page.locator("#login-form").get_by_label("Password")).to_be_focused()
    page.keyboard.type("wonderland-42")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged in as alice")).to_be_visible()
    add = page.get_by_role("button", name="Add to cart")
    for _ in range(20):
        if add.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#cart-lines")).to_contain_text("Red chair")
