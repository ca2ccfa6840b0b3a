"""Operator commands: ``db backup``, ``db restore`` and ``serve --check``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import click

from webstore.application.errors import ConfigurationError
from webstore.bootstrap import (
    back_up_sqlite,
    held_while_serving,
    mail_destination_of,
    pg_dump_command,
    preload_migrations,
    require_durable_commits,
    require_listing_triggers,
    require_valid_database_url,
    restore_sqlite,
    schema_revisions,
    upgrade_schema,
)
from webstore.config import MEMORY_URL, Settings, sqlite_path
from webstore.entrypoints.cli.support import require_database

T = TypeVar("T")
PATH = click.Path(dir_okay=False, path_type=Path)


def sqlite_database(settings: Settings) -> Path | None:
    """The SQLite file of these settings; ``None`` for PostgreSQL; refused for memory://."""
    if settings.database_url == MEMORY_URL:
        raise click.ClickException("memory:// keeps nothing to back up or restore")
    _run(lambda: require_valid_database_url(settings.database_url))
    path = sqlite_path(settings.database_url)
    return None if path is None else Path(path)


@click.command("backup")
@click.argument("path", type=PATH)
def backup(path: Path) -> None:
    """A consistent copy of the SQLite database, taken while it serves (mode 0600, checked)."""
    settings = _run(Settings.from_env)
    database = sqlite_database(settings)
    require_database(settings)
    if database is None:
        click.echo("PostgreSQL is backed up with its own tool, pg_dump:")
        click.echo(pg_dump_command(settings.database_url, path))
        return
    report = _run(lambda: back_up_sqlite(database, path))
    click.echo(f"backup written to {report.path} (integrity check: ok)")
    for table, rows in report.row_counts.items():
        click.echo(f"  {table}: {rows} rows")
    key_file = key_file_of(database)
    if settings.secret_key is None and key_file.exists():
        click.echo(f"keep {key_file} safe too: it holds the key that signs sessions")


@click.command("restore")
@click.argument("path", type=PATH)
def restore(path: Path) -> None:
    """Replace the SQLite database with a backup; refused while a server holds it.

    The one command besides ``db upgrade``, ``serve`` and ``demo`` that may make the database
    file: bringing a lost database back from its backup is what it is for.
    """
    settings = _run(Settings.from_env)
    database = sqlite_database(settings)
    if database is None:
        raise click.ClickException("restore a PostgreSQL database with pg_restore")
    aside = _run(lambda: restore_sqlite(path, database))
    click.echo(f"restored {database} from {path}")
    if aside is not None:
        click.echo(f"the previous database was kept as {aside}")
    click.echo(
        "sessions stay valid only if the secret key is the one the backup was made with "
        "(WEBSTORE_SECRET_KEY or the .secret-key file beside the database); with another key "
        "everybody is logged out, and nothing else changes"
    )


def check(settings: Settings) -> list[str]:
    """What ``serve --check`` verifies, as lines to print; ``ConfigurationError`` if not usable."""
    lines = ["configuration: ok"]
    lines.append(f"secret key: {_key_status(settings)}")
    lines.append(f"mail: {mail_destination(settings)}")
    lines.append(f"links in mail: {settings.public_url or 'the address served (--host, --port)'}")
    if settings.database_url == MEMORY_URL:
        return [*lines, "database: memory:// (nothing to check)"]
    require_database(settings)
    database = sqlite_path(settings.database_url)
    try:
        current, head = schema_revisions(settings.database_url)
    except Exception as error:  # any failure to reach the database fails the check
        text = str(error).strip()
        message = text.splitlines()[0] if text else type(error).__name__
        raise ConfigurationError(f"database: cannot be read ({message})") from None
    if current != head:
        at = f"schema at {', '.join(sorted(current))}" if current else "no schema"
        raise ConfigurationError(
            f"database: {at}, the code needs {', '.join(sorted(head))} (run: webstore db upgrade)"
        )
    lines.append(f"database: reachable, schema at head ({', '.join(sorted(head))})")
    if database is not None:
        require_durable_commits(settings.database_url)
        lines.append("database: every commit waits for the disk (synchronous=FULL)")
    require_listing_triggers(settings.database_url)
    lines.append("database: the triggers that keep listings current are in place")
    return lines


