"""``webstore db backup`` while a real server takes orders, and ``db restore`` from that copy."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest

from tests.integration.e2e.running import (
    PASSWORD,
    STOCK,
    load,
    log_in,
    order_body,
    running,
    shop_with_buyers,
    stored_orders,
    wait_for,
)

pytestmark = pytest.mark.slow


def printed_counts(output: str) -> dict[str, int]:
    return {name: int(rows) for name, rows in re.findall(r"^  (\w+): (\d+) rows$", output, re.M)}


def test_a_backup_taken_under_load_is_consistent_and_restores_to_a_working_store(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    backups = tmp_path / "backups"
    backups.mkdir()
    with running(sqlite_url, tmp_path / "server.log") as shop:
        product_id, buyers = shop_with_buyers(shop)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        taken = []
        for number in range(3):
            wait_for(lambda n=number: len(outcomes) >= 60 * (n + 1))
            target = backups / f"shop-{number}.db"
            made = shop.server.cli("db", "backup", str(target))
            assert made.returncode == 0, made.stderr
            assert "integrity check: ok" in made.stdout
            taken.append((target, printed_counts(made.stdout)))
        refused = shop.server.cli("db", "restore", str(taken[1][0]))
        wait_for(lambda: len(outcomes) >= 250)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert [o for o in outcomes if o.status != 201] == []

    assert refused.returncode == 1
    assert "a server holds this database" in refused.stderr
    live_ids, _, _ = stored_orders(database, product_id)
    for target, counts in taken:
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        with closing(sqlite3.connect(target)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ids, units, stock = stored_orders(target, product_id)  # no order without its lines
        assert stock + units == STOCK and units == len(ids)
        assert counts["orders"] == len(ids) and counts["order_lines"] == units
    assert len(stored_orders(taken[0][0], product_id)[0]) < len(live_ids)
    assert not list(backups.glob(".*"))  # no temporary file left behind

    chosen, counts = taken[1]
    restored = shop.server.cli("db", "restore", str(chosen))
    assert restored.returncode == 0, restored.stderr
    aside = Path(re.findall(r"kept as (\S+)", restored.stdout)[0])
    assert stored_orders(aside, product_id)[0] == live_ids  # the old file, whole
    assert "secret key" in restored.stdout

    with running(sqlite_url, tmp_path / "after.log") as again:
        buyer = log_in(again, "buyer0", PASSWORD)  # same key: same users, same passwords
        mine = buyer.session.get(f"{again.api}/get_order", headers=buyer.headers).json()
        order = buyer.session.post(
            f"{again.api}/post_order", json=order_body(product_id, 2), headers=buyer.headers
        )
        assert order.status_code == 201, order.text
    ids, units, stock = stored_orders(database, product_id)
    assert len(ids) == counts["orders"] + 1 and stock == STOCK - units
    assert {o["id"] for o in mine} <= ids
    assert all(o["user"] == buyer.user_id for o in mine) and mine


def test_restore_refuses_a_file_that_is_not_a_webstore_database(
    sqlite_url: str, tmp_path: Path
) -> None:
    with running(sqlite_url, tmp_path / "server.log", workers=1) as shop:
        pass
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    before = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()

    refused = shop.server.cli("db", "restore", str(junk))
    assert refused.returncode == 1
    assert "not a usable SQLite database" in refused.stderr
    assert Path(sqlite_url.removeprefix("sqlite:///")).read_bytes() == before
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x)")
        db.commit()
    refused = shop.server.cli("db", "restore", str(other))
    assert "not a webstore database" in refused.stderr


def test_backup_of_postgresql_prints_the_pg_dump_command_without_the_password(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env["WEBSTORE_DATABASE_URL"] = "postgresql+psycopg://shop:s3cr3t-pw@db.internal:5433/store"
    webstore = shutil.which("webstore", path=str(Path(os.sys.executable).parent))
    assert webstore is not None
    import subprocess

    done = subprocess.run(
        [webstore, "db", "backup", str(tmp_path / "shop.dump")],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "s3cr3t-pw" not in done.stdout
    assert (
        f"pg_dump --format=custom --file={tmp_path / 'shop.dump'} "
        "postgresql://shop@db.internal:5433/store"
    ) in done.stdout
    assert not (tmp_path / "shop.dump").exists()


def test_restore_refuses_while_another_process_has_the_database_open(
    sqlite_url: str, tmp_path: Path
) -> None:
    with running(sqlite_url, tmp_path / "server.log", workers=1) as shop:
        made = shop.server.cli("db", "backup", str(tmp_path / "copy.db"))
        assert made.returncode == 0, made.stderr
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(database)) as reader:
        reader.execute("SELECT count(*) FROM products").fetchone()
        refused = shop.server.cli("db", "restore", str(tmp_path / "copy.db"))
    assert refused.returncode == 1
    assert "another process has the database open" in refused.stderr
    assert not list(tmp_path.glob("*.before-restore-*"))
