"""Alembic, driven from code: the migration scripts ship inside the package, no alembic.ini."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from webstore.adapters.sql.engine import create_engine
from webstore.adapters.sql.operator import listing_triggers
from webstore.adapters.sql.runtime.availability import is_outage
from webstore.adapters.sql.tables import metadata
from webstore.application.errors import StorageUnavailable

SCRIPTS = Path(__file__).with_name("alembic")
# Any constant will do: it names the lock that serialises upgrades across processes.
ADVISORY_LOCK_KEY = 0x77656273746F7265  # "webstore"
FRESH_VERSIONS_SINCE = "0007"  # the revision whose triggers draw listing versions afresh


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration over the packaged scripts, using ``connection`` if given."""
    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(SCRIPTS))
    alembic_config.attributes["connection"] = connection
    return alembic_config


def upgrade(url: str) -> tuple[str | None, str | None]:
    """Bring the schema at ``url`` up to the newest revision; safe to run again, or at once.

    Returns the revisions before and after (``None`` before: there was no schema).
    """
    with _locked_connection(url) as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(config(connection), "head")
        after = MigrationContext.configure(connection).get_current_revision()
        if before != after and after is not None and after >= FRESH_VERSIONS_SINCE:
            # A migration may rewrite rows without firing the listing triggers.
            listing_triggers.forget_kept_listings(connection)
        return before, after


def missing_listing_triggers(url: str) -> list[str]:
    """The triggers listing caches rely on that the database at ``url`` lacks or has disabled
    (see ``listing_triggers``), for the revision it is at."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with _reported_outage(), engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            return listing_triggers.missing_in(connection, revision)
    finally:
        engine.dispose()


def is_at_head(url: str) -> bool | None:
    """Whether the schema at ``url`` is at the newest revision; ``None`` if it cannot be reached.

    A database that is down now may be up by the first request: that is for the health
    check to report, not a reason to refuse to start.
    """
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError:
        return None
    finally:
        engine.dispose()
    return current == set(ScriptDirectory.from_config(config()).get_heads())


def drift(url: str) -> list[Any]:
    """What differs between the live schema at ``url`` and the models (empty when in step)."""
    with _locked_connection(url) as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


@contextmanager
def _locked_connection(url: str) -> Iterator[Connection]:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        # One transaction around the whole upgrade: on SQLite it begins IMMEDIATE (one writer);
        # on PostgreSQL a transaction-scoped advisory lock makes a second process wait, then
        # find the schema at head. Both databases roll DDL back if a migration fails.
        with _reported_outage(), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            yield connection
    finally:
        engine.dispose()


def revisions(url: str) -> tuple[set[str], set[str]]:
    """The revisions the database at ``url`` is at, and the newest ones the package ships."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current, set(ScriptDirectory.from_config(config()).get_heads())


@contextmanager
def _reported_outage() -> Iterator[None]:
    """A database that cannot be reached is one line for the command line, not a traceback."""
    try:
        yield
    except Exception as error:
        if not is_outage(error):
            raise
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StorageUnavailable(f"cannot use the database: {reason}") from error
