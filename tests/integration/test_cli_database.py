"""Every ``webstore`` command uses the database it was told to, and says which when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY, fast_settings
from webstore import bootstrap
from webstore.entrypoints.cli.main import main

ARGON2 = {f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()}
# Every command that works on an existing database (all but serve, db upgrade and demo).
ON_AN_EXISTING_DATABASE = [
    ["create-superuser", "--username", "root", "--email", "r@example.com", "--password-stdin"],
    ["products", "import", "catalogue.csv"],
    ["users", "list"],
    ["users", "deactivate", "bob"],
    ["users", "activate", "bob"],
    ["users", "set-password", "bob", "--password-stdin"],
    ["orders", "list"],
    ["orders", "complete", "1"],
    ["orders", "cancel", "1"],
    ["db", "backup", "backup.db"],
]


def webstore(args: list[str], **env: str) -> Result:
    return CliRunner().invoke(main, args, env={**ARGON2, **env}, input="a long password\n")


@pytest.mark.parametrize("args", ON_AN_EXISTING_DATABASE, ids=" ".join)
def test_run_from_another_folder_a_command_refuses_the_missing_default_database(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "catalogue.csv").write_text("name,price,amount\nRed chair,19.99,5\n")
    monkeypatch.chdir(tmp_path)

    result = webstore(args, WEBSTORE_DATABASE_URL="", WEBSTORE_SECRET_KEY="")

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"Error: database {tmp_path / 'webstore.db'} does not exist: run `webstore db upgrade` "
        "to create it, or set WEBSTORE_DATABASE_URL to the database you meant"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.csv"]  # no db, no key


def test_a_command_that_fails_names_the_sqlite_file_it_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bootstrap(fast_settings(f"sqlite:///{tmp_path / 'shop.db'}"), migrate=True)
    monkeypatch.chdir(tmp_path)

    result = webstore(["users", "deactivate", "bob"], WEBSTORE_DATABASE_URL="sqlite:///shop.db")

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: user bob does not exist (database: {tmp_path / 'shop.db'})"
    ]


@pytest.mark.postgres
def test_against_postgresql_an_admin_command_needs_no_secret_key_and_hides_the_password(
    postgres_url: str,
) -> None:
    with_password = postgres_url.replace("://postgres@", "://postgres:s3cr3t@")
    assert with_password != postgres_url
    bootstrap(fast_settings(postgres_url), migrate=True).uow.dispose()  # type: ignore[attr-defined]
    env = {"WEBSTORE_DATABASE_URL": with_password, "WEBSTORE_SECRET_KEY": ""}

    created = webstore(
        ["create-superuser", "--username", "root", "--email", "r@example.com", "--password-stdin"],
        **env,
    )
    failed = webstore(["users", "deactivate", "bob"], **env)

    assert (created.exit_code, created.output) == (0, "superuser root created (id 1)\n")
    assert failed.exit_code == 1
    [line] = failed.output.splitlines()
    assert line.startswith("Error: user bob does not exist (database: postgresql+psycopg://")
    assert "postgres:***@127.0.0.1" in line and "s3cr3t" not in line


def test_serve_still_needs_the_secret_key_with_postgresql() -> None:
    result = webstore(
        ["serve", "--check"],
        WEBSTORE_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none",
        WEBSTORE_SECRET_KEY="",
    )
    assert result.exit_code == 1
    assert "WEBSTORE_SECRET_KEY is not set" in result.output


def test_an_admin_command_writes_no_key_file_beside_an_existing_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert webstore(["db", "upgrade"], WEBSTORE_DATABASE_URL=url).exit_code == 0

    listed = webstore(["users", "list"], WEBSTORE_DATABASE_URL=url, WEBSTORE_SECRET_KEY="")

    assert listed.exit_code == 0, listed.output
    assert not (tmp_path / "shop.db.secret-key").exists()


def test_a_given_secret_key_that_is_too_short_is_still_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert webstore(["db", "upgrade"], WEBSTORE_DATABASE_URL=url).exit_code == 0

    listed = webstore(["users", "list"], WEBSTORE_DATABASE_URL=url, WEBSTORE_SECRET_KEY="short")

    assert listed.exit_code == 1
    assert "WEBSTORE_SECRET_KEY must be at least 32 bytes long." in listed.output


def test_db_upgrade_and_demo_may_create_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'first.db'}"
    assert webstore(["db", "upgrade"], WEBSTORE_DATABASE_URL=url).exit_code == 0
    url = f"sqlite:///{tmp_path / 'second.db'}"
    demo = webstore(
        ["demo"], WEBSTORE_DATABASE_URL=url, WEBSTORE_SECRET_KEY=TEST_SECRET_KEY.decode()
    )
    assert demo.exit_code == 0, demo.output
    assert (tmp_path / "first.db").is_file() and (tmp_path / "second.db").is_file()


def test_a_lost_database_may_be_restored_from_its_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert webstore(["db", "upgrade"], WEBSTORE_DATABASE_URL=url).exit_code == 0
    backup = tmp_path / "backup.db"
    assert webstore(["db", "backup", str(backup)], WEBSTORE_DATABASE_URL=url).exit_code == 0
    (tmp_path / "shop.db").unlink()

    restored = webstore(["db", "restore", str(backup)], WEBSTORE_DATABASE_URL=url)

    assert restored.exit_code == 0, restored.output
    assert webstore(["users", "list"], WEBSTORE_DATABASE_URL=url).exit_code == 0


def test_serve_check_refuses_a_missing_database_as_every_command_does(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"

    result = webstore(["serve", "--check"], WEBSTORE_DATABASE_URL=url)

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: database {tmp_path / 'shop.db'} does not exist: run `webstore db upgrade` "
        "to create it, or set WEBSTORE_DATABASE_URL to the database you meant"
    ]
    assert list(tmp_path.iterdir()) == []
