"""Visitors see the public catalogue, fill a cart, and log in or sign up only to check out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.integration.browser.conftest import PHONE, Shop, Staff
from tests.integration.browser.steps import (
    add_to_cart,
    fill_checkout,
    log_in,
    product_card,
    sign_up,
    stored_in_the_browser,
)
from tests.integration.browser.test_safety import serious_violations

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_visitor_shops_then_signs_up_at_checkout_and_keeps_the_cart(
    shop: Shop, staff: Staff, axe_source: str, viewport: dict[str, int] | None
) -> None:
    for number in range(1, 27):
        staff.add_product(f"Chair no. {number:02}", "10.00", 5)
    staff.add_product("Red chair", "19.99", 5, description="Beech, painted red")
    asked: list[tuple[str, str | None]] = []
    shop.context.on(
        "request",
        lambda request: asked.append(
            (request.url.replace(shop.server.base_url, ""), request.headers.get("authorization"))
        ),
    )
    page = shop.open("/")
    if viewport:
        page.set_viewport_size(viewport)  # type: ignore[arg-type]

    products = page.locator("#products > li")
    expect(products).to_have_count(24)
    expect(page.locator("#catalogue-count")).to_have_text("27 products")
    expect(page.locator("#products-page")).to_have_text("Page 1 of 2")
    page.locator("#products-pager").get_by_role("button", name="Next").click()
    expect(products).to_have_count(3)
    page.get_by_label("Search products").fill("RED")
    page.locator("#search-form").get_by_role("button", name="Search").click()
    expect(products).to_have_count(1)
    chair = product_card(page, "Red chair")
    expect(chair).to_contain_text("Beech, painted red")
    expect(chair).to_contain_text("19.99")
    expect(chair.locator("img")).to_have_count(0)  # no picture yet: nothing in its place
    expect(page.get_by_text("Logged in as")).to_have_count(0)

    add_to_cart(page, "Red chair")
    cart = page.locator("#cart")
    expect(cart).to_contain_text("Log in or sign up to place your order")
    expect(page.get_by_role("button", name="Place order")).to_be_hidden()
    assert serious_violations(page, axe_source) == []
    api = [(path, auth) for path, auth in asked if path.startswith("/api/")]
    assert api and all(path.startswith("/api/catalogue?") and not auth for path, auth in api)

    cart.get_by_role("link", name="Log in or sign up").click()
    expect(page.locator("#login-form").get_by_label("Username")).to_be_focused()
    sign_up(page, "alice")
    log_in(page, "alice")
    expect(page.locator("#cart-lines")).to_contain_text("Red chair")  # kept across both
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed")
    (order,) = staff.orders()
    assert [(item["product_name"], item["amount"]) for item in order["items"]] == [("Red chair", 1)]
    assert "eyJ" not in stored_in_the_browser(page)
    assert serious_violations(page, axe_source) == []


def test_a_product_with_a_picture_shows_it_named_after_the_product(
    shop: Shop, staff: Staff
) -> None:
    staff.add_product("Red chair")
    staff.add_product("Desk lamp")
    staff.add_product("Oak table")
    # Images this server serves, as paths, as the catalogue gives them.
    large, small = "/static/large/favicon.svg", "/static/small/favicon.svg"

    def with_pictures(route: Route) -> None:
        # The catalogue's shape once pictures are uploaded: "image" (and, where the server
        # keeps one, "thumbnail") are the URLs of the picture.
        answer = route.fetch()
        body: list[dict[str, Any]] = answer.json()
        for product in body:
            if product["name"] == "Red chair":
                product.update(image=large, thumbnail=small)
            if product["name"] == "Oak table":
                product.update(image=large)
        route.fulfill(response=answer, json=body)

    shop.context.route("**/api/catalogue?*", with_pictures)
    page = shop.open("/")
    base = shop.server.base_url
    for name, shown in (("Red chair", small), ("Oak table", large)):
        image = product_card(page, name).get_by_role("img", name=name)
        expect(image).to_have_attribute("src", base + shown)  # the small copy when there is one
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("image => image.naturalWidth") > 0
    expect(product_card(page, "Desk lamp").locator("img")).to_have_count(0)
