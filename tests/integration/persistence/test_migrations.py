"""Alembic brings an empty database to exactly the schema the models describe."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.pool import Pool

import pytest
import sqlalchemy as sa
from alembic import command

from tests.conftest import fast_settings
from tests.integration.persistence import workers
from tests.integration.persistence.helpers import POSTGRES, connection, query
from webstore import Principal
from webstore.adapters.sql.columns import UtcDateTime
from webstore.adapters.sql.engine import create_engine
from webstore.adapters.sql.operator.migrations import config, drift, upgrade
from webstore.adapters.sql.tables import metadata
from webstore.application.ordering.idempotency import IdempotencyRequest
from webstore.bootstrap import bootstrap
from webstore.entrypoints.web.api import serializers

HEAD = "0030"


@pytest.fixture(params=["sqlite", POSTGRES])
def empty_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def _tables(url: str) -> set[str]:
    if url.startswith("sqlite"):
        rows = query(url, "SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = query(url, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {name for (name,) in rows}


def test_upgrading_an_empty_database_gives_the_schema_of_the_models(empty_url: str) -> None:
    assert _tables(empty_url) == set()
    upgrade(empty_url)
    assert _tables(empty_url) == set(metadata.tables) | {"alembic_version"}
    assert drift(empty_url) == []


def test_drift_is_reported_when_the_schema_differs(empty_url: str) -> None:
    upgrade(empty_url)
    with connection(empty_url) as conn:
        conn.exec_driver_sql("DROP INDEX ix_login_sessions_user_id")
        conn.commit()
    assert [diff[0] for diff in drift(empty_url)] == ["add_index"]


def test_upgrading_twice_changes_nothing(empty_url: str) -> None:
    upgrade(empty_url)
    upgrade(empty_url)
    assert query(empty_url, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert drift(empty_url) == []


def test_processes_upgrading_at_once_upgrade_once(empty_url: str, workers_pool: Pool) -> None:
    start_at = time.time() + 1.0
    tasks = [(empty_url, start_at) for _ in range(4)]
    assert workers_pool.starmap_async(workers.migrate, tasks).get(60) == ["upgraded"] * 4
    assert query(empty_url, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert drift(empty_url) == []


def test_a_database_at_the_first_revision_is_upgraded_in_place_keeping_its_rows(
    empty_url: str,
) -> None:
    engine = create_engine(empty_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        command.upgrade(config(conn), "0001")
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, username_key, email, password_hash,"
            " is_superuser, is_active) VALUES (7, 'Alice', 'alice', 'a@example.com', 'h',"
            " false, true)"
        )
    engine.dispose()
    assert "idempotency_keys" not in _tables(empty_url)

    upgrade(empty_url)

    assert {"login_failures", "idempotency_keys"} <= _tables(empty_url)
    assert query(empty_url, "SELECT id, username FROM users") == [(7, "Alice")]
    assert query(empty_url, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert drift(empty_url) == []


def test_products_of_an_older_database_get_the_key_their_names_are_searched_by(
    empty_url: str,
) -> None:
    engine = create_engine(empty_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        command.upgrade(config(conn), "0002")
        for product_id, name in ((1, "Éclair"), (2, "STRASSE"), (3, "Red chair")):
            conn.exec_driver_sql(
                "INSERT INTO products (id, name, description, price, amount, is_active)"
                f" VALUES ({product_id}, '{name}', '', 1.50, 3, true)"
            )
        command.upgrade(config(conn), "0003")
    engine.dispose()

    keys = query(empty_url, "SELECT name, name_key FROM products ORDER BY id")
    assert keys == [("Éclair", "éclair"), ("STRASSE", "strasse"), ("Red chair", "red chair")]
    upgrade(empty_url)  # 0008: the keys ignore accents too
    keys = query(empty_url, "SELECT name, name_key FROM products ORDER BY id")
    assert keys == [("Éclair", "eclair"), ("STRASSE", "strasse"), ("Red chair", "red chair")]
    assert drift(empty_url) == []


def test_users_of_an_older_database_get_search_keys_and_the_earliest_trace_as_joining_date(
    empty_url: str,
) -> None:
    sessions_started = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    first_order = datetime(2026, 2, 1, 9, 30, 15, 250000, tzinfo=UTC)
    engine = create_engine(empty_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        command.upgrade(config(conn), "0006")
        for user_id, name, email in (
            (1, "José", "Jose.Garcia@Example.com"),
            (2, "Łukasz", "lukasz@example.com"),
            (3, "Zoë", "zoe@example.com"),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, username_key, email, password_hash,"
                    " is_superuser, is_active) VALUES (:id, :name, :key, :email, 'h', false, true)"
                ),
                {"id": user_id, "name": name, "key": name.lower(), "email": email},
            )
        stored = sa.table(
            "login_sessions",
            *(sa.column(name) for name in ("id", "user_id", "token_hash", "generation")),
            sa.column("created_at", UtcDateTime()),
            sa.column("expires_at", UtcDateTime()),
        )
        for session_id, started in (("a", sessions_started), ("b", first_order)):
            conn.execute(
                stored.insert().values(
                    id=session_id, user_id=2, token_hash="h", generation=0,
                    created_at=started + timedelta(days=30 if session_id == "b" else 0),
                    expires_at=started + timedelta(days=60),
                )
            )  # fmt: skip
        conn.execute(
            sa.table("orders", *(sa.column(n) for n in ("user_id", "address", "phone", "status")),
                     sa.column("created_at", UtcDateTime())).insert().values(
                user_id=2, address="1 Main St", phone="12345", status="pending",
                created_at=first_order,
            )
        )  # fmt: skip
    engine.dispose()
    before = datetime.now(UTC)

    upgrade(empty_url)

    store = bootstrap(fast_settings(empty_url))
    try:
        users = store.list_users(store.operator).items
        assert [(u.username, u.date_joined) for u in users[1:2]] == [("Łukasz", first_order)]
        for never_seen in (users[0], users[2]):
            assert before <= never_seen.date_joined <= datetime.now(UTC)
        found = store.list_users(store.operator, search="JOSE.GARCÍA")
        assert [u.username for u in found.items] == ["José"]
        assert [u.username for u in store.list_users(store.operator, search="lukasz").items] == [
            "Łukasz"
        ]
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]
    assert drift(empty_url) == []


def test_live_idempotency_records_still_replay_after_their_format_changed(
    empty_url: str,
) -> None:
    body = (
        '{"id":4,"user":7,"address":"1 Main St","phone":"12345","status":"pending",'
        '"completed":false,"created_at":"2026-11-26T20:12:30.500000Z","total_price":"39.98",'
        '"items":[{"product_id":1,"product_name":"Red chair","amount":2,"price":"19.99"}]}'
    )
    engine = create_engine(empty_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        command.upgrade(config(conn), "0002")
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, username_key, email, password_hash,"
            " is_superuser, is_active) VALUES (7, 'Alice', 'alice', 'a@example.com', 'h',"
            " false, true)"
        )
        conn.execute(
            sa.text(
                "INSERT INTO idempotency_keys (user_id, key, fingerprint, status_code,"
                " response_body, created_at) VALUES (7, 'k', :f, 201, :body, :at)"
            ),
            {"f": "f" * 64, "body": body, "at": datetime.now(UTC)},
        )
    engine.dispose()

    upgrade(empty_url)

    store = bootstrap(fast_settings(empty_url))
    alice = Principal(7, "Alice", "a@example.com")
    try:
        answer = store.place_order_once(
            alice,
            "1 Main St",
            "12345",
            [{"product_id": 1, "amount": 2}],
            IdempotencyRequest("k", "f" * 64),
        )
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]
    assert answer.replayed
    assert serializers.order(answer.order) == json.loads(body)
    assert drift(empty_url) == []
