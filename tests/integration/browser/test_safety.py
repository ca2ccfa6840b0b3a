"""User data shown as text, an empty catalogue explained, and the axe-core accessibility scan."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.integration.browser.conftest import ADMIN, PHONE, Shop, Staff
from tests.integration.browser.steps import add_to_cart, fill_checkout, log_in, sign_up

pytestmark = pytest.mark.slow

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_DESCRIPTION = "<script>alert(2)</script><b>bold</b>"
SERIOUS = {"serious", "critical"}


def test_a_product_named_like_html_shows_as_those_characters(shop: Shop, staff: Staff) -> None:
    staff.add_product(HOSTILE_NAME, description=HOSTILE_DESCRIPTION)
    dialogs: list[str] = []
    shop.context.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page = shop.open("/")
    sign_up(page, "alice")
    log_in(page, "alice")
    expect(page.get_by_role("heading", name=HOSTILE_NAME)).to_have_text(HOSTILE_NAME)
    expect(page.get_by_text(HOSTILE_DESCRIPTION)).to_be_visible()
    add_to_cart(page, HOSTILE_NAME)
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("article.order")).to_contain_text(HOSTILE_NAME)

    admin = shop.open("/admin/")
    admin.get_by_role("button", name="Log out").click()
    log_in(admin, *ADMIN)
    expect(admin.get_by_role("rowheader", name=HOSTILE_NAME)).to_be_visible()
    for shown in (page, admin):
        assert shown.locator("main img, main script, main b").count() == 0
    assert dialogs == []


def test_an_empty_catalogue_says_how_to_add_products(shop: Shop) -> None:
    page = shop.open("/")
    sign_up(page, "alice")
    log_in(page, "alice")
    empty = page.locator("#empty-catalogue")
    expect(empty).to_contain_text("webstore demo")
    expect(empty).to_contain_text("webstore create-superuser")
    expect(empty.get_by_role("link", name="back office")).to_have_attribute("href", "/admin/")


def serious_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    page.evaluate(axe_source)  # run by the driver: the page's own CSP would refuse the script
    results: dict[str, Any] = page.evaluate("axe.run(document)")
    assert len(results["passes"]) > 10  # it did look at the page
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation_on_either_page_logged_out_or_in(
    shop: Shop, staff: Staff, axe_source: str, viewport: dict[str, int] | None
) -> None:
    staff.add_product("Red chair", "19.99", 5, description="Beech, painted red")
    store = shop.open("/")
    if viewport:
        store.set_viewport_size(viewport)  # type: ignore[arg-type]
    expect(store.get_by_role("button", name="Log in")).to_be_visible()
    assert serious_violations(store, axe_source) == []
    sign_up(store, "alice")
    log_in(store, "alice")
    add_to_cart(store, "Red chair")
    fill_checkout(store)
    store.get_by_role("button", name="Place order").click()
    expect(store.get_by_role("status")).to_contain_text("placed")
    add_to_cart(store, "Red chair")
    store.reload()
    expect(store.locator("article.order")).to_have_count(1)
    assert serious_violations(store, axe_source) == []

    store.get_by_role("button", name="Log out").click()
    admin = shop.open("/admin/")
    if viewport:
        admin.set_viewport_size(viewport)  # type: ignore[arg-type]
    expect(admin.get_by_role("button", name="Log in")).to_be_visible()
    assert serious_violations(admin, axe_source) == []
    log_in(admin, *ADMIN)
    expect(admin.locator("#product-rows tr")).to_have_count(1)
    expect(admin.locator("article.order")).to_have_count(1)
    assert serious_violations(admin, axe_source) == []
