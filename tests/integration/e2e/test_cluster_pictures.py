"""Pictures behind nginx, on two nodes sharing PostgreSQL: either node serves what either took."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from PIL import Image

from deploy.cluster import Cluster
from tests import pictures as files
from tests.integration.e2e.conftest import Server
from tests.integration.e2e.shop import Admin, log_in_admin

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TOO_LARGE = {"detail": "The data value transmitted exceeds the capacity limit."}


@pytest.fixture(scope="module")
def admin(cluster: Cluster) -> Iterator[Admin]:
    yield log_in_admin(Server(cluster.url, cluster.env))


def test_a_picture_of_megabytes_passes_nginx_and_every_node_serves_it(
    cluster: Cluster, admin: Admin
) -> None:
    product_id = admin.add_product()
    noise = Image.effect_noise((1800, 1400), 60).convert("RGB")
    big = files.encoded(noise, "JPEG", quality=97)
    assert len(big) > 2 * 1024 * 1024

    answer = admin.post(
        f"/products/{product_id}/image",
        files={"image": ("photo.jpg", big, "image/jpeg")},
        timeout=60,
    )

    assert answer.status_code == 200, answer.text
    path = answer.json()["image"]
    served = [requests.get(node.url + path, timeout=10) for node in cluster.nodes]
    assert [copy.status_code for copy in served] == [200, 200]
    assert served[0].content == served[1].content
    assert requests.get(cluster.url + path, timeout=10).content == served[0].content


def test_nginx_refuses_a_body_over_the_pictures_limit_with_the_json_413(
    cluster: Cluster, admin: Admin
) -> None:
    product_id = admin.add_product()
    body = b"--x\r\n" + b"\0" * (5 * 1024 * 1024 + 17 * 1024)

    answer = requests.post(
        f"{admin.api}/products/{product_id}/image",
        data=body,
        headers={**admin.headers, "Content-Type": "multipart/form-data; boundary=x"},
        timeout=60,
    )

    assert (answer.status_code, answer.json()) == (413, TOO_LARGE)
