"""Backups of the embedded SQLite database, taken and restored while it is in use or not.

A backup goes through SQLite's online backup API: one step copies every page under a read
lock, which in WAL mode never stops the server's writers, so the copy is one consistent
moment of the database. It is written in a private folder beside the target, checked, and
only then renamed into place; a target that is a symbolic link is refused, never followed.

``webstore serve`` holds a shared ``flock`` on ``<database>.lock`` for as long as it runs; a
restore takes it exclusively, so it is refused while any server holds the database, and a
server cannot start in the middle of a restore.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from webstore.adapters.sql.operator import listing_triggers
from webstore.application.errors import ConfigurationError, StorageUnavailable

BUSY_TIMEOUT = 30.0  # seconds to wait for a writer's lock before giving up


class DatabaseInUse(ConfigurationError):
    """A server holds the database (or a restore is running)."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    row_counts: dict[str, int]


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def held_by_server(database: Path) -> Iterator[None]:
    """Mark ``database`` as served for the duration (workers inherit the lock when forked)."""
    with _locked(database, fcntl.LOCK_SH, "a restore of this database is running"):
        yield


@contextmanager
def _locked(database: Path, mode: int, refusal: str) -> Iterator[None]:
    path = lock_file(database)
    try:  # never creates the folder: a database in a missing one is a mistake to report
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise StorageUnavailable(f"cannot use the database: {path}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(refusal) from None
        yield
    finally:
        os.close(fd)  # releases the lock (once every forked holder has exited too)


def backup(database: Path, target: Path) -> BackupReport:
    """Copy ``database`` to ``target`` (mode 0600), consistently, even while it is written."""
    if not database.is_file():
        raise ConfigurationError(f"{database} does not exist")
    destination = _destination(target)
    if destination == database.resolve():
        raise ConfigurationError("the backup cannot replace the database itself")
    with _private_folder(destination) as folder:
        draft = folder / destination.name
        os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        with closing(_connect(database)) as source, closing(_connect(draft)) as copy:
            source.backup(copy)  # every page in one step: one consistent snapshot
            # A self-contained single file (no -wal beside it); the server turns WAL on again.
            copy.execute("PRAGMA journal_mode = DELETE")
            counts = checked_row_counts(copy)
        # A rename replaces whatever name is there, a link planted meanwhile included; it
        # never writes through one.
        os.replace(draft, destination)
    return BackupReport(destination, counts)


def _destination(target: Path) -> Path:
    """``target`` in its real folder; refused if the file itself is a symbolic link.

    The folders of the path are the operator's choice (a linked backup folder is common);
    the last name is the one a stranger sharing that folder could have planted.
    """
    if target.is_symlink():
        raise ConfigurationError(
            f"{target} is a symbolic link: refusing to write the backup through it"
        )
    return target.parent.resolve() / target.name


@contextmanager
def _private_folder(destination: Path) -> Iterator[Path]:
    """A new folder beside ``destination`` that only this user can enter (0700), then gone.

    SQLite writes the copy and its journal there, where nobody else can plant a name.
    """
    try:
        folder = Path(
            tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
        )
    except OSError as error:  # a missing or read-only folder: the operator's to fix
        raise ConfigurationError(
            f"cannot write in {destination.parent}: {error.strerror}"
        ) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def restore(backup_file: Path, database: Path) -> Path | None:
    """Put ``backup_file`` in place of ``database``; return where the old file was kept.

    Refused while a server holds the database. The old file is first folded into one file
    (its write-ahead log checkpointed), then renamed aside, never deleted.
    """
    if not backup_file.is_file():
        raise ConfigurationError(f"{backup_file} does not exist")
    with closing(_connect(backup_file)) as candidate:
        checked_row_counts(candidate)
        _require_listing_triggers(backup_file, candidate)
    with _locked(database, fcntl.LOCK_EX, "a server holds this database: stop it first"):
        fd, draft_name = tempfile.mkstemp(prefix=f".{database.name}.", dir=database.parent)
        os.close(fd)
        draft = Path(draft_name)
        try:
            with closing(_connect(backup_file)) as source, closing(_connect(draft)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
            aside = _set_aside(database)
            os.replace(draft, database)
        except BaseException:
            draft.unlink(missing_ok=True)
            raise
    return aside


def _set_aside(database: Path) -> Path | None:
    if not database.exists():
        return None
    with closing(sqlite3.connect(database, timeout=1.0, isolation_level=None)) as old:
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # Leaving WAL needs the only connection to the file, and removes the -wal and -shm.
            old.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.OperationalError as error:
            raise DatabaseInUse(f"another process has the database open ({error})") from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    os.replace(database, aside)
    return aside


def checked_row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per table, after ``PRAGMA integrity_check`` found nothing wrong."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:  # e.g. "file is not a database"
        raise ConfigurationError(f"not a usable SQLite database: {error}") from None
    if problems != ["ok"]:
        raise ConfigurationError("integrity check failed: " + "; ".join(problems[:5]))
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    if "alembic_version" not in tables:
        raise ConfigurationError("not a webstore database (no alembic_version table)")
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }


def _require_listing_triggers(backup_file: Path, connection: sqlite3.Connection) -> None:
    """Refuse a backup without the triggers its revision has (listings would go stale)."""
    revision = connection.execute("SELECT max(version_num) FROM alembic_version").fetchone()[0]
    present = connection.execute(listing_triggers.SQLITE_PRESENT).fetchall()
    missing = listing_triggers.missing("sqlite", revision, present)
    if missing:
        raise ConfigurationError(f"{backup_file} {listing_triggers.refusal(missing)}")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)


def parsed_url(url: str) -> URL:
    """``url`` parsed, or refused without repeating it (it may hold a password)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigurationError("WEBSTORE_DATABASE_URL is not a valid database URL.") from None


def pg_dump_command(url: str, target: Path) -> str:
    """The ``pg_dump`` command for ``url``, without its password (give it in PGPASSWORD)."""
    parsed = parsed_url(url)
    libpq = URL.create(
        "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database,
        parsed.query,
    )  # fmt: skip
    command = shlex.join(
        ["pg_dump", "--format=custom", f"--file={target}", libpq.render_as_string(False)]
    )
    if parsed.password:
        command = f"PGPASSWORD=<the password, not shown> {command}"
    return command
