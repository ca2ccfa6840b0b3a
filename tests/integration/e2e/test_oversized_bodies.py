"""Every client hears the 413 for a body over 1 MiB, whether or not it waits for 100 Continue."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from tests.integration.e2e.conftest import Server, serve
from tests.integration.e2e.shop import Admin, connect, log_in_admin, read_response

pytestmark = pytest.mark.slow
MIB = 1024 * 1024
SIZES = [MIB + 1, 8 * MIB]
TOO_LARGE = {"detail": "The data value transmitted exceeds the capacity limit."}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: these tests write nothing, which is the point."""
    folder = tmp_path_factory.mktemp("oversized")
    yield from serve(f"sqlite:///{folder / 'webstore.db'}", folder / "server.log")


@pytest.fixture(scope="module")
def admin(server: Server) -> Admin:
    return log_in_admin(server)


def _order_body(size: int, product_id: int) -> bytes:
    """A valid order padded with spaces to ``size`` bytes: only its size is wrong."""
    order = json.dumps(
        {"address": "1 Main St", "phone": "+1 555 0100",
         "items": [{"product_id": product_id, "amount": 1}]}
    ).encode()  # fmt: skip
    return order + b" " * (size - len(order))


def _pieces(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


def _nothing_written(admin: Admin, product_id: int) -> None:
    assert admin.session.get(f"{admin.api}/get_order", headers=admin.headers).json() == []
    product = admin.session.get(f"{admin.api}/products/{product_id}", headers=admin.headers)
    assert product.json()["amount"] == 1000


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_client_that_sends_at_once_gets_the_413(admin: Admin, size: int, chunked: bool) -> None:
    product_id = admin.add_product()
    body = _order_body(size, product_id)

    response = requests.post(
        f"{admin.api}/post_order",
        data=_pieces(body) if chunked else body,
        headers={**admin.headers, "Content-Type": "application/json"},
        timeout=30,
    )

    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    _nothing_written(admin, product_id)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_client_that_keeps_sending_after_the_answer_still_reads_it(
    server: Server, admin: Admin, size: int, chunked: bool
) -> None:
    product_id = admin.add_product()
    body = _order_body(size, product_id)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (
        "POST /api/post_order HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in admin.headers.items())
        + f"{framing}\r\n\r\n"
    ).encode()

    with connect(server) as connection:
        connection.sendall(head)
        for piece in _pieces(body):  # a steady writer, as over a real network
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            time.sleep(0.002)
        if chunked:
            connection.sendall(b"0\r\n\r\n")
        status, headers, answer = read_response(connection)

    assert (status, json.loads(answer)) == (413, TOO_LARGE)
    assert headers["content-type"] == "application/json"
    _nothing_written(admin, product_id)
