"""``webstore serve --check``: configuration and database validated by a real process, no server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command

from tests.conftest import TEST_SECRET_KEY
from webstore.adapters.sql.engine import create_engine
from webstore.adapters.sql.operator.migrations import config, upgrade

WEBSTORE = Path(sys.executable).with_name("webstore")


# What a shared database (PostgreSQL) needs said besides the key.
SHARED_DATABASE = {
    "WEBSTORE_MAIL_URL": "smtp://shop:s3cret@mail.example.com?starttls=1",
    "WEBSTORE_PUBLIC_URL": "https://shop.example.com",
}


def check(
    database_url: str,
    secret_key: str | None = TEST_SECRET_KEY.decode(),
    settings: dict[str, str] | None = None,
) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env["WEBSTORE_DATABASE_URL"] = database_url
    if secret_key is not None:
        env["WEBSTORE_SECRET_KEY"] = secret_key
    if not database_url.startswith("sqlite"):
        env.update(SHARED_DATABASE)
    env.update(settings or {})
    done = subprocess.run(
        [str(WEBSTORE), "serve", "--check"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def migrate_to(url: str, revision: str) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.begin() as connection:
            command.upgrade(config(connection), revision)
    finally:
        engine.dispose()


def test_a_database_at_head_passes_without_being_served(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    code, output = check(sqlite_url)
    assert (code, "schema at head" in output) == (0, True), output
    assert "secret key: usable" in output
    assert "every commit waits for the disk (synchronous=FULL)" in output


def test_a_database_behind_head_fails_and_is_not_upgraded(sqlite_url: str) -> None:
    migrate_to(sqlite_url, "0001")
    code, output = check(sqlite_url)
    assert code == 1
    assert "schema at 0001" in output and "run: webstore db upgrade" in output
    assert check(sqlite_url)[0] == 1  # the check itself changed nothing


def test_a_missing_sqlite_file_fails_and_is_not_created(tmp_path: Path) -> None:
    code, output = check(f"sqlite:///{tmp_path}/nothing-here.db")
    assert code == 1 and "does not exist" in output
    assert list(tmp_path.iterdir()) == []


def test_a_short_secret_key_fails(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    code, output = check(sqlite_url, secret_key="too short")
    assert code == 1 and "at least 32 bytes" in output


def test_a_generated_key_is_announced_not_written(sqlite_url: str, tmp_path: Path) -> None:
    upgrade(sqlite_url)
    code, output = check(sqlite_url, secret_key=None)
    assert code == 0, output
    assert "will be generated" in output
    assert not list(tmp_path.glob("*.secret-key"))


def test_a_key_file_others_can_read_fails_as_serve_would(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    database = sqlite_url.removeprefix("sqlite:///")
    key_file = Path(database + ".secret-key")
    key_file.write_text("k" * 48)
    key_file.chmod(0o644)
    code, output = check(sqlite_url, secret_key=None)
    assert code == 1 and "chmod 600" in output, output
    key_file.chmod(0o600)
    code, output = check(sqlite_url, secret_key=None)
    assert code == 0 and f"usable ({key_file})" in output, output


@pytest.mark.postgres
def test_postgresql_without_a_secret_key_fails(postgres_url: str) -> None:
    upgrade(postgres_url)
    code, output = check(postgres_url, secret_key=None)
    assert code == 1
    assert "WEBSTORE_SECRET_KEY is not set" in output


@pytest.mark.postgres
def test_postgresql_behind_head_fails_and_at_head_passes(postgres_url: str) -> None:
    code, output = check(postgres_url)
    assert code == 1 and "no schema" in output
    upgrade(postgres_url)
    code, output = check(postgres_url)
    assert code == 0, output


def test_an_unreachable_database_fails_in_one_line() -> None:
    code, output = check("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert code == 1
    assert "database: cannot be read" in output and "Traceback" not in output


# Run as ``webstore``, with every pooled SQLite connection switched to synchronous=NORMAL as it
# is handed out (after the store's own settings): commits that would not wait for the disk.
NOT_DURABLE = """
import sys
import sqlalchemy as sa
from sqlalchemy.pool import Pool

def not_durable(driver, record, proxy):
    driver.execute("PRAGMA synchronous = NORMAL")

sa.event.listen(Pool, "checkout", not_durable)
from webstore.entrypoints.cli.main import main
main(sys.argv[1:], prog_name="webstore")
"""


@pytest.mark.parametrize("command", [["serve", "--check"], ["serve", "--port", "0"]])
def test_connections_that_would_not_wait_for_the_disk_are_refused_in_one_line(
    sqlite_url: str, command: list[str]
) -> None:
    upgrade(sqlite_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env.update(WEBSTORE_DATABASE_URL=sqlite_url, WEBSTORE_SECRET_KEY=TEST_SECRET_KEY.decode())
    done = subprocess.run(
        [sys.executable, "-c", NOT_DURABLE, *command],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: database: SQLite connections report synchronous=NORMAL, not FULL:"
        " a commit that was answered could be lost in a power cut"
        f" (database: {sqlite_url.removeprefix('sqlite:///')})"
    ]


def test_the_check_says_where_mail_goes_and_where_its_links_lead(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    database = sqlite_url.removeprefix("sqlite:///")

    code, output = check(sqlite_url)

    assert code == 0, output
    assert f"mail: the folder {database}.mail" in output
    assert "links in mail: the address served (--host, --port)" in output
    code, output = check(sqlite_url, settings=SHARED_DATABASE)
    assert "mail: SMTP server mail.example.com:587 (starttls) as shop" in output
    assert "links in mail: https://shop.example.com" in output
    assert "s3cret" not in output


def test_a_bad_mail_url_fails_in_one_line_without_its_password(sqlite_url: str) -> None:
    upgrade(sqlite_url)

    code, output = check(sqlite_url, settings={"WEBSTORE_MAIL_URL": "smtp://shop:s3cret@x.org"})

    assert code == 1
    assert "WEBSTORE_MAIL_URL would send the password in the clear" in output
    assert "s3cret" not in output and "Traceback" not in output


@pytest.mark.postgres
def test_postgresql_without_a_mail_url_keeps_mail_in_the_outbox(postgres_url: str) -> None:
    upgrade(postgres_url)

    code, output = check(
        postgres_url, settings={"WEBSTORE_MAIL_URL": "", "WEBSTORE_PUBLIC_URL": ""}
    )

    assert code == 0, output
    assert "mail: not sent: WEBSTORE_MAIL_URL is not set, so messages wait in the outbox" in output
    assert "links in mail: the address served (--host, --port)" in output
