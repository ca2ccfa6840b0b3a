"""A pooled PostgreSQL connection idle for a while is pinged before use, and replaced if its
server side has gone; one used a moment ago is handed out without a round trip."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from webstore.adapters.sql import engine as engines

pytestmark = pytest.mark.postgres


def backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_an_idle_connection_whose_server_went_away_is_replaced_unseen(postgres_url: str) -> None:
    engine = engines.create_engine(postgres_url, pool_size=1, max_overflow=0)
    killer = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        first = backend_pid(engine)
        with killer.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
        time.sleep(engines.IDLE_BEFORE_PING + 0.2)

        assert backend_pid(engine) != first  # no error: the ping found it dead
    finally:
        engine.dispose()
        killer.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url: str) -> None:
    engine = engines.create_engine(postgres_url, pool_size=1, max_overflow=0)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(connection) or ping(connection)  # type: ignore[method-assign]
    try:
        backend_pid(engine)
        for _ in range(5):
            backend_pid(engine)
        assert pings == []
        time.sleep(engines.IDLE_BEFORE_PING + 0.2)
        backend_pid(engine)
        assert len(pings) == 1
    finally:
        engine.dispose()