def require_serveable(url: str) -> None:
    """What ``serve`` refuses to start without: durable commits and the listing triggers."""
    require_durable_commits(url)
    require_listing_triggers(url)


NO_MAIL_URL = (
    "WEBSTORE_MAIL_URL is not set: with PostgreSQL, say where mail goes "
    "(smtp://user:password@host:587?starttls=1, smtps://..., or file:///folder)"
)
MAIL_WAITS = "not sent: WEBSTORE_MAIL_URL is not set, so messages wait in the outbox until it is"


def mail_destination(settings: Settings) -> str:
    """Where mail goes, in words; ``ConfigurationError`` for a bad URL. With a shared database
    (PostgreSQL) and no URL, the nodes cannot guess where mail should go: it waits in the
    outbox, and is sent once the URL is set."""
    url = settings.mail_url_or_default()
    if url is None:
        return MAIL_WAITS
    return mail_destination_of(url, settings.mail_from)


def with_public_url(settings: Settings, host: str, port: int) -> Settings:
    """``settings``, with the address served as the links' address when none is given (never
    the address a request names: a forged ``Host`` would send reset links elsewhere)."""
    if settings.public_url is not None:
        return settings
    shown = f"[{host}]" if ":" in host else host
    return replace(settings, public_url=f"http://{shown}:{port}")


def _key_status(settings: Settings) -> str:
    """Whether the key is usable, without generating one (``serve`` would, at its start)."""
    database = sqlite_path(settings.database_url)
    if settings.secret_key is not None or database is None or settings.database_url == MEMORY_URL:
        settings.with_secret_key()  # refuses a short key, or a missing one with PostgreSQL
        return "usable" if settings.secret_key else "random per process (memory://)"
    key_file = key_file_of(Path(database))
    if not os.path.lexists(key_file):
        return f"will be generated in {key_file} at the first start"
    settings.with_secret_key()  # the checks serve makes: a private regular file, long enough
    return f"usable ({key_file})"


def key_file_of(database: Path) -> Path:
    """Where ``Settings.with_secret_key`` keeps a generated key for an SQLite database."""
    return database.with_name(database.name + ".secret-key")


def served(settings: Settings) -> AbstractContextManager[None]:
    """While ``webstore serve`` runs: its SQLite database is marked as held (see backup.py)."""
    database = sqlite_path(settings.database_url)
    if settings.database_url == MEMORY_URL or database is None or database == ":memory:":
        return nullcontext()
    return held_while_serving(Path(database))


def prepare_for_serve(url: str) -> None:
    """Bring the schema up to date and check the database before ``serve`` forks its workers,
    without psycopg (``require_serveable``).

    gunicorn's workers inherit the modules of the process that forks them, and psycopg must be
    imported after gevent has patched a worker: imported before, it waits for PostgreSQL with
    a selector that stops the whole worker (gevent_worker.py). So a PostgreSQL schema is
    upgraded by ``webstore db upgrade`` in a process of its own. SQLAlchemy and Alembic are
    imported here all the same, for the workers to inherit rather than import again.
    """
    preload_migrations()
    if sqlite_path(url) is not None:
        upgrade_schema(url)
        require_serveable(url)
        return
    done = subprocess.run(
        [sys.executable, "-m", "webstore", "db", "upgrade", "--for-serve"],
        env={**os.environ, "WEBSTORE_DATABASE_URL": url},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return
    lines = done.stderr.strip().splitlines()
    if len(lines) == 1 and lines[0].startswith("Error: "):
        raise click.ClickException(lines[0].removeprefix("Error: "))
    click.echo(done.stderr, err=True, nl=False)  # not our one-line refusal: all of it
    raise click.exceptions.Exit(done.returncode)


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
