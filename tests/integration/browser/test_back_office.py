"""The back office, driven as the shop's staff would drive it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.integration.browser.conftest import ADMIN, Shop, Staff
from tests.integration.browser.steps import add_to_cart, confirm, fill_checkout, log_in, sign_up

pytestmark = pytest.mark.slow

BAD_CSV = "name,description,price,amount\nOak table,Solid oak,120.00,2\nPine shelf,,twelve,4\n"
GOOD_JSON_LINES = (
    '{"name": "Oak table", "description": "Solid oak", "price": "120.00", "amount": 2}\n'
    '{"name": "Pine shelf", "price": "12.00", "amount": 4}\n'
)


def product_row(page: Page, name: str) -> Locator:
    return page.locator("#product-rows tr").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )


def fill_product(page: Page, **fields: str) -> None:
    form = page.locator("#product-form")
    for label, value in fields.items():
        form.get_by_label(label.capitalize(), exact=True).fill(value)
    form.get_by_role("button", name="Save").click()


def import_file(page: Page, path: Path) -> None:
    page.get_by_label("Products file (CSV or JSON lines)").set_input_files(path)
    page.get_by_role("button", name="Import").click()


def test_staff_manage_products_import_a_file_and_complete_an_order(
    shop: Shop, second_shop: Shop, staff: Staff, tmp_path: Path
) -> None:
    page = shop.open("/admin/")
    log_in(page, *ADMIN)
    expect(page.locator("#products-count")).to_have_text("0 products")

    fill_product(page, name="Red chair", description="Beech", price="19.99", amount="5")
    expect(page.get_by_role("status")).to_have_text("Red chair added.")
    chair = product_row(page, "Red chair")
    expect(chair).to_contain_text("19.99")
    expect(chair.locator("td").nth(3)).to_have_text("5")  # the stock column

    chair.get_by_role("button", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit product 1")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    fill_product(
        page, name="Red armchair", description="Beech, upholstered", price="24.50", amount="7"
    )
    armchair = product_row(page, "Red armchair")
    expect(armchair).to_contain_text("Beech, upholstered")
    expect(armchair).to_contain_text("24.50")
    assert staff.product(1) | {} == {
        "id": 1, "name": "Red armchair", "description": "Beech, upholstered",
        "price": "24.50", "amount": 7, "is_active": True, "image": None, "thumbnail": None,
    }  # fmt: skip

    armchair.get_by_role("button", name="Deactivate").click()
    confirm(page, "Deactivate")
    expect(armchair).to_contain_text("Deactivated")
    assert staff.product(1)["is_active"] is False
    armchair.get_by_role("button", name="Reactivate").click()
    expect(armchair).to_contain_text("Active")
    assert staff.product(1)["is_active"] is True

    bad = tmp_path / "products.csv"
    bad.write_text(BAD_CSV)
    import_file(page, bad)
    expect(page.get_by_role("alert")).to_contain_text("line 3")
    expect(page.locator("#import-errors")).to_contain_text("Line 3: price:")
    expect(page.locator("#products-count")).to_have_text("1 product")  # all or nothing
    good = tmp_path / "products.jsonl"
    good.write_text(GOOD_JSON_LINES)
    import_file(page, good)
    expect(page.get_by_role("status")).to_have_text("Imported 2 products.")
    expect(page.locator("#import-errors")).to_be_hidden()
    expect(product_row(page, "Pine shelf")).to_contain_text("12.00")

    customer = second_shop.open("/")
    sign_up(customer, "alice")
    log_in(customer, "alice")
    add_to_cart(customer, "Red armchair")
    fill_checkout(customer)
    customer.get_by_role("button", name="Place order").click()
    expect(customer.get_by_role("status")).to_contain_text("placed")

    page.get_by_label("Show").select_option("uncompleted")
    page.get_by_role("button", name="Filter").click()
    order = page.locator("article.order")
    expect(order).to_have_count(1)
    expect(order).to_contain_text("Red armchair")
    expect(order).to_contain_text("24.50")
    expect(order).to_contain_text("Customer: alice")
    order.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status")).to_have_text("Order 1 completed.")
    expect(order).to_have_count(0)  # no longer uncompleted
    page.get_by_label("Show").select_option("completed")
    page.get_by_role("button", name="Filter").click()
    expect(order).to_contain_text("completed")
    expect(order.get_by_role("button")).to_have_count(0)
    assert staff.orders()[0]["status"] == "completed"

    customer.reload()
    expect(customer.locator("article.order")).to_contain_text("completed")
    expect(customer.get_by_role("button", name="Cancel order")).to_have_count(0)


def test_staff_filter_orders_by_user_and_cancel_one(
    shop: Shop, second_shop: Shop, staff: Staff
) -> None:
    staff.add_product("Red chair", "19.99", 5)
    customer = second_shop.open("/")
    sign_up(customer, "alice")
    log_in(customer, "alice")
    add_to_cart(customer, "Red chair")
    fill_checkout(customer)
    customer.get_by_role("button", name="Place order").click()
    expect(customer.get_by_role("status")).to_contain_text("placed")

    page = shop.open("/admin/")
    log_in(page, *ADMIN)
    page.get_by_label("Show").select_option("user")
    page.get_by_label("User ID").fill("1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#orders-count")).to_have_text("0 orders of root")
    page.get_by_label("User ID").fill("2")
    page.get_by_role("button", name="Filter").click()
    order = page.locator("article.order")
    expect(order).to_have_count(1)
    order.get_by_role("button", name="Cancel").click()
    confirm(page, "Cancel order")
    expect(order).to_contain_text("cancelled")
    expect(product_row(page, "Red chair").locator("td").nth(3)).to_have_text("5")


def test_a_regular_user_is_kept_out_of_the_back_office(shop: Shop, staff: Staff) -> None:
    staff.add_product("Red chair")
    store = shop.open("/")
    sign_up(store, "alice")
    asked: list[str] = []
    page = shop.open("/admin/")
    page.on("request", lambda request: asked.append(request.url.replace(shop.server.base_url, "")))
    log_in(page, "alice")
    expect(page.get_by_role("heading", name="This page is for staff")).to_be_visible()
    expect(page.locator("#office")).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="This page is for staff")).to_be_visible()
    assert [path for path in asked if path.startswith("/api/")] == [
        "/api/login_view",
        "/api/me",
        "/api/refresh_token",
        "/api/me",
    ]
