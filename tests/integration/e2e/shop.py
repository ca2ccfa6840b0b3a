"""Shortcuts for tests against a real server: a logged-in superuser, a product, raw sockets."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.integration.e2e.conftest import Server

ADMIN_PASSWORD = "root password 1"


@dataclass
class Admin:
    """A logged-in superuser: a cookie jar, and the headers an unsafe request needs."""

    api: str
    session: requests.Session
    headers: dict[str, str]

    def add_product(self, amount: int = 1000) -> int:
        body = {"name": "Red chair", "price": "19.99", "amount": amount}
        created = self.session.post(f"{self.api}/products", json=body, headers=self.headers)
        assert created.status_code == 201, created.text
        product_id: int = created.json()["id"]
        return product_id

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.api}{path}", headers=self.headers, **kwargs)


def log_in_admin(server: Server) -> Admin:
    created = server.cli(
        "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin=f"{ADMIN_PASSWORD}\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    api = f"{server.base_url}/api"
    session = requests.Session()
    login = session.post(f"{api}/login_view", json={"username": "root", "password": ADMIN_PASSWORD})
    assert login.status_code == 200, login.text
    headers = {
        "Authorization": f"Token {login.json()['access_token']}",
        "X-CSRFTOKEN": session.cookies["csrftoken"],
        "Cookie": f"csrftoken={session.cookies['csrftoken']}",
    }
    return Admin(api, session, headers)


def connect(server: Server, timeout: float = 30) -> socket.socket:
    address = urlsplit(server.base_url)
    assert address.hostname is not None and address.port is not None
    return socket.create_connection((address.hostname, address.port), timeout=timeout)


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length: status, lower-cased headers, body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines)
    }
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed mid-body")
        body += chunk
    return int(status_line.split()[1]), headers, body
