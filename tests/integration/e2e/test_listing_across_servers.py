"""Two ``webstore serve`` on one database: a write answered by one is seen at once by the other,
whichever worker of either answers: a customer reads their own writes everywhere."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.e2e.conftest import Server, Stopping, serve

pytestmark = pytest.mark.slow
PASSWORD = "a long enough secret"
READS = 6  # enough for every worker of the reading server to answer at least once, mostly


@pytest.fixture(params=["sqlite", "postgres"])
def two_servers(
    request: pytest.FixtureRequest, tmp_path: Path, stopping: Stopping
) -> Iterator[tuple[Server, Server]]:
    url: str = request.getfixturevalue(f"{request.param}_url")
    started = contextlib.contextmanager(serve)
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(started(url, tmp_path / "a.log", stopping=stopping))
        second = stack.enter_context(started(url, tmp_path / "b.log", stopping=stopping))
        yield first, second


class Browser:
    def __init__(self, server: Server, username: str) -> None:
        self.session = requests.Session()
        self.api = f"{server.base_url}/api"
        login = self.session.post(
            f"{self.api}/login_view", json={"username": username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        self.auth = {
            "Authorization": f"Token {login.json()['access_token']}",
            "X-CSRFTOKEN": self.session.cookies["csrftoken"],
        }

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.session.request(method, f"{self.api}{path}", json=body, headers=self.auth)
        assert answer.status_code == status, answer.text
        return answer.json()


def listings(browser: Browser) -> list[list[tuple[str, int]]]:
    """The listing as several consecutive requests (reaching several workers) saw it."""
    return [
        [(p["name"], p["amount"]) for p in browser.call("GET", "/get_all_products")]
        for _ in range(READS)
    ]


def order_listings(browser: Browser) -> list[list[tuple[int, str]]]:
    return [
        [(o["id"], o["status"]) for o in browser.call("GET", "/get_order")] for _ in range(READS)
    ]


def test_changes_through_one_server_show_at_once_through_the_other(
    two_servers: tuple[Server, Server], tmp_path: Path
) -> None:
    writer_server, reader_server = two_servers
    created = writer_server.cli(
        "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    body = {"username": "alice", "password": PASSWORD, "email": "alice@example.com"}
    requests.post(f"{writer_server.base_url}/api/sign_in", json=body, timeout=10)
    admin, alice = Browser(writer_server, "root"), Browser(writer_server, "alice")
    reader = Browser(reader_server, "alice")
    chair = admin.call(
        "POST", "/products", {"name": "Chair", "price": "19.99", "amount": 5}, status=201
    )
    assert listings(reader) == [[("Chair", 5)]] * READS

    line = {"product_id": chair["id"], "amount": 2}
    order = alice.call(
        "POST",
        "/post_order",
        {"address": "1 Oak Road", "phone": "+1 555 0100", "items": [line]},
        status=201,
    )
    assert listings(reader) == [[("Chair", 3)]] * READS
    assert order_listings(reader) == [[(order["id"], "pending")]] * READS

    alice.call("POST", f"/orders/{order['id']}/cancel")
    assert listings(reader) == [[("Chair", 5)]] * READS
    assert order_listings(reader) == [[(order["id"], "cancelled")]] * READS

    admin.call("PATCH", f"/products/{chair['id']}", {"name": "Stool"})
    assert listings(reader) == [[("Stool", 5)]] * READS

    lamp = tmp_path / "lamp.csv"
    lamp.write_text("name,description,price,amount\nLamp,,9.99,7\n")
    imported = writer_server.cli("products", "import", str(lamp))
    assert imported.returncode == 0, imported.stderr
    assert listings(reader) == [[("Stool", 5), ("Lamp", 7)]] * READS

    deleted = admin.session.delete(f"{admin.api}/products/{chair['id']}", headers=admin.auth)
    assert deleted.status_code == 204
    assert listings(reader) == [[("Lamp", 7)]] * READS


BUYERS = 4
ROUNDS = 12


def test_a_customer_sees_their_order_and_its_stock_in_the_very_next_listing_anywhere(
    two_servers: tuple[Server, Server],
) -> None:
    first, second = two_servers
    created = first.cli(
        "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    admin = Browser(first, "root")
    # Each buyer's own product (nobody else buys it), so its stock is known exactly; all of
    # them order at once, so every worker's kept listings keep changing under them.
    own = {}
    for n in range(BUYERS):
        body = {"username": f"buyer{n}", "password": PASSWORD, "email": f"b{n}@example.com"}
        assert requests.post(f"{first.base_url}/api/sign_in", json=body, timeout=10).ok
        made = {"name": f"Chair {n}", "price": "1.00", "amount": 1000}
        own[n] = admin.call("POST", "/products", made, status=201)["id"]
    clients = [(Browser(first, f"buyer{n}"), Browser(second, f"buyer{n}")) for n in range(BUYERS)]
    for pair in clients:
        for browser in pair:  # a new connection for every request: any worker may answer
            browser.auth["Connection"] = "close"
    stale: list[str] = []

    def shop(n: int) -> None:
        placed: list[int] = []
        for round_ in range(ROUNDS):
            writer, reader = clients[n] if round_ % 2 == 0 else clients[n][::-1]
            line = {"product_id": own[n], "amount": 1}
            body = {"address": "1 Oak Road", "phone": "+1 555 0100", "items": [line]}
            placed.insert(0, writer.call("POST", "/post_order", body, status=201)["id"])
            stock = {p["id"]: p["amount"] for p in reader.call("GET", "/get_all_products")}
            mine = [o["id"] for o in reader.call("GET", "/get_order")]
            if stock[own[n]] != 1000 - len(placed) or mine != placed:
                stale.append(f"buyer{n} round {round_}: {stock[own[n]]}, {mine[:2]}")

    with ThreadPoolExecutor(BUYERS) as pool:
        list(pool.map(shop, range(BUYERS)))

    assert stale == []
