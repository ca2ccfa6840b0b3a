"""Over HTTP, a request's reads share one transaction: one connection for a cached listing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, SteppingClock
from tests.integration.persistence.helpers import POSTGRES
from webstore import Webstore, bootstrap
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.config import Settings


@pytest.fixture(params=["sqlite", POSTGRES])
def settings(request: pytest.FixtureRequest) -> Settings:
    return fast_settings(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def store(settings: Settings, clock: SteppingClock) -> Iterator[Webstore]:
    store = bootstrap(settings, clock=clock, migrate=True)
    yield store
    assert isinstance(store.uow, SqlAlchemyUnitOfWorkFactory)
    store.uow.dispose()  # before the test's schema is dropped


@pytest.fixture
def checkouts(store: Webstore) -> Iterator[list[object]]:
    assert isinstance(store.uow, SqlAlchemyUnitOfWorkFactory)
    pool = store.uow.engine.pool
    seen: list[object] = []

    def record(*args: object) -> None:
        seen.append(args[0])

    sa.event.listen(pool, "checkout", record)
    yield seen
    sa.event.remove(pool, "checkout", record)


def test_a_listing_authenticates_and_lists_on_one_connection(
    store: Webstore, make_shopper: Callable[..., Shopper], checkouts: list[object]
) -> None:
    admin = make_shopper("margaret", superuser=True, store=store)
    assert (
        admin.post("/api/products", json={"name": "Chair", "price": "5", "amount": 3}).status_code
        == 201
    )
    alice = make_shopper("alice")
    for path in ("/api/get_all_products", "/api/get_all_products", "/api/get_order"):
        checkouts.clear()
        response = alice.get(path)
        assert response.status_code == 200
        assert len(checkouts) == 1, path
    assert store.uow.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_an_order_is_listed_by_the_next_request_and_stock_follows(
    store: Webstore, make_shopper: Callable[..., Shopper]
) -> None:
    admin = make_shopper("margaret", superuser=True, store=store)
    created = admin.post("/api/products", json={"name": "Chair", "price": "5", "amount": 3})
    product_id = created.json["id"]
    alice = make_shopper("alice")
    assert alice.get("/api/get_all_products").json[0]["amount"] == 3
    order = {"address": "1 Main Street", "phone": "+1 555 0100"}
    placed = alice.post(
        "/api/post_order", json={**order, "items": [{"product_id": product_id, "amount": 2}]}
    )
    assert placed.status_code == 201, placed.json
    assert alice.get("/api/get_all_products").json[0]["amount"] == 1
    assert [o["id"] for o in alice.get("/api/get_order").json] == [placed.json["id"]]


@pytest.fixture
def statements(store: Webstore) -> Iterator[list[str]]:
    assert isinstance(store.uow, SqlAlchemyUnitOfWorkFactory)
    engine = store.uow.engine
    sent: list[str] = []

    def record(*args: object) -> None:
        sent.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(engine, "before_cursor_execute", record)


def _a_buyer_with_an_order(
    store: Webstore, make_shopper: Callable[..., Shopper], *, stock: int
) -> tuple[Shopper, dict[str, object]]:
    """Alice, who has ordered one of the ``stock`` chairs a superuser added; her order's body."""
    admin = make_shopper("margaret", superuser=True, store=store)
    created = admin.post("/api/products", json={"name": "Chair", "price": "5", "amount": stock})
    alice = make_shopper("alice")
    items = [{"product_id": created.json["id"], "amount": 1}]
    order = {"address": "1 Main Street", "phone": "+1 555 0100", "items": items}
    assert alice.post("/api/post_order", json=order).status_code == 201
    return alice, order


