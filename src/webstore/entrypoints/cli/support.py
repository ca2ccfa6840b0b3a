"""What the ``webstore`` commands share: opening the store, and one-line errors that say which
database the command used."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import click

from webstore.application.errors import ConfigurationError
from webstore.application.store import Webstore
from webstore.bootstrap import bootstrap
from webstore.config import (
    DEFAULT_DATABASE_URL,
    MEMORY_URL,
    MIN_SECRET_BYTES,
    Settings,
    database_url,
    sqlite_path,
)
from webstore.domain.errors import WebstoreError

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the store's own errors into one line on stderr and a non-zero exit code."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WebstoreError as error:  # ConfigurationError included
            raise click.ClickException(str(error)) from None

    return wrapper


def open_store(*, create: bool = False) -> Webstore:
    """The store over the configured database, its schema brought up to date.

    An SQLite file that does not exist is refused unless ``create``, and nothing is made
    then: a command run from another folder must not quietly start a new, empty shop there.
    """
    settings = Settings.from_env()
    if not create:
        require_database(settings)
    store = bootstrap(signing_nothing(settings), migrate=True)
    click.get_current_context().call_on_close(store.close)
    return store


def signing_nothing(settings: Settings) -> Settings:
    """``settings`` for a command that signs and verifies no token (all but ``serve``).

    A key that is given is still checked; without one, a random key that is never stored
    stands in, so that these commands need no WEBSTORE_SECRET_KEY and write no key file.
    """
    if settings.secret_key is not None:
        return settings.with_secret_key()
    return replace(settings, secret_key=secrets.token_bytes(MIN_SECRET_BYTES))


def require_database(settings: Settings) -> None:
    """Refuse, in one line, an SQLite database file that does not exist."""
    path = sqlite_path(settings.database_url)
    if path is None or path == ":memory:" or os.path.exists(path):
        return
    raise MissingDatabase(
        f"database {os.path.abspath(path)} does not exist: run `webstore db upgrade` to create "
        "it, or set WEBSTORE_DATABASE_URL to the database you meant"
    )


class MissingDatabase(click.ClickException):
    """The database file is not there (the message names it)."""


class NamingTheDatabase(click.Group):
    """The root group: a command that fails says, on its one line, which database it used."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.UsageError, MissingDatabase):
            raise  # wrong arguments, so no database yet; or the message names it already
        except click.ClickException as error:
            raise click.ClickException(naming_the_database(error.format_message())) from None


def naming_the_database(message: str) -> str:
    """``message`` followed by the database in use (if the settings name a usable one)."""
    database = database_in_use()
    if database is None:
        return message
    return f"{message} (database: {database})"


def database_in_use() -> str | None:
    """The configured database, for people: an SQLite file's absolute path, a server's URL
    without its password; ``None`` if WEBSTORE_DATABASE_URL is not usable (its own error
    says so, never repeating it)."""
    try:
        url = database_url(os.environ.get("WEBSTORE_DATABASE_URL") or DEFAULT_DATABASE_URL)
    except ConfigurationError:
        return None
    path = sqlite_path(url)
    if url == MEMORY_URL or path == ":memory:":
        return url
    if path is not None:
        return os.path.abspath(path)
    return _without_secrets(url)


def _without_secrets(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # its own error says so, without repeating it
        return None
    query = {key: value for key, value in parsed.query.items() if "pass" not in key.lower()}
    return parsed.set(query=query).render_as_string(hide_password=True)


def new_password(from_stdin: bool) -> str:
    """A password: the first line of standard input, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Lines of a plain-text table, its columns left-aligned under ``headers``."""
    cells = [list(headers), *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
