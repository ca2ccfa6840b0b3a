"""While a server writes, the SQLite database and its -wal and -shm files are private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.integration.e2e.conftest import Server
from tests.integration.e2e.shop import log_in_admin

pytestmark = pytest.mark.slow


def test_the_database_files_a_serving_server_writes_are_readable_by_their_owner_only(
    sqlite_server: Server, tmp_path: Path
) -> None:
    log_in_admin(sqlite_server).add_product()  # writes: the WAL is in use

    database = Path(sqlite_server.env["WEBSTORE_DATABASE_URL"].removeprefix("sqlite:///"))
    files = [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
