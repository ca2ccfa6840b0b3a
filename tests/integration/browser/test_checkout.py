"""Checkout: one order per attempt, and problems shown where they are."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.integration.browser.conftest import Shop, Staff
from tests.integration.browser.steps import add_to_cart, fill_checkout, log_in, sign_up

pytestmark = pytest.mark.slow


def customer_with_a_cart(shop: Shop, staff: Staff, *products: str) -> Page:
    page = shop.open("/")
    sign_up(page, "alice")
    log_in(page, "alice")
    for name in products:
        add_to_cart(page, name)
    fill_checkout(page)
    return page


def test_a_double_clicked_place_order_makes_one_order(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair", "19.99", 5)
    page = customer_with_a_cart(shop, staff, "Red chair")
    page.get_by_role("button", name="Place order").dblclick()
    expect(page.get_by_role("status")).to_contain_text("placed")
    page.locator("#checkout-form").evaluate(
        "form => { form.requestSubmit(); form.requestSubmit(); }"
    )
    page.wait_for_timeout(500)
    assert len(staff.orders()) == 1
    assert staff.product(1)["amount"] == 4


def test_a_retry_after_a_lost_answer_sends_the_same_key_and_makes_one_order(
    shop: Shop, staff: Staff
) -> None:
    staff.add_product("Red chair", "19.99", 5)
    page = customer_with_a_cart(shop, staff, "Red chair")
    keys: list[str | None] = []
    lost: list[int] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        if lost:
            route.continue_()
            return
        answer = route.fetch()  # the server places the order...
        lost.append(answer.status)
        route.abort("connectionreset")  # ...and its answer never reaches the page

    page.route("**/api/post_order", lose_the_first_answer)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be reached")
    assert lost == [201]
    expect(page.locator("#cart-lines")).to_contain_text("Red chair")  # nothing looks bought

    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed")
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert len(staff.orders()) == 1
    assert staff.product(1)["amount"] == 4


def test_not_enough_stock_is_shown_on_its_line_and_nothing_is_ordered(
    shop: Shop, staff: Staff
) -> None:
    staff.add_product("Red chair", "19.99", 5)
    lamp = staff.add_product("Desk lamp", "12.50", 3)
    page = customer_with_a_cart(shop, staff, "Red chair", "Desk lamp")
    quantity = page.get_by_label("Quantity of Desk lamp")
    quantity.fill("99")
    quantity.press("Tab")
    expect(quantity).to_have_value("3")  # bounded by the stock shown
    lamp_card = page.locator("#products > li").filter(has_text="Desk lamp")
    expect(lamp_card.get_by_role("button", name="Add to cart")).to_be_disabled()
    staff.send("PATCH", f"{staff.api}/products/{lamp}", json={"amount": 1})

    page.get_by_role("button", name="Place order").click()
    lamp_line = page.locator("#cart-lines tr").filter(has_text="Desk lamp")
    expect(lamp_line.get_by_role("alert")).to_have_text("Not enough stock: only 1 left.")
    chair_line = page.locator("#cart-lines tr").filter(has_text="Red chair")
    expect(chair_line.get_by_role("alert")).to_have_count(0)
    assert staff.orders() == []


def test_field_errors_are_shown_next_to_their_fields(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair", "19.99", 5)
    page = customer_with_a_cart(shop, staff, "Red chair")
    page.get_by_label("Phone").fill("call me")
    page.get_by_label("Address").fill("   ")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone-error")).to_be_visible()
    expect(page.locator("#address-error")).to_be_visible()
    expect(page.get_by_label("Address")).to_be_focused()  # the first field to correct
    expect(page.get_by_role("alert").first).to_contain_text("correct the fields")
    assert staff.orders() == []

    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed")
    expect(page.locator("#phone-error")).to_be_hidden()
