"""Fixtures shared by every test: cheap password hashing and fresh databases."""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from webstore.config import Settings

# Argon2 at its cheapest: the tests check behaviour, not the cost of hashing.
FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost": 8, "argon2_parallelism": 1}
TEST_SECRET_KEY = b"test-secret-key-of-at-least-32-bytes!!"


def fast_settings(database_url: str = "memory://", **overrides: object) -> Settings:
    """Settings for tests: a fixed key, cheap Argon2, plain-HTTP cookies allowed."""
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        **FAST_ARGON2,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def postgres_base_url() -> str | None:
    return os.environ.get("WEBSTORE_TEST_POSTGRES_URL") or None


def require_postgres() -> str:
    """The server URL, or skip (fail in CI, where WEBSTORE_REQUIRE_POSTGRES=1) without one."""
    url = postgres_base_url()
    if url is None:
        reason = "WEBSTORE_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against"
        if os.environ.get("WEBSTORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(autouse=True)
def turn(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Under pytest-xdist, a test marked ``alone`` runs while no other test of the run does:
    its outcome moves with the load of the machine, which the other worker's test would add to."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        yield  # one process: every test runs alone
        return
    alone = request.node.get_closest_marker("alone") is not None
    with turns(tmp_path_factory.getbasetemp().parent, alone=alone):  # shared by the workers
        yield


@contextmanager
def turns(folder: Path, *, alone: bool) -> Iterator[None]:
    """A shared hold on ``folder``'s turn for a test, an exclusive one for a test alone.

    A test alone first closes the gate, through which every other test passes before taking
    its hold, so that the tests of the other worker, one after another, cannot keep it
    waiting for ever; then it waits for the test under way to end."""
    how = fcntl.LOCK_EX if alone else fcntl.LOCK_SH
    with open(folder / "turn.gate", "a") as gate, open(folder / "turn.lock", "a") as hold:
        fcntl.flock(gate, how)
        fcntl.flock(hold, how)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)
        yield  # both released as the files close


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    """A fresh, empty SQLite database file."""
    return f"sqlite:///{os.fspath(tmp_path)}/webstore.db"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty schema on the test PostgreSQL server, dropped afterwards."""
    with postgres_schema(require_postgres()) as url:
        yield url


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A URL whose connections use a new, empty schema on ``base``'s server; dropped after."""
    import sqlalchemy as sa

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
