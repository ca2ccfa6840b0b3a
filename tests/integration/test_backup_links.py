"""``webstore db backup`` into a shared folder where someone else may plant symbolic links."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest

from tests.integration.e2e.conftest import WEBSTORE, server_environment
from webstore.adapters.sql.operator.backup import backup
from webstore.application.errors import ConfigurationError

PRECIOUS = b"a file the operator never meant to overwrite\n"


def webstore(sqlite_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WEBSTORE), *args], env=server_environment(sqlite_url),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def database(sqlite_url: str) -> Path:
    made = webstore(sqlite_url, "db", "upgrade")
    assert made.returncode == 0, made.stderr
    return Path(sqlite_url.removeprefix("sqlite:///"))


@pytest.fixture
def precious(tmp_path: Path) -> Path:
    victim = tmp_path / "elsewhere" / "precious.txt"
    victim.parent.mkdir()
    victim.write_bytes(PRECIOUS)
    return victim


def test_backup_refuses_a_destination_that_is_a_symbolic_link_in_one_line(
    sqlite_url: str, database: Path, precious: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    planted = shared / "shop.db"
    planted.symlink_to(precious)

    refused = webstore(sqlite_url, "db", "backup", str(planted))

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"Error: {planted} is a symbolic link: refusing to write the backup through it "
        f"(database: {database})"
    ]
    assert precious.read_bytes() == PRECIOUS
    assert planted.is_symlink() and os.readlink(planted) == str(precious)
    assert sorted(p.name for p in shared.iterdir()) == ["shop.db"]  # nothing left behind


def test_backup_refuses_a_dangling_link_too(
    sqlite_url: str, database: Path, tmp_path: Path
) -> None:
    planted = tmp_path / "shop.db"
    planted.symlink_to(tmp_path / "not-yet-there.db")

    refused = webstore(sqlite_url, "db", "backup", str(planted))

    assert refused.returncode == 1
    assert not (tmp_path / "not-yet-there.db").exists()


def test_a_link_planted_while_backups_run_is_replaced_never_followed(
    database: Path, precious: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "shop.db"
    stop = threading.Event()

    def plant_links() -> None:  # another user of the folder, as fast as it can
        spare = shared / "spare-link"
        while not stop.is_set():
            spare.unlink(missing_ok=True)
            spare.symlink_to(precious)
            os.replace(spare, target)

    planter = threading.Thread(target=plant_links)
    planter.start()
    written = refused = 0
    try:
        for _ in range(40):
            try:
                backup(database, target)
                written += 1
            except ConfigurationError as error:
                assert "is a symbolic link" in str(error)
                refused += 1
    finally:
        stop.set()
        planter.join()
    assert written + refused == 40
    assert precious.read_bytes() == PRECIOUS


def test_a_backup_replaces_a_regular_file_and_reaches_a_linked_folder(
    sqlite_url: str, database: Path, tmp_path: Path
) -> None:
    real_folder = tmp_path / "real-backups"
    real_folder.mkdir()
    (tmp_path / "backups").symlink_to(real_folder, target_is_directory=True)
    target = tmp_path / "backups" / "shop.db"
    target.write_bytes(b"yesterday's backup")

    made = webstore(sqlite_url, "db", "backup", str(target))

    assert made.returncode == 0, made.stderr
    with closing(sqlite3.connect(real_folder / "shop.db")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert sorted(p.name for p in real_folder.iterdir()) == ["shop.db"]


def test_a_backup_into_a_missing_folder_is_refused_in_one_line(
    sqlite_url: str, database: Path, tmp_path: Path
) -> None:
    refused = webstore(sqlite_url, "db", "backup", str(tmp_path / "missing" / "shop.db"))

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"Error: cannot write in {tmp_path / 'missing'}: No such file or directory "
        f"(database: {database})"
    ]
