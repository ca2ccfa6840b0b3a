"""Requests so malformed that gunicorn, not Flask, refuses them still get JSON answers."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.integration.e2e.conftest import Server, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: each test sends one request, and none writes."""
    folder = tmp_path_factory.mktemp("malformed")
    yield from serve(f"sqlite:///{folder / 'webstore.db'}", folder / "server.log")


def exchange(server: Server, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer (the server closes the connection)."""
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


def assert_json_error(answer: tuple[int, dict[str, str], bytes], status: int) -> None:
    code, headers, body = answer
    assert code == status
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert isinstance(json.loads(body)["detail"], str)
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])  # every response has one


def test_a_broken_chunked_body_is_a_client_error(server: Server) -> None:
    raw = (
        b"POST /api/login_view HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n"
    )

    assert_json_error(exchange(server, raw), 400)


def test_a_garbled_request_line_gets_json(server: Server) -> None:
    assert_json_error(exchange(server, b"GARBAGE\r\n\r\n"), 400)


def test_an_oversized_header_gets_json(server: Server) -> None:
    raw = b"GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Token " + b"a" * 20000 + b"\r\n\r\n"

    assert_json_error(exchange(server, raw), 431)


def test_an_oversized_url_gets_json(server: Server) -> None:
    raw = b"GET /api/get_all_products?limit=" + b"1" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"

    assert_json_error(exchange(server, raw), 414)


def test_a_long_but_acceptable_token_reaches_the_api(server: Server) -> None:
    raw = (
        b"GET /api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Authorization: Token " + b"a" * 10000 + b"\r\n\r\n"
    )

    code, _, body = exchange(server, raw)

    assert (code, json.loads(body)) == (403, {"detail": "Invalid token."})
