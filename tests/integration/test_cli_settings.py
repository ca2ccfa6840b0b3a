"""Unusable settings stop every ``webstore`` command with one line and status 1, never a trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY
from webstore.entrypoints.cli.main import main

WEBSTORE = Path(sys.executable).with_name("webstore")
BAD_URLS = [
    "mysql://x",
    "postgres://shop:s3cr3t@db.example.com/shop",
    "memory",
    "sqlite://",
    "postgresql+asyncpg://shop@localhost/shop",
    "postgresql://shop:s3cr3t@localhost:port/shop",
]
BAD_NUMBERS = {
    "WEBSTORE_DB_POOL_SIZE": "-1",
    "WEBSTORE_DB_TIMEOUT": "0",
    "WEBSTORE_ACCESS_TOKEN_TTL": "0",
    "WEBSTORE_REFRESH_TOKEN_TTL": "99999999999999999999",
    "WEBSTORE_ARGON2_PARALLELISM": "0",
    "WEBSTORE_LOGIN_FAILURE_WINDOW": "ten",
    "WEBSTORE_CATALOGUE_MAX_AGE": "-5",
}


def commands(tmp_path: Path) -> list[list[str]]:
    catalogue = tmp_path / "products.csv"
    catalogue.write_text("name,price,amount\nChair,1.00,1\n")
    return [
        ["serve", "--port", "1"],
        ["serve", "--check"],
        ["db", "upgrade"],
        ["db", "backup", str(tmp_path / "backup.db")],
        ["db", "restore", str(tmp_path / "backup.db")],
        ["create-superuser", "--username", "root", "--email", "r@example.com", "--password-stdin"],
        ["products", "import", str(catalogue)],
        ["users", "activate", "alice"],
        ["users", "deactivate", "alice"],
        ["demo"],
    ]


def environment(**variables: str) -> dict[str, str]:
    return {
        "WEBSTORE_SECRET_KEY": TEST_SECRET_KEY.decode(),
        # What serve needs said with PostgreSQL, so that the database is what gets checked.
        "WEBSTORE_MAIL_URL": "memory://",
        "WEBSTORE_PUBLIC_URL": "https://shop.example.com",
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
        **variables,
    }


def assert_one_line_refusal(exit_code: int, output: str, *, saying: str) -> None:
    assert exit_code == 1, output
    assert "Traceback" not in output
    assert "s3cr3t" not in output  # a password in a URL is never echoed
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert saying in lines[0], output


@pytest.mark.parametrize("url", BAD_URLS)
def test_an_unusable_database_url_stops_every_command_with_one_line(
    url: str, tmp_path: Path
) -> None:
    for args in commands(tmp_path):
        result = CliRunner().invoke(
            main, args, env=environment(WEBSTORE_DATABASE_URL=url), input="a long password\n"
        )
        assert not isinstance(result.exception, AssertionError | TypeError | AttributeError)
        assert_one_line_refusal(result.exit_code, result.output, saying="WEBSTORE_DATABASE_URL")


@pytest.mark.parametrize(("name", "value"), BAD_NUMBERS.items())
def test_an_unusable_number_stops_every_command_with_one_line(
    name: str, value: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'webstore.db'}"
    for args in commands(tmp_path):
        result = CliRunner().invoke(
            main, args, env=environment(WEBSTORE_DATABASE_URL=url, **{name: value})
        )
        assert_one_line_refusal(result.exit_code, result.output, saying=name)


def test_argon2_memory_too_small_for_its_parallelism_is_refused(tmp_path: Path) -> None:
    env = environment(
        WEBSTORE_DATABASE_URL=f"sqlite:///{tmp_path / 'webstore.db'}",
        WEBSTORE_ARGON2_MEMORY_COST="8",
        WEBSTORE_ARGON2_PARALLELISM="4",
    )
    result = CliRunner().invoke(main, ["users", "activate", "alice"], env=env)

    assert_one_line_refusal(result.exit_code, result.output, saying="WEBSTORE_ARGON2_MEMORY_COST")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/shop",  # nothing listens on port 1
        "sqlite:////nonexistent-folder/webstore.db",
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line(url: str, tmp_path: Path) -> None:
    for args in (["db", "upgrade"], ["users", "activate", "alice"], ["serve", "--port", "1"]):
        result = CliRunner().invoke(main, args, env=environment(WEBSTORE_DATABASE_URL=url))
        # An SQLite file that is not there is never made by an admin command.
        missing = url.startswith("sqlite") and args[0] == "users"
        saying = "does not exist: run `webstore db upgrade`" if missing else "cannot use"
        assert_one_line_refusal(result.exit_code, result.output, saying=saying)
    assert not Path("/nonexistent-folder").exists()  # a mistyped path never becomes a new shop


@pytest.mark.slow
@pytest.mark.parametrize("url", [*BAD_URLS, "postgresql+psycopg://postgres@127.0.0.1:1/shop"])
def test_the_real_command_refuses_with_one_line_on_stderr(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env.update(environment(WEBSTORE_DATABASE_URL=url))
    for args in (["serve", "--port", "1"], ["db", "upgrade"]):
        result = subprocess.run(
            [str(WEBSTORE), *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.stdout == ""
        assert_one_line_refusal(result.returncode, result.stderr, saying="")
