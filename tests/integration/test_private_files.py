"""The database and its secret key are readable by their owner only, and a key file is checked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FAST_ARGON2
from webstore.config import Settings
from webstore.entrypoints.cli.main import main

KEY = "k" * 48


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "webstore.db"


@pytest.fixture
def key_file(database: Path) -> Path:
    return database.with_name("webstore.db.secret-key")


def webstore(database: Path, *args: str) -> tuple[int, str]:
    env = {
        "WEBSTORE_DATABASE_URL": f"sqlite:///{database}",
        "WEBSTORE_SECRET_KEY": "",
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    }
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_key_are_private_whatever_the_umask(
    database: Path, key_file: Path
) -> None:
    old_umask = os.umask(0o022)
    try:
        assert webstore(database, "demo")[0] == 0
        Settings(database_url=f"sqlite:///{database}").with_secret_key()  # as serve starts
    finally:
        os.umask(old_umask)

    assert mode(database) == 0o600
    assert mode(key_file) == 0o600


def test_a_key_file_readable_by_others_is_refused(database: Path, key_file: Path) -> None:
    key_file.write_text(KEY)
    key_file.chmod(0o644)

    code, output = webstore(database, "serve", "--check")

    assert code == 1
    assert output.splitlines()[-1] == (
        f"Error: {key_file} has mode 0644: other users could read the secret key "
        f"(chmod 600 {key_file}). (database: {database})"
    )


def test_a_key_file_that_is_a_symbolic_link_is_refused(
    database: Path, key_file: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "someone-elses-file"
    elsewhere.write_text(KEY)
    elsewhere.chmod(0o600)
    key_file.symlink_to(elsewhere)

    code, output = webstore(database, "serve", "--check")

    assert code == 1
    assert output.splitlines()[-1] == (
        f"Error: {key_file} is a symbolic link: the secret key must be a regular file. "
        f"(database: {database})"
    )


def test_a_dangling_symbolic_link_is_refused_and_left_alone(
    database: Path, key_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "planted"
    key_file.symlink_to(target)

    code, output = webstore(database, "serve", "--check")

    assert code == 1 and "is a symbolic link" in output
    assert not target.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_key_file_owned_by_another_user_is_refused(database: Path, key_file: Path) -> None:
    key_file.write_text(KEY)
    key_file.chmod(0o600)
    os.chown(key_file, 65534, 65534)

    code, output = webstore(database, "serve", "--check")

    assert code == 1
    assert f"{key_file} belongs to user id 65534, not to the user running the server" in output


def test_a_private_key_file_of_ours_is_used(database: Path, key_file: Path) -> None:
    key_file.write_text(KEY)
    key_file.chmod(0o600)
    assert webstore(database, "db", "upgrade")[0] == 0

    code, output = webstore(database, "serve", "--check")

    assert code == 0, output
    assert f"secret key: usable ({key_file})" in output
