"""Opening and closing a store from Python: settings as a script writes them, nothing made by
a refusal, connections given back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import FAST_ARGON2
from webstore import Settings, bootstrap
from webstore.errors import ConfigurationError


def open_files_under(folder: Path) -> list[str]:
    """The files of ``folder`` this process holds open."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            held.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the descriptor that listed the folder, closed since
            continue
    return sorted(path for path in held if path.startswith(str(folder)))


@pytest.mark.parametrize("database_url", ["memory://", "sqlite"])
def test_a_secret_key_may_be_given_as_text(database_url: str, sqlite_url: str) -> None:
    url = sqlite_url if database_url == "sqlite" else database_url
    settings = Settings(database_url=url, secret_key="y" * 32, **FAST_ARGON2)  # type: ignore[arg-type]

    with bootstrap(settings, migrate=True) as store:
        store.register_user("alice", "alice@example.com", "alice's password")
        login = store.log_in("alice", "alice's password")
        assert store.authenticate(login.access_token).username == "alice"

    assert settings.secret_key == b"y" * 32


def test_a_text_key_is_measured_in_bytes_and_other_types_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least 32 bytes"):
        bootstrap(Settings(database_url="memory://", secret_key="é" * 15))  # 30 bytes
    with pytest.raises(ConfigurationError, match="secret_key must be bytes or str, not int"):
        Settings(secret_key=12345)  # type: ignore[arg-type]


def test_without_migrate_a_missing_database_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'shop.db'}")

    with pytest.raises(ConfigurationError) as refused:
        bootstrap(settings)

    assert str(refused.value) == (
        f"the database {tmp_path / 'shop.db'} does not exist: run `webstore db upgrade` or pass "
        "migrate=True to bootstrap()"
    )
    assert list(tmp_path.iterdir()) == []


def test_with_migrate_the_database_and_its_key_are_made(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'shop.db'}", **FAST_ARGON2)  # type: ignore[arg-type]

    bootstrap(settings, migrate=True).close()

    assert sorted(p.name for p in tmp_path.iterdir()) >= ["shop.db", "shop.db.secret-key"]


def test_closing_a_store_gives_its_connections_back(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, secret_key=b"k" * 32, **FAST_ARGON2)  # type: ignore[arg-type]

    with bootstrap(settings, migrate=True) as store:
        store.register_user("alice", "alice@example.com", "alice's password")
        assert store.list_users(store.operator).total == 1
        assert open_files_under(tmp_path) != []

    assert open_files_under(tmp_path) == []
    store.close()  # twice is fine


def test_a_memory_store_closes_too() -> None:
    with bootstrap(Settings(database_url="memory://")) as store:
        assert store.is_healthy()
    store.close()
