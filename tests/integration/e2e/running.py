"""A ``webstore serve`` process the test can signal, with its log, and a shop filled over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from tests.integration.e2e.conftest import (
    WEBSTORE,
    Server,
    free_port,
    server_environment,
    wait_until_healthy,
)
from webstore.adapters.sql.engine import create_engine

ADMIN_PASSWORD = "root password 1"
PASSWORD = "customer password"


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    server: Server
    log: Path

    @property
    def api(self) -> str:
        return f"{self.server.base_url}/api"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        """Every line of the log, each parsed as one JSON object (fails on any other line)."""
        return [json.loads(line) for line in self.log_text().splitlines() if line.strip()]


@contextmanager
def running(database_url: str, log: Path, *, workers: int = 2, **env: str) -> Iterator[Running]:
    port = free_port()
    environment = {**server_environment(database_url), **env}
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(WEBSTORE), *args], env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield Running(process, Server(base_url, environment), log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Customer:
    session: requests.Session
    headers: dict[str, str] = field(default_factory=dict)
    user_id: int = 0


def admin(shop: Running) -> Customer:
    created = shop.server.cli(
        "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin=f"{ADMIN_PASSWORD}\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    return log_in(shop, "root", ADMIN_PASSWORD)


def log_in(shop: Running, username: str, password: str) -> Customer:
    session = requests.Session()
    login = session.post(
        f"{shop.api}/login_view", json={"username": username, "password": password}
    )
    assert login.status_code == 200, login.text
    headers = {
        "Authorization": f"Token {login.json()['access_token']}",
        "X-CSRFTOKEN": session.cookies["csrftoken"],
    }
    return Customer(session, headers, login.json()["user"]["id"])


def customer(shop: Running, username: str) -> Customer:
    body = {"username": username, "password": PASSWORD, "email": f"{username}@example.com"}
    assert requests.post(f"{shop.api}/sign_in", json=body).status_code == 200
    return log_in(shop, username, PASSWORD)


def add_product(shop: Running, by: Customer, name: str, amount: int) -> int:
    body = {"name": name, "price": "2.50", "amount": amount}
    made = by.session.post(f"{shop.api}/products", json=body, headers=by.headers)
    assert made.status_code == 201, made.text
    product_id: int = made.json()["id"]
    return product_id


def order_body(product_id: int, amount: int) -> dict[str, Any]:
    return {
        "address": "1 Main St",
        "phone": "+1 555 0100",
        "items": [{"product_id": product_id, "amount": amount}],
    }


STOCK = 100_000
CLIENTS = 12
LOAD_SECONDS = 90


@dataclass
class Outcome:
    status: int | None  # None: no HTTP answer at all
    finished: float
    order_id: int | None = None
    error: str = ""


def load(
    shop: Running, buyers: list[Customer], product_id: int, stop: threading.Event
) -> tuple[list[threading.Thread], list[Outcome]]:
    """Each buyer places orders of 1 unit in a loop, until ``stop`` or the server is gone."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def buy(buyer: Customer) -> None:
        deadline = time.monotonic() + LOAD_SECONDS  # a bounded load, whatever happens
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                answer = buyer.session.post(
                    f"{shop.api}/post_order", json=order_body(product_id, 1),
                    headers=buyer.headers, timeout=30,
                )  # fmt: skip
            except requests.ConnectionError as error:
                with lock:
                    outcomes.append(Outcome(None, time.monotonic(), error=repr(error)))
                if shop.process.poll() is not None or stop.is_set():
                    return
                time.sleep(0.01)  # refused: the server is stopping
                continue
            placed = answer.json()["id"] if answer.status_code == 201 else None
            with lock:
                outcomes.append(Outcome(answer.status_code, time.monotonic(), placed))

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers for _ in range(2)]
    for thread in threads:
        thread.start()
    return threads, outcomes


def shop_with_buyers(shop: Running) -> tuple[int, list[Customer]]:
    product_id = add_product(shop, admin(shop), "Red chair", STOCK)
    return product_id, [customer(shop, f"buyer{i}") for i in range(CLIENTS // 2)]


def stored_orders(database: Path | str, product_id: int) -> tuple[set[int], int, int]:
    """Order ids, units in their lines, and the product's stock: an SQLite file or a URL."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as db:
            ids = set(db.scalars(sa.text("SELECT id FROM orders")))
            units = db.scalar(sa.text("SELECT coalesce(sum(amount), 0) FROM order_lines"))
            stock = db.scalar(
                sa.text("SELECT amount FROM products WHERE id = :id"), {"id": product_id}
            )
            lineless = db.scalar(
                sa.text(
                    "SELECT count(*) FROM orders o WHERE NOT EXISTS "
                    "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
                )
            )
    finally:
        engine.dispose()
    assert lineless == 0
    return ids, int(units or 0), int(stock)


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
