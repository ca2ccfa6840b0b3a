"""Passwords on the pages: changed while logged in, and reset with the link of an e-mail."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, Request, expect

from tests.integration.browser.conftest import ADMIN, PHONE, Shop, Staff, customer
from tests.integration.browser.steps import PASSWORD, log_in, log_out
from tests.integration.browser.test_safety import serious_violations

pytestmark = pytest.mark.slow

NEW_PASSWORD = "looking-glass-7"
PUBLIC_URL = "https://shop.example.com"
LINK_SENT = (
    "If an account matches, we have sent a link to choose a new password to its email. "
    "It works once, for a limited time."
)
WRONG_LOGIN = "Wrong username or password, or the account is deactivated."
MISMATCH = "The two passwords differ. Type the same new password in both fields."
LINK_PATTERN = re.compile(r"\S+#reset=\S+")


def on_a_phone(page: Page, viewport: dict[str, int] | None) -> Page:
    if viewport:
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
    return page


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_customer_changes_password_and_every_other_session_ends(
    shop: Shop, second_shop: Shop, axe_source: str, viewport: dict[str, int] | None
) -> None:
    elsewhere = customer(shop.server, "alice")  # a session of a script, logged in too
    page = on_a_phone(shop.open("/"), viewport)
    expect(page.get_by_role("link", name="Change password")).to_be_hidden()
    log_in(page, "alice")
    other = second_shop.open("/")
    log_in(other, "alice")

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_focused()
    form = page.locator("#password-form")
    current = form.get_by_label("Current password")
    new = form.get_by_label("New password", exact=True)
    again = form.get_by_label("Confirm new password")
    current.fill("not my password")
    new.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-old-error")).to_have_text(
        "Your old password was entered incorrectly. Please enter it again."
    )
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_be_focused()
    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    assert serious_violations(page, axe_source) == []

    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    current.fill(PASSWORD)
    again.fill("looking-glass-8")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-confirm-error")).to_have_text(MISMATCH)
    expect(again).to_be_focused()
    expect(page.locator("#password-old-error")).to_be_hidden()
    assert not [url for url in asked if "change_password" in url]  # checked in the page

    new.fill("12345678")
    again.fill("12345678")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-new-error")).to_have_text("This password is entirely numeric.")

    new.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your password has been changed. Your other sessions are logged out; "
        "this one stays logged in."
    )
    for field in (current, new, again):
        expect(field).to_have_value("")
    me = f"{shop.server.base_url}/api/me"
    assert elsewhere.get(me, timeout=30).status_code == 403
    page.reload()
    expect(page.get_by_text("Logged in as alice")).to_be_visible()  # this session lives on

    other.reload()
    expect(other.get_by_role("alert")).to_have_text(
        "Your session has ended. Log in again to continue."
    )
    login = other.locator("#login-form")
    login.get_by_label("Username").fill("alice")
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("alert")).to_have_text(WRONG_LOGIN)
    log_in(other, "alice", NEW_PASSWORD)


def test_staff_change_their_password_in_the_back_office(shop: Shop, staff: Staff) -> None:
    page = shop.open("/admin/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.locator("#password-section")).to_be_hidden()
    log_in(page, *ADMIN)
    # Drawn once focus is on its first heading: the link is followed after that.
    expect(page.get_by_role("heading", name="Products", exact=True)).to_be_focused()
    sections = page.get_by_role("navigation", name="Sections")
    sections.get_by_role("link", name="Your password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_focused()
    form = page.locator("#password-form")
    form.get_by_label("Current password").fill(ADMIN[1])
    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")
    log_out(page)
    expect(page.locator("#password-section")).to_be_hidden()
    log_in(page, ADMIN[0], NEW_PASSWORD)


def mailed_link(folder: Path, count: int = 1) -> str:
    """The reset link of the ``count``-th mail the server writes to ``folder``."""
    deadline = time.monotonic() + 30
    while len(written := sorted(folder.glob("*.eml"))) < count:
        assert time.monotonic() < deadline, "no mail came"
        time.sleep(0.1)
    mail = message_from_bytes(written[count - 1].read_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["To"] == "alice@example.com"
    body = mail.get_body(("plain",))
    assert body is not None
    found = LINK_PATTERN.search(body.get_content())
    assert found, body.get_content()
    return found.group()


def on_this_server(link: str, base_url: str) -> str:
    """The mailed link names the public address; the test's server has its own."""
    assert link.startswith(f"{PUBLIC_URL}/#reset=")
    return base_url + "/#" + urlsplit(link).fragment


