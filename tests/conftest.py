"""Fixtures shared by every test: cheap password hashing and fresh databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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
