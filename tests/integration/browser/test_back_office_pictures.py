"""Product pictures: staff upload and remove them in the back office; visitors see them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests import pictures
from tests.integration.browser.conftest import ADMIN, PHONE, Shop, Staff
from tests.integration.browser.steps import confirm, log_in, product_card
from tests.integration.browser.test_back_office import product_row
from tests.integration.browser.test_safety import serious_violations

pytestmark = pytest.mark.slow

OVER_THE_BODY_LIMIT = 6 * 1024 * 1024  # a picture may be 5 MiB, its form 16 KiB more


def upload(page: Page, path: Path) -> None:
    part = page.get_by_role("group", name="Picture")
    part.get_by_label("New picture").set_input_files(path)
    part.get_by_role("button", name="Upload picture").click()


def loaded(image: Locator) -> None:
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("image => image.naturalWidth") > 0


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_staff_upload_a_picture_that_visitors_see_and_then_remove_it(
    shop: Shop,
    second_shop: Shop,
    staff: Staff,
    tmp_path: Path,
    axe_source: str,
    viewport: dict[str, int] | None,
) -> None:
    chair = staff.add_product("Red chair", "19.99", 5)
    staff.add_product("Oak table", "249.00", 2)
    page = shop.open("/admin/")
    if viewport:
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
    log_in(page, *ADMIN)
    row = product_row(page, "Red chair")
    expect(row.locator("td.picture-cell")).to_have_text("None")
    expect(page.get_by_role("group", name="Picture")).to_be_hidden()  # adding: no product yet
    row.get_by_role("button", name="Edit").click()
    part = page.get_by_role("group", name="Picture")
    expect(part).to_contain_text("No picture yet.")
    expect(part.get_by_label("New picture")).to_have_attribute(
        "accept", "image/jpeg,image/png,image/webp"
    )
    expect(part.get_by_role("button", name="Remove picture")).to_be_hidden()

    drawing = tmp_path / "drawing.svg"
    drawing.write_bytes(pictures.SVG)
    upload(page, drawing)
    expect(page.get_by_role("alert")).to_contain_text(
        "The picture was not uploaded. Upload a valid image: a JPEG, PNG or WebP file."
    )
    huge = tmp_path / "huge.jpg"
    huge.write_bytes(pictures.photo(64, 48) + os.urandom(OVER_THE_BODY_LIMIT))
    upload(page, huge)
    expect(page.get_by_role("alert")).to_have_text(
        "The picture was not uploaded: the file is too large (at most 5 MB)."
    )
    assert staff.product(chair)["image"] is None

    photo = tmp_path / "chair.png"
    photo.write_bytes(pictures.photo(640, 480, "PNG"))
    upload_url = f"{shop.server.base_url}/api/products/{chair}/image"
    with page.expect_request(upload_url) as sent:
        upload(page, photo)
    headers = sent.value.headers
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert headers["x-csrftoken"]
    expect(page.get_by_role("status")).to_have_text("Picture of Red chair uploaded.")
    thumbnail = staff.product(chair)["thumbnail"]
    assert thumbnail and thumbnail.startswith(f"/media/products/{chair}/")
    base = shop.server.base_url
    in_row = row.get_by_role("img", name="Red chair")
    expect(in_row).to_have_attribute("src", base + thumbnail)
    loaded(in_row)
    loaded(part.get_by_role("img", name="Current picture of Red chair"))
    expect(part.get_by_role("button", name="Remove picture")).to_be_visible()
    assert serious_violations(page, axe_source) == []

    visitor = second_shop.open("/")
    if viewport:
        visitor.set_viewport_size(viewport)  # type: ignore[arg-type]
    shown = product_card(visitor, "Red chair").get_by_role("img", name="Red chair")
    expect(shown).to_have_attribute("src", base + thumbnail)
    loaded(shown)
    expect(product_card(visitor, "Oak table").locator("img")).to_have_count(0)

    part.get_by_role("button", name="Remove picture").click()
    dialog = page.get_by_role("dialog", name="Remove the picture of Red chair?")
    expect(dialog.get_by_role("button", name="Keep picture")).to_be_focused()
    confirm(page, "Remove picture")
    expect(page.get_by_role("status")).to_have_text("Picture of Red chair removed.")
    expect(row.locator("td.picture-cell")).to_have_text("None")
    expect(part).to_contain_text("No picture yet.")
    expect(part.get_by_label("New picture")).to_be_focused()
    assert staff.product(chair)["thumbnail"] is None
    assert requests.get(base + thumbnail, timeout=10).status_code == 404
    visitor.reload()
    expect(product_card(visitor, "Red chair")).to_be_visible()
    expect(product_card(visitor, "Red chair").locator("img")).to_have_count(0)
