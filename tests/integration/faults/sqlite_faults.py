"""Faults injected into SQLite under writers that share a commit, and what they must not break.

Every order carries its Idempotency-Key in its address, so that what the database holds can be
matched with what each request was answered: no error answer for a stored order, no 2xx for a
missing one, no key stored twice.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from tests.integration.e2e.running import Customer, Running

THREADS = 16  # writers at once: enough for groups to form in every process
REFUSED = "refused"  # in an order's address: the trigger below rolls its transaction back
PHONE = "+1 555 0100"


def address_of(key: str, *, refused: bool = False) -> str:
    return f"1 Main Street, door {key}{' ' + REFUSED if refused else ''}"


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_of(address: str) -> str:
    return address.removeprefix("1 Main Street, door ").removesuffix(f" {REFUSED}")


def orders_by_key(database: Path) -> Counter[str]:
    """How many orders the database holds for each key, read as another process would."""
    with closing(sqlite3.connect(database)) as db:
        return Counter(key_of(address) for (address,) in db.execute("SELECT address FROM orders"))


def reconcile(answers: Mapping[str, bool | None], database: Path) -> None:
    """Each key's last answer (``True`` a 2xx, ``False`` an error) against the database; a key
    answered ``None`` (no answer at all) may be stored or not, but at most once."""
    stored = orders_by_key(database)
    assert {key: count for key, count in stored.items() if count > 1} == {}, "stored twice"
    assert set(stored) <= set(answers), "orders nobody asked for"
    error_but_stored = sorted(key for key, ok in answers.items() if ok is False and stored[key])
    ok_but_missing = sorted(key for key, ok in answers.items() if ok and not stored[key])
    assert error_but_stored == [], f"{len(error_but_stored)} error answers for stored orders"
    assert ok_but_missing == [], f"{len(ok_but_missing)} orders answered 2xx and missing"


def assert_stock_whole(database: Path, product_id: int, stocked: int) -> None:
    """What is left in stock and what was ordered add up to what was put in."""
    with closing(sqlite3.connect(database)) as db:
        (left,) = db.execute("SELECT amount FROM products WHERE id = ?", (product_id,)).fetchone()
        (ordered,) = db.execute(
            "SELECT coalesce(sum(amount), 0) FROM order_lines WHERE product_id = ?", (product_id,)
        ).fetchone()
        (lineless,) = db.execute(
            "SELECT count(*) FROM orders o"
            " WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
        ).fetchone()
    assert (left + ordered, lineless) == (stocked, 0)


def refuse_marked_orders(database: Path) -> None:
    """A trigger that rolls back the whole transaction of any order whose address is marked."""
    with closing(sqlite3.connect(database)) as db:
        db.execute(
            "CREATE TRIGGER refuse_marked_orders BEFORE INSERT ON orders"
            f" WHEN NEW.address LIKE '%{REFUSED}'"
            " BEGIN SELECT RAISE(ROLLBACK, 'injected'); END"
        )


def in_threads(count: int, work: Callable[[int], None], timeout: float = 120) -> None:
    """``work(0)`` … ``work(count - 1)``, each in a thread of its own; fail on a hang or an
    exception (outcomes are for ``work`` to note)."""
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            work(index)
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    if errors:
        raise errors[0]


@dataclass
class Outcomes:
    """What each key was answered (thread-safe)."""

    answers: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, key: str, answer: Any) -> None:
        with self._lock:
            self.answers[key] = answer


class PageLimit:
    """``PRAGMA max_page_count`` on every connection of an engine: SQLITE_FULL past it.

    The limit belongs to each connection, so it is set as each one connects, and the pool's
    idle connections are closed whenever it changes.
    """

    def __init__(self, engine: sa.Engine, database: Path) -> None:
        self._engine = engine
        self._database = database
        self.pages = 1_000_000
        sa.event.listen(engine, "connect", self._on_connect)

    def _on_connect(self, driver: sqlite3.Connection, record: object) -> None:
        driver.execute(f"PRAGMA max_page_count = {self.pages}")

    def room_for(self, pages: int) -> None:
        """Full once the database has grown by ``pages`` pages from now."""
        with closing(sqlite3.connect(self._database)) as db:
            (now,) = db.execute("PRAGMA page_count").fetchone()
        self.pages = now + pages
        self._engine.dispose()

    def lift(self) -> None:
        """Room again, as when the operator has freed the disk."""
        self.pages = 1_000_000
        self._engine.dispose()

    def remove(self) -> None:
        sa.event.remove(self._engine, "connect", self._on_connect)


@contextmanager
def page_limit(engine: sa.Engine, database: Path) -> Iterator[PageLimit]:
    limit = PageLimit(engine, database)
    try:
        yield limit
    finally:
        limit.remove()


@dataclass(frozen=True)
class HttpAnswer:
    status: int | None  # None: no HTTP answer at all
    retry_after: str | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool | None:
        return None if self.status is None else 200 <= self.status < 300


def post_order(
    shop: Running, buyer: Customer, key: str, product_id: int, *, refused: bool = False
) -> HttpAnswer:
    body = {
        "address": address_of(key, refused=refused),
        "phone": PHONE,
        "items": [{"product_id": product_id, "amount": 1}],
    }
    try:
        answer = buyer.session.post(
            f"{shop.api}/post_order",
            json=body,
            headers={**buyer.headers, "Idempotency-Key": key},
            timeout=60,
        )
    # No whole answer: none at all, or one cut short (a worker killed between its head and
    # its body).
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
        return HttpAnswer(None)
    if answer.status_code >= 400:
        assert answer.headers["Content-Type"].startswith("application/json"), answer.text
    return HttpAnswer(
        answer.status_code,
        answer.headers.get("Retry-After"),
        answer.headers.get("Idempotent-Replayed") == "true",
    )
