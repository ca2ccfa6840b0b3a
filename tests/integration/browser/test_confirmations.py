"""Destructive actions ask first, in a dialog; the page shows one message at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.integration.browser.conftest import ADMIN, PHONE, Shop, Staff, customer
from tests.integration.browser.steps import confirm, log_in, order_card
from tests.integration.browser.test_back_office import import_file, product_row
from tests.integration.browser.test_safety import serious_violations

pytestmark = pytest.mark.slow

BAD_CSV = "name,description,price,amount\nPine shelf,,twelve,4\n"


def shown_messages(page: Page) -> list[str]:
    """The page's messages that a person can see now."""
    messages = page.locator("#messages [role=status], #messages [role=alert]")
    return [text for text in messages.all_inner_texts() if text.strip()]


def dialog_fits(page: Page) -> None:
    box = page.get_by_role("dialog").bounding_box()
    viewport = page.viewport_size
    assert box and viewport
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_staff_confirm_deactivating_a_product_and_cancelling_an_order(
    shop: Shop, staff: Staff, tmp_path: Path, axe_source: str, viewport: dict[str, int] | None
) -> None:
    chair = staff.add_product("Red chair", "19.99", 5)
    customer(shop.server, "alice", {chair: 2})
    dialogs: list[str] = []
    shop.context.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page = shop.open("/admin/")
    if viewport:
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
    log_in(page, *ADMIN)
    bad = tmp_path / "products.csv"
    bad.write_text(BAD_CSV)
    import_file(page, bad)
    expect(page.get_by_role("alert")).to_contain_text("line 2")

    row = product_row(page, "Red chair")
    deactivate = row.get_by_role("button", name="Deactivate")
    deactivate.click()
    dialog = page.get_by_role("dialog", name="Deactivate Red chair?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep active")).to_be_focused()
    dialog_fits(page)
    assert serious_violations(page, axe_source) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(deactivate).to_be_focused()
    assert staff.product(chair)["is_active"] is True

    deactivate.click()
    confirm(page, "Deactivate")
    expect(row).to_contain_text("Deactivated")
    assert staff.product(chair)["is_active"] is False
    # The success replaces the import error: never a green message above a red one.
    expect(page.get_by_role("status")).to_have_text("Red chair deactivated.")
    assert shown_messages(page) == ["Red chair deactivated."]
    expect(row.get_by_role("button", name="Reactivate")).to_be_focused()

    order = page.locator("#orders article.order")
    order.get_by_role("button", name="Cancel").click()
    cancel = page.get_by_role("dialog", name="Cancel order 1?")
    expect(cancel).to_contain_text("Red chair")
    cancel.get_by_role("button", name="Keep order").click()
    expect(cancel).to_be_hidden()
    assert staff.orders()[0]["status"] == "pending"
    order.get_by_role("button", name="Cancel").click()
    confirm(page, "Cancel order")
    expect(order).to_contain_text("cancelled")
    assert shown_messages(page) == ["Order 1 cancelled."]
    assert staff.orders()[0]["status"] == "cancelled"
    assert dialogs == []


def test_a_customer_confirms_cancelling_an_order(shop: Shop, staff: Staff) -> None:
    chair = staff.add_product("Red chair", "19.99", 5)
    customer(shop.server, "alice", {chair: 1})
    page = shop.open("/")
    log_in(page, "alice")
    card = order_card(page, 1)
    card.get_by_role("button", name="Cancel order").click()
    dialog = page.get_by_role("dialog", name="Cancel order 1?")
    expect(dialog.get_by_role("button", name="Keep order")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(card).to_contain_text("pending")
    assert staff.orders()[0]["status"] == "pending"

    card.get_by_role("button", name="Cancel order").click()
    confirm(page, "Cancel order")
    expect(card).to_contain_text("cancelled")
    assert staff.orders()[0]["status"] == "cancelled"
