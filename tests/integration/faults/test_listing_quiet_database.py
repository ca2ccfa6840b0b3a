"""A worker that keeps its SQLite read connection reuses what it read while nothing committed.

The fast listings read a login session and a page's state; while ``PRAGMA data_version`` of the
kept connection stays, no connection of any process committed, and the rows read before are
reused (``runtime/reuse.py``). Here other processes and this one's own writers commit between
listings: each listing must tell exactly what the database holds, and a session's expiry,
which needs no write, must still end it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.conftest import fast_settings
from tests.fakes import FakeClock
from webstore import Webstore, bootstrap
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.concurrency import Concurrency
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app

PASSWORD = "correct horse battery staple"
SESSION_LIFETIME = 120  # seconds: shorter than an access token's, to see the session end first


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "webstore.db"


@pytest.fixture
def settings(database: Path) -> Settings:
    return fast_settings(f"sqlite:///{database}", refresh_token_ttl=SESSION_LIFETIME)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(settings: Settings, clock: FakeClock) -> Iterator[Webstore]:
    # Cooperative, as a ``webstore serve`` worker: it keeps one read connection.
    built = bootstrap(settings, clock=clock, migrate=True, concurrency=Concurrency.COOPERATIVE)
    root = built.create_superuser("root", "root@example.com", PASSWORD)
    built.register_user("alice", "alice@example.com", PASSWORD)
    for name, amount in (("Chair", 5), ("Table", 3)):
        built.add_product(root, {"name": name, "price": "10", "amount": amount})
    yield built
    built.uow.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def sent(store: Webstore) -> list[str]:
    """Every statement SQLite runs on the store's connections (traced by the driver itself:
    a cursor listener would make the reads go through SQLAlchemy instead)."""
    assert isinstance(store.uow, SqlAlchemyUnitOfWorkFactory)
    traced: list[str] = []

    def trace(connection: sqlite3.Connection, record: object) -> None:
        connection.set_trace_callback(traced.append)

    sa.event.listen(store.uow.engine, "connect", trace)
    store.uow.dispose()  # connections made from now on are traced
    return traced


@pytest.fixture
def client(settings: Settings, store: Webstore) -> FlaskClient:
    return create_app(settings, store).test_client()


def token(store: Webstore) -> dict[str, str]:
    return {"Authorization": f"Token {store.log_in('alice', PASSWORD).access_token}"}


def in_another_process(database: Path, sql: str) -> None:
    script = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
    )
    subprocess.run([sys.executable, "-c", script, str(database), sql], check=True, timeout=30)


def stock(client: FlaskClient, headers: dict[str, str]) -> list[int]:
    response = client.get("/api/get_all_products", headers=headers)
    assert response.status_code == 200, response.json
    return [product["amount"] for product in response.json]


def test_a_quiet_database_is_not_read_again(
    store: Webstore, client: FlaskClient, sent: list[str]
) -> None:
    alice = token(store)
    first = client.get("/api/get_all_products", headers=alice)  # encoded, then kept
    client.get("/api/get_all_products", headers=alice)  # read again on the connection kept
    sent.clear()
    again = client.get("/api/get_all_products", headers=alice)
    assert again.status_code == 200 and again.data == first.data
    assert [s for s in sent if s.lstrip().upper().startswith("SELECT")] == []
    assert "PRAGMA data_version" in sent


def test_what_another_process_commits_is_in_the_next_listing(
    store: Webstore, client: FlaskClient, database: Path
) -> None:
    alice = token(store)
    assert stock(client, alice) == [5, 3]
    assert stock(client, alice) == [5, 3]  # read from what was kept
    in_another_process(database, "UPDATE products SET amount = 42 WHERE name = 'Chair'")
    assert stock(client, alice) == [42, 3]
    in_another_process(database, "UPDATE products SET is_active = 0 WHERE name = 'Table'")
    assert stock(client, alice) == [42]
    in_another_process(database, "UPDATE login_sessions SET revoked_at = '2000-01-01 00:00:00'")
    refused = client.get("/api/get_all_products", headers=alice)
    assert refused.status_code == 403  # what a dead session hears


def test_what_this_process_commits_is_in_the_next_listing(
    store: Webstore, client: FlaskClient
) -> None:
    """Its writers commit on connections of their own, which move the kept one's number."""
    login = store.log_in("alice", PASSWORD)
    alice = {"Authorization": f"Token {login.access_token}"}
    assert stock(client, alice) == [5, 3]
    assert stock(client, alice) == [5, 3]
    placed = store.place_order(
        login.user, "1 Main Street", "+1 555 0100", [{"product_id": 1, "amount": 2}]
    )
    assert stock(client, alice) == [3, 3]
    listed = client.get("/api/get_order", headers=alice)
    assert [o["id"] for o in listed.json] == [placed.id]
    assert [o["id"] for o in client.get("/api/get_order", headers=alice).json] == [placed.id]
    again = store.place_order(
        login.user, "1 Main Street", "+1 555 0100", [{"product_id": 2, "amount": 1}]
    )
    assert stock(client, alice) == [3, 2]
    listed = client.get("/api/get_order", headers=alice)
    assert [o["id"] for o in listed.json] == [again.id, placed.id]


def test_a_session_ends_when_it_expires_though_nothing_was_written(
    store: Webstore, client: FlaskClient, clock: FakeClock, sent: list[str]
) -> None:
    alice = token(store)
    assert stock(client, alice) == [5, 3]
    clock.advance(SESSION_LIFETIME - 1)
    assert stock(client, alice) == [5, 3]
    clock.advance(2)
    sent.clear()
    assert client.get("/api/get_all_products", headers=alice).status_code == 403
    assert client.get("/api/get_order", headers=alice).status_code == 403