def test_a_kept_listing_is_one_round_trip_on_postgresql(
    store: Webstore, make_shopper: Callable[..., Shopper], statements: list[str]
) -> None:
    """The login session is looked up in the very statement that reads the page's state; an
    owner's orders take two: the session, then its recheck with their version."""
    alice, _ = _a_buyer_with_an_order(store, make_shopper, stock=3)
    for path, expected in (("/api/get_all_products", 1), ("/api/get_order", 2)):
        first = alice.get(path)
        statements.clear()
        again = alice.get(path)
        assert again.status_code == 200 and again.data == first.data
        if store.uow.engine.dialect.name == "postgresql":  # type: ignore[attr-defined]
            sent = [s for s in statements if not s.startswith(("BEGIN", "ROLLBACK"))]
            assert len(statements) == expected, (path, statements)
            assert len(sent) == expected


def test_a_checkout_reads_the_login_session_once_in_its_own_transaction(
    store: Webstore, make_shopper: Callable[..., Shopper], statements: list[str]
) -> None:
    """The access token and CSRF are checked before the checkout, the session only inside its
    transaction (which rechecks it anyway): no read-only transaction before it."""
    alice, order = _a_buyer_with_an_order(store, make_shopper, stock=9)
    for _ in range(2):
        statements.clear()
        assert alice.post("/api/post_order", json=order).status_code == 201
        sessions = [s for s in statements if "login_sessions" in s]
        assert len(sessions) == 1, statements
    assert alice.get("/api/get_all_products").json[0]["amount"] == 6


def commit_elsewhere(database_url: str, sql: str) -> None:
    """``sql`` committed by another process, on a connection of its own."""
    script = (
        "import sys, sqlalchemy as sa\n"
        "from webstore.adapters.sql.engine import create_engine\n"
        "with create_engine(sys.argv[1]).begin() as c: c.exec_driver_sql(sys.argv[2])\n"
    )
    subprocess.run([sys.executable, "-c", script, database_url, sql], check=True, timeout=60)


def test_what_another_process_commits_is_in_the_very_next_listing(
    store: Webstore, settings: Settings, make_shopper: Callable[..., Shopper]
) -> None:
    """Whatever a listing reads together with the caller's session (``reuse.py``), it reads
    as it stands: stock and sessions changed elsewhere show in the very next answer."""
    admin = make_shopper("margaret", superuser=True, store=store)
    admin.post("/api/products", json={"name": "Chair", "price": "5", "amount": 3})
    alice = make_shopper("alice")
    for _ in range(2):
        assert [p["amount"] for p in alice.get("/api/get_all_products").json] == [3]
    commit_elsewhere(settings.database_url, "UPDATE products SET amount = 42")
    assert [p["amount"] for p in alice.get("/api/get_all_products").json] == [42]
    assert alice.get("/api/get_order").status_code == 200
    commit_elsewhere(
        settings.database_url, "UPDATE login_sessions SET revoked_at = '2000-01-01 00:00:00'"
    )
    assert alice.get("/api/get_all_products").status_code == 403
    assert alice.get("/api/get_order").status_code == 403


def test_an_order_listing_follows_the_rechecked_caller_not_the_authenticated_one(
    store: Webstore, settings: Settings
) -> None:
    """Its version is read with the recheck of the caller, for what the caller matched when
    authenticated; a recheck that finds them changed (no longer staff) reads the version of
    what they match now, and the listing is theirs now."""
    root = store.create_superuser("root", "root@example.com", "correct horse battery staple")
    alice = store.register_user("alice", "alice@example.com", "correct horse battery staple")
    chair = store.add_product(root, {"name": "Chair", "price": "5", "amount": 3})
    store.place_order(
        alice, "1 Main Street", "+1 555 0100", [{"product_id": chair.id, "amount": 1}]
    )
    staff = store.log_in("root", "correct horse battery staple").user

    def known(key: object, version: int) -> bool:
        return False

    everyone = store.list_orders_versioned(known, staff)
    assert everyone.page is not None and len(everyone.page.items) == 1
    commit_elsewhere(settings.database_url, "UPDATE users SET is_superuser = false")
    own = store.list_orders_versioned(known, staff)
    assert own.page is not None and own.page.items == []
    assert own.key != everyone.key
