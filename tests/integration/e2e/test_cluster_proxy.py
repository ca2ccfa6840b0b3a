"""What nginx answers itself speaks the API's JSON; slow clients never reach a node."""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from deploy.cluster import Cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

LOGIN = b"POST /api/login_view HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
TOO_LARGE = {"detail": "The data value transmitted exceeds the capacity limit."}


def connect(cluster: Cluster) -> socket.socket:
    address = urlsplit(cluster.url)
    return socket.create_connection((address.hostname, address.port), timeout=30)


def read_answer(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One answer, read up to its Content-Length (nginx may linger before closing after an
    error); (0, {}, b"") when the connection is closed without one."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(65536)
        if not chunk:
            assert not answer, answer
            return 0, {}, b""
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    while len(body) < int(headers["content-length"]):
        body += connection.recv(65536)
    return int(status_line.split()[1]), headers, body


def exchange(cluster: Cluster, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with connect(cluster) as connection:
        connection.sendall(raw)
        return read_answer(connection)


def json_error(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, object]:
    status, headers, body = answer
    assert headers["content-type"] == "application/json"
    assert headers["server"] == "nginx"  # answered by nginx, not passed on from a node
    return status, json.loads(body)


def test_an_oversized_body_is_refused_with_the_api_s_413(cluster: Cluster) -> None:
    declared = LOGIN + b"Content-Length: 1048577\r\nConnection: close\r\n\r\n{"
    waiting = LOGIN + b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"
    chunk = b"100000\r\n" + b"a" * 0x100000 + b"\r\n"
    chunked = LOGIN + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk * 2

    for raw in (declared, waiting, chunked):
        assert json_error(exchange(cluster, raw)) == (413, TOO_LARGE)


def test_nginx_s_own_answers_carry_the_request_id(cluster: Cluster) -> None:
    oversized = LOGIN + b"Content-Length: 2000000\r\nConnection: close\r\n"

    given = exchange(cluster, oversized + b"X-Request-ID: checkout-42.a_b\r\n\r\n")
    made_up = exchange(cluster, oversized + b"X-Request-ID: <script>\r\n\r\n")

    assert given[1]["x-request-id"] == "checkout-42.a_b"
    assert re.fullmatch(r"[0-9a-f]{32}", made_up[1]["x-request-id"])


def test_requests_nginx_cannot_read_get_json_errors(cluster: Cluster) -> None:
    huge_header = b"GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Token " + b"a" * 20000
    huge_url = b"GET /api/get_all_products?limit=" + b"1" * 20000 + b" HTTP/1.1\r\nHost: x"
    broken_chunks = LOGIN + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n"
    cases = [
        (b"GARBAGE\r\n\r\n", 400, "Bad request."),
        (broken_chunks, 400, "Bad request."),
        (huge_header + b"\r\n\r\n", 431, "Request header fields too large."),
        (huge_url + b"\r\n\r\n", 414, "Request URI too long."),
        (b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", 405, 'Method "TRACE" not allowed.'),
        (LOGIN + b"Transfer-Encoding: gzip\r\n\r\n", 501, "Not implemented."),
        (b"GET /_errors/502 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "Not found."),
    ]

    for raw, status, detail in cases:
        assert json_error(exchange(cluster, raw)) == (status, {"detail": detail})


def test_a_long_token_nginx_accepts_reaches_the_node(cluster: Cluster) -> None:
    token = "a" * 10000  # gunicorn takes header fields up to 16 KiB; so does nginx in front
    answer = requests.get(f"{cluster.url}/api/me", headers={"Authorization": f"Token {token}"})

    assert (answer.status_code, answer.json()) == (403, {"detail": "Invalid token."})


def test_the_nodes_own_errors_pass_through_unchanged(cluster: Cluster) -> None:
    wrong_method = requests.get(f"{cluster.url}/api/login_view")

    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": 'Method "GET" not allowed.'}
    assert "POST" in wrong_method.headers["Allow"]


def login_body(n: int) -> bytes:
    return json.dumps({"username": f"slow-{n}", "password": "not this one"}).encode()


@pytest.fixture
def trickling(cluster: Cluster) -> Iterator[list[socket.socket]]:
    """Clients more numerous than all the nodes' threads, each with half its body sent."""
    clients: list[socket.socket] = []
    try:
        for n in range(24):  # 2 nodes x 2 workers x 4 threads = 16
            clients.append(connect(cluster))
            length = f"Content-Length: {len(login_body(n))}\r\n".encode()
            clients[-1].sendall(LOGIN + length + b"Connection: close\r\n\r\n" + login_body(n)[:10])
        yield clients
    finally:
        for client in clients:
            client.close()


@pytest.fixture
def stalled(cluster: Cluster) -> Iterator[socket.socket]:
    """A client that sends a head and the first byte of its body, then nothing."""
    with connect(cluster) as client:
        client.sendall(LOGIN + b"Content-Length: 100\r\n\r\n{")
        yield client


def test_slow_clients_hold_no_worker_and_get_their_json_answer(
    cluster: Cluster, trickling: list[socket.socket], stalled: socket.socket
) -> None:
    for _ in range(10):  # would wait for the slow bodies if they held the nodes' threads
        started = time.monotonic()
        assert requests.get(f"{cluster.url}/api/health", timeout=30).status_code == 200
        assert time.monotonic() - started < 5  # 10 s and more without request buffering
    time.sleep(2)
    for n, client in enumerate(trickling):
        client.sendall(login_body(n)[10:])
    answers = [json_answer(read_answer(client)) for client in trickling]

    assert answers == [(403, {"detail": "user not found"})] * len(trickling)
    # The stalled client is cut off by nginx (client_body_timeout) with no answer at all.
    assert read_answer(stalled) == (0, {}, b"")


def json_answer(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, object]:
    status, headers, body = answer
    assert headers["content-type"] == "application/json"
    return status, json.loads(body)


def test_json_is_compressed_for_clients_that_ask(cluster: Cluster) -> None:
    document = f"{cluster.url}/api/openapi.json"
    plain = requests.get(document, headers={"Accept-Encoding": "identity"})
    raw = requests.get(document, headers={"Accept-Encoding": "gzip"}, stream=True).raw

    assert "Content-Encoding" not in plain.headers
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in raw.headers["Vary"]
    assert gzip.decompress(raw.read()) == plain.content
    small = requests.get(f"{cluster.url}/api/health", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers  # under 1 KiB: not worth it


def test_a_missing_asset_is_not_cached(cluster: Cluster) -> None:
    missing = requests.get(f"{cluster.url}/static/0000/missing.js")

    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert "immutable" not in missing.headers.get("Cache-Control", "")


def test_with_every_node_stopped_nginx_answers_502_json(cluster: Cluster) -> None:
    for node in cluster.nodes:
        node.stop()
    try:
        read = requests.get(f"{cluster.url}/api/get_all_products")
        write = requests.post(f"{cluster.url}/api/login_view", json={"username": "x"})
    finally:
        for node in cluster.nodes:
            node.start()
        cluster.drain()  # the reload forgets the failures nginx counted

    for answer in (read, write):
        assert answer.status_code == 502
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.headers["Retry-After"] == "5"
        assert answer.json() == {"detail": "Service temporarily unavailable."}
        assert answer.headers["X-Request-ID"]
    assert requests.get(f"{cluster.url}/api/health").status_code == 200


def test_the_node_keeps_the_request_id_nginx_passes_on(cluster: Cluster) -> None:
    given = requests.get(f"{cluster.url}/api/health", headers={"X-Request-ID": "checkout-43.c_d"})
    made_up = requests.get(f"{cluster.url}/api/health", headers={"X-Request-ID": "<script>"})

    assert given.headers["X-Request-ID"] == "checkout-43.c_d"
    new_id = made_up.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)
    node_logs = "".join(node.log.read_text() for node in cluster.nodes)
    access = [line for line in node_logs.splitlines() if "webstore.access" in line]
    assert any("checkout-43.c_d" in line and "/api/health" in line for line in access)
    assert any(new_id in line and "/api/health" in line for line in access)  # nginx's own id
