"""How engines are configured per dialect."""

from __future__ import annotations

from tests.integration.persistence.helpers import connection
from webstore.adapters.sql.engine import create_engine


def test_sqlite_connections_enforce_keys_wait_for_the_lock_and_disk_and_use_wal(
    sqlite_url: str,
) -> None:
    with connection(sqlite_url) as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
        }
    assert pragmas == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": 30_000,
        "synchronous": 2,  # FULL: set, whatever the build of SQLite defaults to
    }


def test_postgresql_urls_use_psycopg_3_and_a_pool_sized_from_settings() -> None:
    engine = create_engine("postgresql://shop@db.example.com/webstore", pool_size=7, max_overflow=3)
    try:
        assert engine.dialect.driver == "psycopg"
        assert (engine.pool.size(), engine.pool._max_overflow) == (7, 3)  # type: ignore[attr-defined]
        # Idle connections are pinged by a checkout listener (test_idle_ping.py), not by
        # pool_pre_ping on every checkout.
        assert not engine.pool._pre_ping  # type: ignore[attr-defined]
    finally:
        engine.dispose()
