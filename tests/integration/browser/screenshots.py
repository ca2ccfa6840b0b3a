"""``make screenshots``: both pages on a desktop and a phone, with a small shop in them."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.integration.browser.conftest import ADMIN, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, Staff
from tests.integration.browser.steps import add_to_cart, fill_checkout, log_in, sign_up
from tests.integration.e2e.conftest import Server, serve

OUT = Path("docs/screenshots")
CATALOGUE = [
    ("Red chair", "Solid beech, painted red. Seats one, stacks four high.", "19.99", 12),
    ("Oak table", "Seats six. Oiled, not varnished.", "249.00", 3),
    ("Desk lamp", "Warm LED, adjustable arm, brass finish.", "34.50", 20),
    ("Wool rug", "Hand-woven, 160 by 230 cm.", "129.00", 2),
    ("Linen curtains", "A pair, 140 by 250 cm, undyed.", "59.90", 7),
    ("Bookshelf", "Five shelves of pine; holds about 200 books.", "89.00", 0),
]


def stock_the_shop(server: Server) -> None:
    staff = Staff(server)
    for name, description, price, amount in CATALOGUE:
        staff.add_product(name, price, amount, description=description)


def shop_as_a_customer(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=DESKTOP, timezone_id="UTC")
    page = context.new_page()
    page.goto(server.base_url + "/")
    sign_up(page, "alice")
    log_in(page, "alice")
    for name in ("Red chair", "Desk lamp"):
        add_to_cart(page, name)
    fill_checkout(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("placed")
    context.close()


def capture(browser: Browser, server: Server, path: str, user: tuple[str, str]) -> None:
    name = "store" if path == "/" else "admin"
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(
            viewport=viewport, timezone_id="UTC", device_scale_factor=1 if size == "desktop" else 2
        )
        page = context.new_page()
        page.goto(server.base_url + path)
        log_in(page, *user)
        if name == "store":
            add_to_cart(page, "Oak table")
        page.reload()  # the page as it opens, without the last confirmation
        settle(page)
        page.screenshot(path=OUT / f"{name}-{size}.png", full_page=size == "desktop")
        context.close()


def settle(page: Page) -> None:
    expect(page.locator("article.order").first).to_be_visible()
    expect(page.get_by_text("Logged in as")).to_be_visible()
    page.wait_for_timeout(300)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        database = f"sqlite:///{folder}/webstore.db"
        for server in serve(database, Path(folder) / "server.log"):
            stock_the_shop(server)
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            shop_as_a_customer(browser, server)
            capture(browser, server, "/", ("alice", "wonderland-42"))
            capture(browser, server, "/admin/", ADMIN)
            browser.close()
    print("\n".join(str(path) for path in sorted(OUT.glob("*.png"))), file=sys.stderr)


if __name__ == "__main__":
    main()
