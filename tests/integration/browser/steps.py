"""What a person does on the pages, in the words the pages show."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

PASSWORD = "wonderland-42"


def sign_up(page: Page, username: str, password: str = PASSWORD) -> None:
    form = page.locator("#signup-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Email").fill(f"{username.lower()}@example.com")
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text(f"Account {username} created")


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    form = page.locator("#login-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {username}")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def product_card(page: Page, name: str) -> Locator:
    return page.locator("#products > li").filter(has=page.get_by_role("heading", name=name))


def add_to_cart(page: Page, name: str) -> None:
    product_card(page, name).get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-lines")).to_contain_text(name)


def fill_checkout(
    page: Page, address: str = "1 Rabbit Hole", phone: str = "+44 20 7946 0000"
) -> None:
    page.get_by_label("Address").fill(address)
    page.get_by_label("Phone").fill(phone)


def order_card(page: Page, order_id: int) -> Locator:
    return page.locator("article.order").filter(
        has=page.get_by_role("heading", name=f"Order {order_id}", exact=True)
    )


def confirm(page: Page, action: str) -> None:
    """Answer the confirmation dialog that a destructive button opened."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=action, exact=True).click()
    expect(dialog).to_be_hidden()


def stored_in_the_browser(page: Page) -> str:
    return str(
        page.evaluate(
            "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
        )
    )
