"""The ``webstore`` command line against a real SQLite database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY, fast_settings
from webstore import bootstrap
from webstore.adapters.sql.engine import create_engine
from webstore.adapters.sql.operator.migrations import config
from webstore.application.errors import InvalidToken
from webstore.config import Settings
from webstore.domain.errors import InvalidCredentials
from webstore.entrypoints.cli.main import main


@pytest.fixture
def bare_env(sqlite_url: str) -> dict[str, str]:
    """The environment of a command on a database that does not exist yet."""
    return {
        "WEBSTORE_DATABASE_URL": sqlite_url,
        "WEBSTORE_SECRET_KEY": TEST_SECRET_KEY.decode(),
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    }


@pytest.fixture
def env(bare_env: dict[str, str], sqlite_url: str) -> dict[str, str]:
    """The environment of a command on a database made by ``webstore db upgrade``."""
    bootstrap(fast_settings(sqlite_url), migrate=True).close()
    return bare_env


def webstore(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def test_db_upgrade_creates_the_schema_and_can_run_twice(bare_env: dict[str, str]) -> None:
    env = bare_env
    created = webstore(env, "db", "upgrade")
    assert (created.exit_code, created.output) == (
        0,
        "created the database schema (revision 0030)\n",
    )
    again = webstore(env, "db", "upgrade")
    assert (again.exit_code, again.output) == (
        0,
        "the database schema is already current (revision 0030)\n",
    )


def test_db_upgrade_says_from_which_revision_it_upgraded(
    bare_env: dict[str, str], sqlite_url: str
) -> None:
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        command.upgrade(config(connection), "0002")
    engine.dispose()

    result = webstore(bare_env, "db", "upgrade")

    assert (result.exit_code, result.output) == (
        0,
        "upgraded the database schema from revision 0002 to 0030\n",
    )


def test_create_superuser_reads_the_password_from_stdin(
    env: dict[str, str], sqlite_url: str
) -> None:
    result = webstore(
        env, "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin="a long root password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    login = bootstrap(fast_settings(sqlite_url)).log_in("root", "a long root password")
    assert login.user.is_superuser


def test_create_superuser_prompts_twice_for_the_password(
    env: dict[str, str], sqlite_url: str
) -> None:
    result = webstore(
        env, "create-superuser", "--username", "root", "--email", "root@example.com",
        stdin="prompted password\nprompted password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert bootstrap(fast_settings(sqlite_url)).log_in("root", "prompted password")


def test_create_superuser_refuses_a_bad_password_with_a_one_line_reason(
    env: dict[str, str],
) -> None:
    result = webstore(
        env, "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin="1234567890\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "entirely numeric" in result.output


def test_products_import_reads_csv_with_a_header(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    csv_file = tmp_path / "catalogue.csv"
    csv_file.write_text(
        "name,description,price,amount\n"
        "Red chair,Beech,19.99,5\n"
        '"Oak table","Seats six, oiled",349,2\n'
    )
    result = webstore(env, "products", "import", str(csv_file))
    assert result.exit_code == 0, result.output
    listed = bootstrap(fast_settings(sqlite_url)).list_products().items
    assert [(p.name, p.description, str(p.price), p.stock) for p in listed] == [
        ("Red chair", "Beech", "19.99", 5),
        ("Oak table", "Seats six, oiled", "349.00", 2),
    ]


def test_products_import_reads_json_lines(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    jsonl = tmp_path / "catalogue.jsonl"
    jsonl.write_text(
        '{"name": "Desk lamp", "description": "LED", "price": 24.99, "amount": 40}\n'
        '{"name": "Mug", "price": "9.99", "amount": 120}\n'
    )
    assert webstore(env, "products", "import", str(jsonl)).exit_code == 0
    assert bootstrap(fast_settings(sqlite_url)).list_products().total == 2


def test_products_import_is_all_or_nothing(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    csv_file = tmp_path / "catalogue.csv"
    csv_file.write_text("Red chair,Beech,19.99,5\nBroken,,-3,1\n")
    result = webstore(env, "products", "import", str(csv_file))
    assert result.exit_code == 1
    assert "line 2: price: Ensure this value is greater than 0." in result.output
    assert bootstrap(fast_settings(sqlite_url)).list_products().total == 0


def test_deactivating_a_user_forbids_login_and_ends_sessions(
    env: dict[str, str], sqlite_url: str
) -> None:
    store = bootstrap(fast_settings(sqlite_url, refresh_reuse_grace=0), migrate=True)
    store.register_user("bob", "bob@example.com", "bob's password")
    login = store.log_in("bob", "bob's password")

    result = webstore(env, "users", "deactivate", "BOB")
    assert result.exit_code == 0, result.output

    with pytest.raises(InvalidToken):
        store.authenticate(login.access_token)
    with pytest.raises(InvalidCredentials):
        store.log_in("bob", "bob's password")
    assert webstore(env, "users", "activate", "bob").exit_code == 0
    assert store.log_in("bob", "bob's password").user.username == "bob"


def test_deactivating_an_unknown_user_fails_clearly(env: dict[str, str]) -> None:
    result = webstore(env, "users", "deactivate", "nobody")
    assert result.exit_code == 1
    assert "nobody" in result.output


def test_demo_fills_an_empty_database_and_prints_working_credentials(
    bare_env: dict[str, str], sqlite_url: str
) -> None:
    env = bare_env
    result = webstore(env, "demo")
    assert result.exit_code == 0, result.output
    credentials = dict(line.split(" / ") for line in result.output.splitlines() if " / " in line)
    store = bootstrap(fast_settings(sqlite_url))
    assert store.log_in("demo", credentials["demo"]).user.is_superuser is False
    assert store.log_in("demo-admin", credentials["demo-admin"]).user.is_superuser is True
    assert store.list_products().total == 5
    assert webstore(env, "demo").exit_code == 1  # not empty any more


def test_a_database_other_than_sqlite_without_a_secret_key_refuses_to_start() -> None:
    env = {
        "WEBSTORE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "WEBSTORE_SECRET_KEY": "",
    }
    result = webstore(env, "serve")
    assert result.exit_code == 1
    reason = result.output.strip()
    assert "WEBSTORE_SECRET_KEY" in reason
    assert len(reason.splitlines()) == 1


def test_the_embedded_default_keeps_a_generated_key_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    env = {"WEBSTORE_DATABASE_URL": f"sqlite:///{tmp_path}/shop.db", "WEBSTORE_SECRET_KEY": ""}
    assert webstore(env, "db", "upgrade").exit_code == 0
    assert webstore(env, "demo").exit_code == 0
    Settings.from_env(env).with_secret_key()  # what serve does at its start
    key_file = tmp_path / "shop.db.secret-key"
    assert key_file.exists()
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    assert len(key_file.read_bytes()) >= 32


def test_products_import_reads_a_spreadsheets_csv_with_a_byte_order_mark(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    csv_file = tmp_path / "catalogue.csv"
    csv_file.write_bytes(
        "name,description,price,amount\nRed chair,Beech,19.99,5\n".encode("utf-8-sig")
    )

    result = webstore(env, "products", "import", str(csv_file))

    assert result.exit_code == 0, result.output
    assert [p.name for p in bootstrap(fast_settings(sqlite_url)).list_products().items] == [
        "Red chair"
    ]


def test_products_import_refuses_a_file_that_is_not_utf8_in_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    csv_file = tmp_path / "catalogue.csv"
    csv_file.write_bytes("Chaise rouge,H\xeatre,19.99,5\n".encode("latin-1"))

    result = webstore(env, "products", "import", str(csv_file))

    assert result.exit_code == 1
    assert "line 1: Not valid UTF-8 text" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_demo_refuses_cleanly_when_its_names_are_taken(
    env: dict[str, str], sqlite_url: str
) -> None:
    store = bootstrap(fast_settings(sqlite_url), migrate=True)
    store.create_superuser("demo-admin", "someone@example.com", "someone's password")

    result = webstore(env, "demo")

    assert result.exit_code == 1
    assert "username is used" in result.output
    with pytest.raises(InvalidCredentials):  # nothing half-made: no "demo" user appeared
        store.log_in("demo", "anything at all")
