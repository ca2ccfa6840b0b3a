"""Alembic brings an empty database to exactly the schema the models describe."""

from __future__ import annotations

import time
from multiprocessing.pool import Pool

import pytest
from alembic import command

from tests.integration.persistence import workers
from tests.integration.persistence.helpers import POSTGRES, connection, query
from webstore.adapters.sql.engine import create_engine
from webstore.adapters.sql.migrations import config, drift, upgrade
from webstore.adapters.sql.orm import metadata


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
    assert query(empty_url, "SELECT version_num FROM alembic_version") == [("0003",)]
    assert drift(empty_url) == []


def test_processes_upgrading_at_once_upgrade_once(empty_url: str, workers_pool: Pool) -> None:
    start_at = time.time() + 1.0
    tasks = [(empty_url, start_at) for _ in range(4)]
    assert workers_pool.starmap_async(workers.migrate, tasks).get(60) == ["upgraded"] * 4
    assert query(empty_url, "SELECT version_num FROM alembic_version") == [("0003",)]
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
    assert query(empty_url, "SELECT version_num FROM alembic_version") == [("0003",)]
    assert drift(empty_url) == []
