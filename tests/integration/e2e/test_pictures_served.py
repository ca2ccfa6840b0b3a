"""Pictures through a real server: uploads up to their own limit, copies for ``<img>``, and a
long decode that holds up no other request of its worker."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from PIL import Image

from tests import pictures as files
from tests.integration.e2e.conftest import Server, serve
from tests.integration.e2e.shop import Admin, log_in_admin

pytestmark = pytest.mark.slow
TOO_LARGE = {"detail": "The data value transmitted exceeds the capacity limit."}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker: what one request does to the worker's other requests shows."""
    folder = tmp_path_factory.mktemp("pictures")
    yield from serve(f"sqlite:///{folder / 'webstore.db'}", folder / "server.log", workers=1)


@pytest.fixture(scope="module")
def admin(server: Server) -> Admin:
    return log_in_admin(server)


def upload(admin: Admin, product_id: int, data: bytes, **kwargs: object) -> requests.Response:
    files_field = {"image": ("photo.jpg", data, "image/jpeg")}
    return admin.post(f"/products/{product_id}/image", files=files_field, timeout=60, **kwargs)


def test_an_uploaded_picture_is_served_for_img_without_a_token(
    server: Server, admin: Admin
) -> None:
    product_id = admin.add_product()

    answer = upload(admin, product_id, files.jpeg_with_metadata(orientation=6))

    assert answer.status_code == 200, answer.text
    image = requests.get(server.base_url + answer.json()["image"], timeout=10)
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/webp"
    assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert b"SECRET" not in image.content
    listed = requests.get(f"{admin.api}/catalogue/{product_id}", timeout=10).json()
    assert listed["image"] == answer.json()["image"]


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_picture_over_the_usual_body_limit_is_taken_on_its_own_route(
    admin: Admin, chunked: bool
) -> None:
    product_id = admin.add_product()
    noise = files.encoded(Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)), "PNG")
    assert 1024 * 1024 < len(noise) < 5 * 1024 * 1024
    body = noise if not chunked else None

    if chunked:
        boundary = "picture-boundary"
        form = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
                'filename="noise.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + noise
            + f"\r\n--{boundary}--\r\n".encode()
        )
        pieces = (form[start : start + 64 * 1024] for start in range(0, len(form), 64 * 1024))
        answer = admin.session.post(
            f"{admin.api}/products/{product_id}/image",
            data=pieces,
            headers={**admin.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=60,
        )
    else:
        answer = upload(admin, product_id, body or b"")

    assert answer.status_code == 200, answer.text
    assert answer.json()["image"] is not None


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_body_over_the_pictures_limit_is_the_413_json(admin: Admin, chunked: bool) -> None:
    product_id = admin.add_product()
    body = b"--x\r\n" + b"\0" * (5 * 1024 * 1024 + 17 * 1024)

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    answer = requests.post(
        f"{admin.api}/products/{product_id}/image",
        data=pieces() if chunked else body,
        headers={**admin.headers, "Content-Type": "multipart/form-data; boundary=x"},
        timeout=60,
    )

    assert (answer.status_code, answer.json()) == (413, TOO_LARGE)


def test_decoding_a_huge_picture_holds_up_no_other_request_of_the_worker(
    server: Server, admin: Admin
) -> None:
    product_id = admin.add_product()
    huge = files.encoded(Image.new("RGBA", (8000, 5000), (10, 20, 30, 40)), "PNG")  # 40 MP
    took: list[float] = []

    def upload_huge() -> None:
        started = time.perf_counter()
        assert upload(admin, product_id, huge).status_code == 200
        took.append(time.perf_counter() - started)

    uploading = threading.Thread(target=upload_huge)
    uploading.start()
    waits = []
    while uploading.is_alive():
        started = time.perf_counter()
        assert requests.get(f"{server.base_url}/api/health", timeout=30).status_code == 200
        waits.append(time.perf_counter() - started)
        time.sleep(0.05)
    uploading.join()

    assert took[0] > 0.5, took  # long enough for the others to have had to wait
    assert len(waits) > 5 and max(waits) < took[0] / 3, (took, waits)