@pytest.mark.parametrize("server", [{"public_url": PUBLIC_URL}], indirect=True)
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_forgotten_password_is_reset_with_the_link_of_the_e_mail(
    shop: Shop, axe_source: str, viewport: dict[str, int] | None
) -> None:
    database = shop.server.env["WEBSTORE_DATABASE_URL"].removeprefix("sqlite:///")
    mail = Path(database + ".mail")
    customer(shop.server, "alice")
    page = on_a_phone(shop.open("/"), viewport)
    login = page.locator("#login-form")
    login.get_by_label("Username").fill("alice")
    page.get_by_role("link", name="Forgot your password?").click()
    forgot = page.locator("#forgot-form")
    asked_for = forgot.get_by_label("Username or email")
    expect(asked_for).to_be_focused()
    expect(asked_for).to_have_value("alice")  # what the log-in form held
    expect(login).to_be_hidden()
    assert serious_violations(page, axe_source) == []
    forgot.get_by_role("button", name="Back to log-in").click()
    expect(login.get_by_label("Username")).to_be_focused()

    page.get_by_role("link", name="Forgot your password?").click()
    asked_for.fill("nobody@example.com")
    forgot.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_have_text(LINK_SENT)  # whether or not one matches
    expect(login.get_by_label("Username")).to_be_focused()
    page.get_by_role("link", name="Forgot your password?").click()
    asked_for.fill("ALICE@example.com")
    forgot.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_have_text(LINK_SENT)
    link = on_this_server(mailed_link(mail), shop.server.base_url)
    token = link.rpartition("=")[2]

    requests_made: list[Request] = []
    shop.context.on("request", lambda request: requests_made.append(request))
    reset = on_a_phone(shop.open(link.removeprefix(shop.server.base_url)), viewport)
    expect(reset.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert token not in reset.evaluate("location.href")
    assert token not in reset.url
    chosen = reset.locator("#reset-form").get_by_label("New password", exact=True)
    confirmation = reset.locator("#reset-form").get_by_label("Confirm new password")
    expect(chosen).to_be_focused()
    chosen.fill(NEW_PASSWORD)
    confirmation.fill("looking-glass-8")
    reset.get_by_role("button", name="Set new password").click()
    expect(reset.locator("#reset-confirm-error")).to_have_text(MISMATCH)
    assert serious_violations(reset, axe_source) == []
    confirmation.fill(NEW_PASSWORD)
    reset.get_by_role("button", name="Set new password").click()
    expect(reset.get_by_role("status")).to_have_text(
        "Your password has been reset. Log in with your new password."
    )
    expect(reset.get_by_role("heading", name="Choose a new password")).to_be_hidden()
    expect(reset.locator("#login-form").get_by_label("Username")).to_be_focused()
    # The token went to the API in one request's body, and in no address.
    assert [r.url for r in requests_made if token in (r.post_data or "")] == [
        f"{shop.server.base_url}/api/password_reset/confirm"
    ]
    assert not [r.url for r in requests_made if token in r.url and r.url != link]

    login = reset.locator("#login-form")
    login.get_by_label("Username").fill("alice")
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Log in").click()
    expect(reset.get_by_role("alert")).to_have_text(WRONG_LOGIN)
    log_in(reset, "alice", NEW_PASSWORD)
    log_out(reset)

    spent = reset
    spent.goto(link)  # into the page already open: the same document, a new fragment
    expect(spent.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert token not in spent.evaluate("location.href")
    spent.locator("#reset-form").get_by_label("New password", exact=True).fill("looking-glass-9")
    spent.locator("#reset-form").get_by_label("Confirm new password").fill("looking-glass-9")
    spent.get_by_role("button", name="Set new password").click()
    expect(spent.get_by_role("alert")).to_have_text(
        "This password reset link is invalid, used or expired."
    )
    ask_again = spent.get_by_role("button", name="Ask for a new link")
    expect(ask_again).to_be_focused()
    expect(spent.get_by_role("button", name="Set new password")).to_be_hidden()
    assert serious_violations(spent, axe_source) == []
    ask_again.click()
    expect(spent.locator("#forgot-form").get_by_label("Username or email")).to_be_focused()
    expect(spent.get_by_role("heading", name="Choose a new password")).to_be_hidden()
    assert len(list(mail.glob("*.eml"))) == 1  # nobody@example.com got nothing


def test_asking_for_links_too_often_is_refused_in_words(shop: Shop) -> None:
    for _ in range(5):
        asked = requests.post(
            f"{shop.server.base_url}/api/password_reset",
            json={"username_or_email": "alice"},
            timeout=30,
        )
        assert asked.status_code == 200, asked.text
    page = shop.open("/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username or email").fill("alice")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Too many attempts\. Try again in 1[45] minutes\.")
    )
    expect(page.locator("#forgot-form")).to_be_visible()  # to try again later
