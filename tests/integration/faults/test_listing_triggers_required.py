"""A database without the triggers listing caches rely on is refused, in one line, before use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_SECRET_KEY
from tests.integration.e2e.conftest import free_port
from webstore.adapters.sql.operator.migrations import upgrade

WEBSTORE = Path(sys.executable).with_name("webstore")
REFUSAL = "lacks the triggers that keep listings current"


def webstore(database_url: str, *args: str, timeout: float = 60) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env.update(WEBSTORE_DATABASE_URL=database_url, WEBSTORE_SECRET_KEY=TEST_SECRET_KEY.decode())
    done = subprocess.run(
        [str(WEBSTORE), *args], env=env, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def drop_sqlite_trigger(database: Path, name: str) -> None:
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute(f"DROP TRIGGER {name}")


def test_a_backup_whose_triggers_were_dropped_is_not_restored(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    backup = tmp_path / "backup.db"
    assert webstore(sqlite_url, "db", "backup", str(backup))[0] == 0
    drop_sqlite_trigger(backup, "order_lines_update")
    before = database.read_bytes()

    code, output = webstore(sqlite_url, "db", "restore", str(backup))

    assert code == 1, output
    [line] = output.strip().splitlines()
    assert REFUSAL in line and "order_lines.order_lines_update" in line, line
    assert database.read_bytes() == before


def test_serving_a_database_without_its_triggers_is_refused(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    drop_sqlite_trigger(Path(sqlite_url.removeprefix("sqlite:///")), "products_delete")

    checked = webstore(sqlite_url, "serve", "--check")
    served = webstore(sqlite_url, "serve", "--port", str(free_port()), "--workers", "1")

    for code, output in (checked, served):
        assert code == 1, output
        [line] = output.strip().splitlines()
        assert REFUSAL in line and "products.products_delete" in line, line


@pytest.mark.postgres
def test_a_disabled_trigger_fails_the_check_on_postgresql(postgres_url: str) -> None:
    upgrade(postgres_url)
    assert webstore(postgres_url, "serve", "--check")[0] == 0
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ALTER TABLE orders DISABLE TRIGGER orders_truncated")
    engine.dispose()

    code, output = webstore(postgres_url, "serve", "--check")

    assert code == 1, output
    assert REFUSAL in output and "orders.orders_truncated" in output, output
