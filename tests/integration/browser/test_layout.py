"""Both pages fit a desktop and a phone: nothing off-screen out of reach, no word broken."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import pictures
from tests.integration.browser.conftest import ADMIN, DESKTOP, PHONE, Shop, Staff, customer
from tests.integration.browser.steps import add_to_cart, log_in
from tests.integration.browser.test_safety import serious_violations

pytestmark = pytest.mark.slow

TABLET = {"width": 700, "height": 1000}  # wide enough for tables, not for every column

CATALOGUE = [
    ("Extendable oak dining table", "Seats six, or ten with both leaves in.", "1249.00", 12),
    ("Red chair", "Solid beech, painted red. Stacks four high.", "19.99", 120),
    ("Handwoven wool rug", "Undyed wool, 160 by 230 centimetres.", "329.00", 3),
]

# Content wider than its box must be in a region that scrolls where a person sees it: one
# with a name, reachable from the keyboard. The page itself never scrolls sideways.
HIDDEN_OVERFLOW = """() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth) {
    problems.push(`the page is ${page.scrollWidth}px wide in a ${page.clientWidth}px window`);
  }
  for (const box of document.querySelectorAll("main *")) {
    if (box.matches("input, textarea, select, .visually-hidden") || box.clientWidth <= 1) continue;
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const style = getComputedStyle(box);
    if (style.overflowX === "visible") continue;  // then its parents are checked instead
    const named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    if (!scrolls || box.tabIndex < 0 || box.getAttribute("role") !== "region" || !named) {
      const label = box.id ? `#${box.id}` : `${box.tagName.toLowerCase()}.${box.className}`;
      problems.push(`${label}: ${box.scrollWidth}px of content in ${box.clientWidth}px`);
    }
  }
  for (const node of document.querySelectorAll("main *")) {
    const edge = node.getBoundingClientRect();
    if (!edge.width || node.closest("[role=region][tabindex='0']")) continue;
    if (edge.right > page.clientWidth + 1) {
      const what = `${node.tagName.toLowerCase()} "${node.textContent.slice(0, 30)}"`;
      problems.push(`${what} ends at ${edge.right}px`);
    }
  }
  return problems;
}"""

# A word set on two lines: a range over it has boxes at two heights.
BROKEN_WORDS = """() => {
  const broken = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (const word of text.data.matchAll(/[^\\s\\-\\u2013\\u2014\\/]+/g)) {
      range.setStart(text, word.index);
      range.setEnd(text, word.index + word[0].length);
      const lines = new Set(
        [...range.getClientRects()].filter((box) => box.width > 0).map((box) => Math.round(box.top))
      );
      if (lines.size > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""


def fits(page: Page) -> None:
    assert page.evaluate(HIDDEN_OVERFLOW) == []
    assert page.evaluate(BROKEN_WORDS) == []


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET, PHONE], ids=["desktop", "tablet", "phone"])
def test_both_pages_fit_the_screen_without_breaking_words(
    shop: Shop, staff: Staff, axe_source: str, viewport: dict[str, int]
) -> None:
    ids = [
        staff.add_product(name, price, amount, description=description)
        for name, description, price, amount in CATALOGUE
    ]
    staff.set_picture(ids[1], pictures.photo(640, 480))
    customer(shop.server, "alexandrina", {ids[0]: 1, ids[1]: 4})
    customer(shop.server, "bartholomew", {ids[2]: 1})
    page = shop.open("/admin/")
    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    log_in(page, *ADMIN)
    expect(page.locator("#product-rows tr")).to_have_count(3)
    expect(page.locator("#user-rows tr")).to_have_count(3)
    expect(page.locator("#orders article.order")).to_have_count(2)
    expect(page.locator("#orders")).to_contain_text("Customer: bartholomew")
    fits(page)
    assert serious_violations(page, axe_source) == []
    # Every cell of a product, its status and its actions included, is on the screen, or in
    # a region that scrolls to it.
    row = page.locator("#product-rows tr").first
    for cell in row.locator("th, td").all():
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box

    store = shop.open("/")
    store.set_viewport_size(viewport)  # type: ignore[arg-type]
    store.get_by_role("button", name="Log out").click()
    log_in(store, "alexandrina")
    add_to_cart(store, "Extendable oak dining table")
    expect(store.locator("article.order")).to_have_count(1)
    fits(store)
