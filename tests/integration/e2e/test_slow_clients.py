"""Clients that trickle their requests cannot stop ``webstore serve`` from answering others."""

from __future__ import annotations

import contextlib
import json
import socket
from urllib.parse import urlsplit

import pytest
import requests
from benchmarks.slow_clients import probe_while_stalled

from tests.integration.e2e.conftest import Server

pytestmark = pytest.mark.slow
PASSWORD = "alice's long secret"


def port_of(server: Server) -> int:
    port = urlsplit(server.base_url).port
    assert port is not None
    return port


def test_fifty_header_tricklers_and_twenty_body_tricklers_do_not_stall_the_server(
    sqlite_server: Server,
) -> None:
    api = f"{sqlite_server.base_url}/api"
    body = {"username": "alice", "password": PASSWORD, "email": "alice@example.com"}
    requests.post(f"{api}/sign_in", json=body, timeout=10)
    login = requests.post(f"{api}/login_view", json=body, timeout=10)
    token = login.json()["access_token"]

    probes = probe_while_stalled(
        port_of(sqlite_server),
        {"/api/health": {}, "/api/get_all_products": {"Authorization": f"Token {token}"}},
        headers=50,
        bodies=20,
        seconds=5,
    )

    assert probes.asked >= 10
    assert probes.answered == probes.asked
    assert probes.median_ms < 100


def test_an_oversized_body_sent_without_waiting_for_continue_gets_the_json_413(
    sqlite_server: Server,
) -> None:
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    head = (
        b"POST /api/login_view HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port_of(sqlite_server)), timeout=10) as sock:
        sock.sendall(head)
        # All of it, at once: this client does not wait for an answer (the server may stop
        # reading once it has answered).
        with contextlib.suppress(OSError):
            sock.sendall(body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, payload = rest.partition(b"\r\n\r\n")

    assert status_line.split()[1] == b"413", answer[:200]
    assert b"content-type: application/json" in headers.lower()
    assert isinstance(json.loads(payload)["detail"], str)
