"""A client that sends its body slowly holds no transaction: other writers go on meanwhile."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.integration.e2e.conftest import Server
from tests.integration.e2e.shop import connect, log_in_admin, read_response

pytestmark = pytest.mark.slow
TRICKLE_SECONDS = 4.0


def test_a_patch_whose_body_trickles_in_does_not_hold_up_an_order(sqlite_server: Server) -> None:
    admin = log_in_admin(sqlite_server)
    slow_product, other_product = admin.add_product(), admin.add_product()
    body = json.dumps({"amount": 7, "description": " " * 40}).encode()
    head = (
        f"PATCH /api/products/{slow_product} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in admin.headers.items())
        + "\r\n"
    ).encode()
    answers: list[int] = []

    def trickle() -> None:
        with connect(sqlite_server) as connection:
            connection.sendall(head)
            pause = TRICKLE_SECONDS / len(body)
            for byte in body:
                connection.sendall(bytes([byte]))
                time.sleep(pause)
            answers.append(read_response(connection)[0])

    slow = threading.Thread(target=trickle)
    slow.start()
    time.sleep(1.0)  # the PATCH is well under way
    started = time.monotonic()
    order = admin.post(
        "/post_order",
        json={"address": "1 Main St", "phone": "+1 555 0100",
              "items": [{"product_id": other_product, "amount": 1}]},
    )  # fmt: skip
    waited = time.monotonic() - started
    slow.join(TRICKLE_SECONDS + 30)

    assert order.status_code == 201, order.text
    assert waited < 1.0, f"the order waited {waited:.2f} s for the slow body"
    assert answers == [200]
    assert (
        admin.session.get(f"{admin.api}/products/{slow_product}", headers=admin.headers).json()[
            "amount"
        ]
        == 7
    )
