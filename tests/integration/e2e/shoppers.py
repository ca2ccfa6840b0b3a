"""Customers and loads for the tests of several nodes behind nginx."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from deploy.cluster import Cluster
from tests.conftest import fast_settings
from webstore import Webstore, bootstrap
from webstore.application.dto import Principal

PASSWORD = "a long enough password"
ADDRESS = {"address": "1 Main St", "phone": "+1 555 0100"}


@dataclass(frozen=True)
class Customer:
    """A logged-in customer's credentials, as a browser would send them."""

    access_token: str
    refresh_token: str
    csrf_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Token {self.access_token}",
            "X-CSRFTOKEN": self.csrf_token,
            "Cookie": f"csrftoken={self.csrf_token}; refreshtoken={self.refresh_token}",
        }


@contextmanager
def store_of(cluster: Cluster) -> Iterator[Webstore]:
    """The cluster's database through the Python API, with the nodes' key: quick set-ups."""
    store = bootstrap(fast_settings(cluster.env["WEBSTORE_DATABASE_URL"]))
    try:
        yield store
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]


def stock_product(store: Webstore, name: str, amount: int) -> tuple[Principal, int]:
    """A superuser (new, named after the product) and a product with ``amount`` in stock."""
    handle = "admin-" + name.lower().replace(" ", "-")
    admin = store.create_superuser(handle, f"{handle}@example.com", PASSWORD)
    product = store.add_product(admin, {"name": name, "price": "1.00", "amount": amount})
    return admin, product.id


def customers(store: Webstore, prefix: str, count: int) -> list[Customer]:
    found = []
    for n in range(count):
        store.register_user(f"{prefix}-{n}", f"{prefix}-{n}@example.com", PASSWORD)
        login = store.log_in(f"{prefix}-{n}", PASSWORD)
        found.append(Customer(login.access_token, login.refresh_token, login.csrf_token))
    return found


def order(base_url: str, customer: Customer, product_id: int, **headers: str) -> requests.Response:
    body = {**ADDRESS, "items": [{"product_id": product_id, "amount": 1}]}
    return requests.post(
        f"{base_url}/api/post_order",
        json=body,
        headers={**customer.headers, **headers},
        timeout=60,
    )


def stock_of(base_url: str, customer: Customer, product_id: int) -> int:
    answer = requests.get(f"{base_url}/api/products/{product_id}", headers=customer.headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["amount"])


def post_from(source: str, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """POST JSON from the loopback address ``source``: another client, as nginx sees it."""
    target = urlsplit(url)
    connection = http.client.HTTPConnection(
        target.hostname or "", target.port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST", target.path, json.dumps(body), {"Content-Type": "application/json", **headers}
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


@dataclass(eq=False)  # one outcome is one request, however alike two are
class Outcome:
    started: float
    finished: float
    status: int
    body: Any


@dataclass
class Load:
    """Threads repeating requests until stopped, every outcome kept with its times."""

    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def add(self, kind: str, send: Callable[[], requests.Response], threads: int = 1) -> None:
        results = self.outcomes.setdefault(kind, [])
        for _ in range(threads):
            thread = threading.Thread(target=self._repeat, args=(send, results), daemon=True)
            self._threads.append(thread)

    def _repeat(self, send: Callable[[], requests.Response], results: list[Outcome]) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                answer = send()
            except requests.RequestException as broken:  # status 0: no whole answer
                results.append(Outcome(started, time.monotonic(), 0, repr(broken)))
                continue
            body = answer.json() if answer.content else None
            results.append(Outcome(started, time.monotonic(), answer.status_code, body))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
