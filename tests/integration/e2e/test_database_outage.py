"""A database outage answers 503 with Retry-After, is logged once, and heals by itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.integration.e2e.conftest import Server, serve
from tests.integration.e2e.proxy import Proxy
from tests.integration.e2e.shop import Admin, log_in_admin

pytestmark = [pytest.mark.slow, pytest.mark.alone]
UNAVAILABLE = {"detail": "Service temporarily unavailable."}


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[Proxy]:
    address = urlsplit(postgres_url)
    running = Proxy((address.hostname or "127.0.0.1", address.port or 5432))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


@pytest.fixture
def proxied_server(postgres_url: str, proxy: Proxy, server_log: Path) -> Iterator[Server]:
    address = urlsplit(postgres_url)
    netloc = address.netloc.replace(f":{address.port}", "") + f":{proxy.port}"
    url = urlunsplit(address._replace(netloc=netloc))
    # No mail sender: it is a process of its own, which logs the outage it meets once too.
    yield from serve(url, server_log, workers=1, mail_url="")


def _answers(admin: Admin) -> list[tuple[int, object, str | None]]:
    api = admin.api
    responses = [
        admin.session.get(f"{api}/get_all_products", headers=admin.headers),
        admin.session.get(f"{api}/get_order", headers=admin.headers),
        admin.post("/products", json={"name": "Stool", "price": "5.00", "amount": 1}),
        requests.post(f"{api}/login_view", json={"username": "root", "password": "wrong"}),
    ]
    return [(r.status_code, r.json(), r.headers.get("Retry-After")) for r in responses]


def test_postgresql_going_away_answers_503_and_coming_back_heals(
    proxied_server: Server, proxy: Proxy, server_log: Path
) -> None:
    admin = log_in_admin(proxied_server)
    assert admin.session.get(f"{admin.api}/get_order", headers=admin.headers).status_code == 200

    proxy.stop()
    for _ in range(5):
        assert _answers(admin) == [(503, UNAVAILABLE, "5")] * 4
    health = requests.get(f"{admin.api}/health")
    assert (health.status_code, health.json()) == (503, {"status": "unavailable"})
    assert health.headers["Retry-After"] == "5"

    proxy.start()
    deadline = time.monotonic() + 10
    while requests.get(f"{admin.api}/health").status_code != 200:
        assert time.monotonic() < deadline, "the server did not recover"
        time.sleep(0.2)
    products = admin.session.get(f"{admin.api}/get_all_products", headers=admin.headers)
    assert products.status_code == 200

    log = server_log.read_text()
    assert log.count("database unavailable") == 1, log
    assert log.count("database available again") == 1, log
    assert "Traceback" not in log, log
