"""PostgreSQL that hangs or drops connections under a real ``webstore serve``.

Every order carries its Idempotency-Key in its address, so that what the database holds can be
matched with every answer a client was given: no error answer for a stored order unless it is
the "cannot know" 503 that a retry resolves, no 2xx for a missing one, no key stored twice.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
import sqlalchemy as sa

from tests.integration.e2e.proxy import Proxy
from tests.integration.e2e.running import Customer, Running
from webstore.adapters.sql.engine import create_engine

DOOR = "1 Main Street, door "
PHONE = "+1 555 0100"
UNAVAILABLE = {"detail": "Service temporarily unavailable."}


def tagged(url: str, application_name: str) -> str:
    """``url`` whose connections carry ``application_name``: the backends a test may kill.

    Other suites share the PostgreSQL server; only this server's backends are ever touched.
    """
    return f"{url}{'&' if '?' in url else '?'}application_name={application_name}"


def through(url: str, proxy: Proxy) -> str:
    """``url`` with its host and port replaced by the proxy's."""
    address = urlsplit(url)
    credentials = address.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return urlunsplit(address._replace(netloc=netloc))


def proxy_to(url: str) -> Proxy:
    address = urlsplit(url)
    proxy = Proxy((address.hostname or "127.0.0.1", address.port or 5432))
    proxy.start()
    return proxy


class CommitCutter(Proxy):
    """A proxy that, once armed, cuts the link that carries the next COMMIT.

    ``after=True``: the COMMIT reaches PostgreSQL, which commits, and its answer is lost;
    ``after=False``: the COMMIT is lost with the link, and the transaction rolls back.

    A COMMIT travels in one of two messages: psycopg's own commit sends it as a simple query;
    a writer that sends its last writes together sends it at the end of their pipeline (the
    extended protocol's ``Parse`` of an unnamed statement), in the same write to the socket
    as the writes before it, which are then cut (or carried) with it.
    """

    COMMITS = (
        b"Q\x00\x00\x00\x0bCOMMIT\x00",  # a simple query message
        b"P\x00\x00\x00\x0e\x00COMMIT\x00\x00\x00",  # Parse: no name, the words, no parameters
    )

    def __init__(self, target: tuple[str, int]) -> None:
        super().__init__(target)
        self._armed: bool | None = None
        self._muted: set[socket.socket] = set()
        self.cut = threading.Event()

    def arm(self, *, after: bool) -> None:
        self.cut.clear()
        self._armed = after

    def forward(
        self, data: bytes, source: socket.socket, sink: socket.socket, upstream: bool
    ) -> None:
        if sink in self._muted:
            return  # the answer to a COMMIT whose link was cut
        after, cutting = self._armed, upstream and any(c in data for c in self.COMMITS)
        if not cutting or after is None:
            super().forward(data, source, sink, upstream)
            return
        self._armed = None
        self._muted.add(source)
        if after:
            super().forward(data, source, sink, upstream)
        for sock in (source, sink):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.cut.set()


@dataclass(frozen=True)
class Attempt:
    """One request for the order of ``key`` and what it was answered (status ``None``: none)."""

    key: str
    status: int | None
    retry_after: str | None = None
    order_id: int | None = None
    replayed: bool = False
    seconds: float = 0.0
    body: object = None

    @property
    def cannot_know(self) -> bool:
        return self.status == 503 and self.retry_after is not None and self.body == UNAVAILABLE


def order_body(product_id: int, key: str) -> dict[str, object]:
    return {
        "address": f"{DOOR}{key}",
        "phone": PHONE,
        "items": [{"product_id": product_id, "amount": 1}],
    }


def place(
    shop: Running, buyer: Customer, product_id: int, key: str, timeout: float = 30
) -> Attempt:
    """``POST /api/post_order`` of one unit with Idempotency-Key ``key``."""
    started = time.monotonic()
    try:
        answer = buyer.session.post(
            f"{shop.api}/post_order",
            json=order_body(product_id, key),
            headers={**buyer.headers, "Idempotency-Key": key},
            timeout=timeout,
        )
    except requests.RequestException:
        return Attempt(key, None, seconds=time.monotonic() - started)
    body = answer.json()
    return Attempt(
        key,
        answer.status_code,
        answer.headers.get("Retry-After"),
        body["id"] if answer.status_code == 201 else None,
        answer.headers.get("Idempotent-Replayed") == "true",
        time.monotonic() - started,
        body,
    )


def place_until_answered(
    shop: Running, buyer: Customer, product_id: int, key: str, attempts: list[Attempt]
) -> None:
    """Send the order of ``key`` again, with the same key, until it is answered 201."""
    for _ in range(60):
        attempt = place(shop, buyer, product_id, key)
        attempts.append(attempt)
        if attempt.status == 201:
            return
        time.sleep(0.05)


@dataclass(frozen=True)
class Stored:
    """What the database holds: each key's orders, units ordered, and the product's stock."""

    orders: dict[str, list[int]]
    units: int
    stock: int
    idempotency_records: int


def stored(url: str, product_id: int) -> Stored:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as db:
            orders: dict[str, list[int]] = defaultdict(list)
            for order_id, address in db.execute(sa.text("SELECT id, address FROM orders")):
                orders[address.removeprefix(DOOR)].append(order_id)
            units = db.scalar(sa.text("SELECT coalesce(sum(amount), 0) FROM order_lines"))
            stock = db.scalar(
                sa.text("SELECT amount FROM products WHERE id = :id"), {"id": product_id}
            )
            records = db.scalar(sa.text("SELECT count(*) FROM idempotency_keys"))
    finally:
        engine.dispose()
    return Stored(dict(orders), int(units), int(stock), int(records))


def reconcile(attempts: Iterable[Attempt], held: Stored, stocked: int) -> None:
    """Every answer against the database, key by key (each key's attempts in order)."""
    by_key: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_key[attempt.key].append(attempt)
    assert {k: ids for k, ids in held.orders.items() if len(ids) > 1} == {}, "stored twice"
    assert set(held.orders) <= set(by_key), "orders nobody asked for"
    for key, tries in by_key.items():
        ids = held.orders.get(key, [])
        placed = [t for t in tries if t.status == 201]
        assert all(t.order_id in ids for t in placed), f"{key}: answered 201, not stored"
        # Stored by an attempt that was answered an error: each such answer must have said
        # that the server cannot know, and a retry must have told the truth.
        first_ok = next((i for i, t in enumerate(tries) if t.status == 201), len(tries))
        stored_by_an_error = bool(ids) and (first_ok == len(tries) or tries[first_ok].replayed)
        if stored_by_an_error:
            errors = tries[:first_ok]
            assert all(t.cannot_know for t in errors), f"{key}: {errors} for a stored order"
            assert placed, f"{key}: stored, and no retry said so"
    assert held.units == sum(len(ids) for ids in held.orders.values())
    assert held.idempotency_records == len(held.orders)
    assert held.stock + held.units == stocked
