"""A product's picture over HTTP: staff upload and remove it; anyone gets its copies."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.test import TestResponse

from tests import pictures as files
from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, answer
from webstore import ProductSnapshot, Webstore, bootstrap
from webstore.domain import pictures
from webstore.entrypoints.web.app import create_app

CHAIR = "/api/products/1/image"
URL = re.compile(r"/media/products/1/(?P<digest>[0-9a-f]{16})-(?P<size>400|1200)\.webp")
NOT_FOUND = (404, {"detail": "Not found."})
PERMISSION = (403, {"detail": "You do not have permission to perform this action."})
TOO_LARGE = (413, {"detail": "The data value transmitted exceeds the capacity limit."})


BOUNDARY = "picture-boundary-7MA4YWxkTrZu0gW"
FORM = f"multipart/form-data; boundary={BOUNDARY}"


def form(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> bytes:
    """A form whose ``image`` field is the file ``data``, as a browser sends it."""
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="image"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return head.encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(shopper: Shopper, data: bytes, path: str = CHAIR, **kw: Any) -> TestResponse:
    return shopper.post(path, data=form(data), content_type=FORM, **kw)


def invalid(message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": f"image: {message}", "errors": {"image": [message]}}


def test_a_superuser_sets_a_picture_and_gets_the_product_with_its_urls(
    admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    response = upload(admin, files.photo(1600, 1200))

    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert list(body) == [*admin.get("/api/products/1").json, "image", "thumbnail"][:8]  # type: ignore[union-attr]
    assert URL.fullmatch(body["image"])["size"] == "1200"  # type: ignore[index]
    assert URL.fullmatch(body["thumbnail"])["size"] == "400"  # type: ignore[index]
    assert admin.get("/api/products/1").json == body
    assert admin.get("/api/products").json[0] == body  # type: ignore[index]


def test_anyone_gets_a_copy_typed_cached_for_good_sandboxed_and_never_the_upload(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    uploaded = files.photo(1600, 1200)
    urls = upload(admin, uploaded).json
    assert urls is not None

    for key, width in (("image", 1200), ("thumbnail", 400)):
        served = client.get(urls[key])
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/webp"
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert "Set-Cookie" not in served.headers
        assert served.data != uploaded
        assert Image.open(io.BytesIO(served.data)).size == (width, width * 3 // 4)
        digest = served.headers["ETag"].strip('"')
        assert digest.startswith(URL.fullmatch(urls[key])["digest"])  # type: ignore[index]
        again = client.get(urls[key], headers={"If-None-Match": served.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b"")


def test_the_catalogue_names_the_picture_and_its_etag_changes_with_it(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    before = client.get("/api/catalogue")
    assert before.json[0]["image"] is None  # type: ignore[index]

    urls = upload(admin, files.photo()).json
    after = client.get("/api/catalogue")
    one = client.get("/api/catalogue/1")

    assert after.json[0]["image"] == urls["image"]  # type: ignore[index]
    assert after.json[0]["thumbnail"] == urls["thumbnail"]  # type: ignore[index]
    assert one.json == after.json[0]  # type: ignore[index]
    assert after.headers["ETag"] != before.headers["ETag"]
    assert (
        client.get("/api/catalogue", headers={"If-None-Match": before.headers["ETag"]}).status_code
        == 200
    )

    assert admin.delete(CHAIR).status_code == 204
    removed = client.get("/api/catalogue")
    assert removed.json[0]["image"] is None  # type: ignore[index]
    assert removed.headers["ETag"] not in (after.headers["ETag"], one.headers["ETag"])


def test_the_original_endpoints_do_not_change_a_byte(
    alice: Shopper, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    placed = alice.post(
        "/api/post_order",
        json={
            "address": "1 Elm St",
            "phone": "555 0100",
            "items": [{"product_id": 1, "amount": 1}],
        },
    )
    assert placed.status_code == 201
    paths = ["/api/get_all_products", "/api/get_order", "/api/products/1", "/api/products/1/"]
    before = {path: alice.get(path).data for path in paths}

    assert upload(admin, files.photo()).status_code == 200

    assert {path: alice.get(path).data for path in paths} == before
    assert b"image" not in b"".join(before.values())
    assert "image" not in admin.get("/api/get_all_products").json[0]  # type: ignore[index]


def test_a_new_picture_replaces_the_old_whose_urls_are_then_gone(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    old = upload(admin, files.photo(800, 600)).json
    new = upload(admin, files.photo(600, 800, "PNG")).json

    assert old is not None and new is not None
    assert new["image"] != old["image"]
    assert answer(client.get(old["image"])) == NOT_FOUND
    assert client.get(new["image"]).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/products/1/0123456789abcdef-1200.webp",  # another digest
        "/media/products/2/{digest}-1200.webp",  # another product
        "/media/products/1/{digest}-800.webp",  # no such size
        "/media/products/1/{digest}-1200.png",
        "/media/products/1/{digest}-1200.webp.html",
        "/media/products/1/{digest}.webp",
        "/media/products/99999999999999999999/{digest}-1200.webp",
        "/media/products/1/{DIGEST}-1200.webp",
        "/media/products/1/",
    ],
)
def test_a_url_that_names_no_stored_copy_is_the_json_404(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot], path: str
) -> None:
    image = upload(admin, files.photo()).json["image"]  # type: ignore[index]
    digest = URL.fullmatch(image)["digest"]  # type: ignore[index]

    response = client.get(path.format(digest=digest, DIGEST=digest.upper()))

    assert answer(response) == NOT_FOUND
    assert response.headers["Content-Type"] == "application/json"


def test_a_withdrawn_product_may_get_a_picture_which_the_public_does_not_see(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    assert admin.delete("/api/products/1").status_code == 204

    response = upload(admin, files.photo())

    assert response.status_code == 200
    assert response.json["is_active"] is False  # type: ignore[index]
    assert answer(client.get("/api/catalogue/1")) == NOT_FOUND
    assert client.get(response.json["image"]).status_code == 200  # type: ignore[index]


def test_removing_a_picture_twice_is_204_both_times(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    image = upload(admin, files.photo()).json["image"]  # type: ignore[index]

    for _ in range(2):
        response = admin.delete(CHAIR + "/")
        assert (response.status_code, response.data) == (204, b"")
    assert admin.get("/api/products/1").json["image"] is None  # type: ignore[index]
    assert answer(client.get(image)) == NOT_FOUND


@pytest.mark.parametrize("method", ["post", "delete"])
def test_an_unknown_product_is_not_found(
    admin: Shopper, catalogue: dict[str, ProductSnapshot], method: str
) -> None:
    for path in ("/api/products/99/image", "/api/products/0/image"):
        if method == "post":
            assert answer(upload(admin, files.SVG, path)) == NOT_FOUND  # 404 before the body
        else:
            assert answer(admin.delete(path)) == NOT_FOUND


def test_a_regular_user_may_neither_set_nor_remove_a_picture(
    alice: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    assert answer(upload(alice, files.photo())) == PERMISSION
    assert answer(alice.delete(CHAIR)) == PERMISSION


def test_without_a_token_or_the_csrf_header_nothing_is_set(
    client: FlaskClient, admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    no_csrf = admin.client.post(
        CHAIR,
        data=form(files.photo()),
        content_type=FORM,
        headers={"Authorization": f"Token {admin.access_token}"},
    )
    no_token = client.post(
        CHAIR, data=form(files.photo()), content_type=FORM, headers={"X-CSRFToken": admin.csrf}
    )
    foreign = upload(admin, files.photo(), headers={"Origin": "https://evil.example"})
    no_csrf_delete = admin.client.delete(
        CHAIR, headers={"Authorization": f"Token {admin.access_token}"}
    )

    assert answer(no_csrf) == (403, {"detail": "CSRF Failed: CSRF token missing."})
    assert answer(no_token) == (403, {"detail": "Authentication credentials were not provided."})
    assert foreign.status_code == 403
    assert no_csrf_delete.status_code == 403
    assert admin.get("/api/products/1").json["image"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (files.SVG, pictures.NOT_AN_IMAGE),
        (files.gif(), pictures.NOT_AN_IMAGE),
        (files.SCRIPT, pictures.NOT_AN_IMAGE),
        (files.photo()[:3000], pictures.NOT_AN_IMAGE),
        (files.png_declaring(100_000, 100_000), pictures.TOO_MANY_PIXELS),
        (files.png_declaring(8_000, 5_001), pictures.TOO_MANY_PIXELS),
        (b"", pictures.EMPTY),
    ],
    ids=["svg", "gif", "html", "truncated", "bomb", "over-40-megapixels", "empty"],
)
def test_a_file_that_is_no_accepted_picture_is_a_400_that_changes_nothing(
    admin: Shopper, catalogue: dict[str, ProductSnapshot], data: bytes, message: str
) -> None:
    kept = upload(admin, files.photo()).json

    # The name and declared type say JPEG: only the content counts.
    response = upload(admin, data)

    assert answer(response) == invalid(message)
    assert admin.get("/api/products/1").json == kept


def test_a_form_without_its_one_image_file_is_a_400(
    admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    def post(data: dict[str, Any]) -> TestResponse:
        return admin.post(CHAIR, data=data, content_type="multipart/form-data")

    photo = files.photo()
    assert answer(post({"picture": (io.BytesIO(photo), "a.jpg")})) == invalid(pictures.NO_FILE)
    assert answer(post({"image": "not a file"})) == invalid(
        "The submitted data was not a file. Check the encoding type on the form."
    )
    two = {"image": [(io.BytesIO(photo), "a.jpg"), (io.BytesIO(photo), "b.jpg")]}
    assert answer(post(two)) == invalid("Send one file only.")
    garbled = admin.post(
        CHAIR, data=b"--x\r\nnonsense", content_type="multipart/form-data; boundary=x"
    )
    assert answer(garbled) == invalid(pictures.NO_FILE)


def test_a_body_that_is_no_form_is_a_415(
    admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    raw = admin.post(CHAIR, data=files.photo(), content_type="image/jpeg")
    as_json = admin.post(CHAIR, json={"image": "x"})

    assert answer(raw) == (415, {"detail": 'Unsupported media type "image/jpeg" in request.'})
    assert as_json.status_code == 415


def test_a_picture_may_be_up_to_5_mib_where_every_other_body_stays_within_1_mib(
    admin: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    noise = Image.effect_noise((1800, 1400), 60).convert("RGB")
    big = files.encoded(noise, "JPEG", quality=97)
    assert 1024 * 1024 < len(big) < pictures.MAX_UPLOAD_BYTES

    assert upload(admin, big).status_code == 200
    assert answer(upload(admin, big + b"\0" * pictures.MAX_UPLOAD_BYTES)) == TOO_LARGE
    padded = {"name": "Stool", "price": "1.00", "amount": 1, "description": "x" * len(big)}
    assert answer(admin.post("/api/products", json=padded)) == TOO_LARGE
    assert (
        answer(admin.post("/api/products/import", data=big, content_type="text/csv")) == TOO_LARGE
    )


def test_the_pages_may_show_pictures_from_this_server(client: FlaskClient) -> None:
    policy = dict(
        part.strip().split(" ", 1)
        for part in client.get("/").headers["Content-Security-Policy"].split(";")
    )
    sources = policy.get("img-src", policy["default-src"]).split()

    assert "'self'" in sources
    assert "data:" not in sources and "*" not in sources


# --- on every storage --------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_store(request: pytest.FixtureRequest) -> Iterator[Webstore]:
    url: str = request.getfixturevalue(f"{request.param}_url")
    store = bootstrap(fast_settings(url), migrate=True)
    yield store
    store.uow.dispose()  # type: ignore[attr-defined]


def test_a_picture_set_on_one_node_is_served_by_another(sql_store: Webstore) -> None:
    settings = fast_settings()
    one, other = create_app(settings, sql_store), create_app(settings, sql_store)
    store = sql_store
    store.create_superuser("margaret", "margaret@example.com", "correct horse battery staple")
    [chair] = store.import_products(store.operator, [{"name": "Chair", "price": "1", "amount": 1}])
    staff = Shopper(one.test_client(), "margaret")
    staff.log_in()
    public = other.test_client()
    before = public.get("/api/catalogue")  # the other node keeps this listing
    assert before.json[0]["image"] is None  # type: ignore[index]

    urls = upload(staff, files.jpeg_with_metadata(), f"/api/products/{chair.id}/image").json
    assert urls is not None
    listed = public.get("/api/catalogue", headers={"If-None-Match": before.headers["ETag"]})

    assert listed.status_code == 200
    assert listed.json[0]["image"] == urls["image"]  # type: ignore[index]
    served = other.test_client().get(urls["image"])
    assert served.status_code == 200
    assert b"SECRET" not in served.data and b"Exif" not in served.data
    assert Image.open(io.BytesIO(served.data)).format == "WEBP"
    assert staff.delete(f"/api/products/{chair.id}/image").status_code == 204
    assert other.test_client().get(urls["image"]).status_code == 404
