"""An answer's head and body reach the client together, in one TCP segment.

gunicorn sends a head and its body with a ``send`` each: two segments, and a client woken
twice. The worker's responses send them together (``coalescing.py``).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.integration.e2e.conftest import Server, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("segments")
    yield from serve(f"sqlite:///{folder / 'webstore.db'}", folder / "server.log")


def data_segments_received(connection: socket.socket) -> int:
    """``tcpi_data_segs_in`` of Linux's ``struct tcp_info``: the segments that carried data."""
    info = connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return int.from_bytes(info[152:156], "little")


def answer_to(connection: socket.socket, request: bytes) -> bytes:
    """Send ``request`` on a kept-alive connection; read its whole answer (Content-Length)."""
    connection.sendall(request)
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(65536)
    length = re.search(rb"\r\nContent-Length: (\d+)\r\n", answer, re.IGNORECASE)
    assert length is not None
    while len(answer.partition(b"\r\n\r\n")[2]) < int(length[1]):
        answer += connection.recv(65536)
    return answer


@pytest.mark.parametrize(
    ("path", "status"), [("/api/get_all_products", b"403"), ("/api/no_such_route", b"404")]
)
def test_an_answer_reaches_the_client_in_one_segment(
    server: Server, path: str, status: bytes
) -> None:
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        answer = answer_to(connection, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 " + status)
        assert data_segments_received(connection) == 1
        answer_to(connection, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert data_segments_received(connection) == 2  # the next answer, one segment too
