"""The composition root: the one place that wires adapters to the use cases, and that hands
the entrypoints the operator's tools (backups, migrations, database checks)."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.adapters.passwords import Argon2Parameters, Argon2PasswordHasher
from webstore.adapters.pictures import PillowPictureProcessor
from webstore.adapters.signing import HmacCsrfTokenService, HmacRefreshTokenService
from webstore.adapters.system import SystemClock, SystemRandom
from webstore.application.accounts.sessions import SessionPolicy, TokenKit
from webstore.application.accounts.throttling import ThrottlePolicy
from webstore.application.errors import ConfigurationError
from webstore.application.mail.notices import DEFAULT_PUBLIC_URL, MailPolicy
from webstore.application.ports import (
    Clock,
    Mailer,
    PasswordHasher,
    PictureProcessor,
    RandomSource,
    UnitOfWorkFactory,
)
from webstore.application.store import Webstore
from webstore.concurrency import Concurrency
from webstore.config import MEMORY_URL, Settings, sqlite_path

if TYPE_CHECKING:
    from webstore.adapters.sql.operator.backup import BackupReport

NOT_AT_HEAD = (
    "the database schema is not at head: run `webstore db upgrade` or pass "
    "migrate=True to bootstrap()"
)


def bootstrap(
    settings: Settings | None = None,
    *,
    uow: UnitOfWorkFactory | None = None,
    hasher: PasswordHasher | None = None,
    clock: Clock | None = None,
    random: RandomSource | None = None,
    pictures: PictureProcessor | None = None,
    mailer: Mailer | None = None,
    migrate: bool = False,
    concurrency: Concurrency = Concurrency.THREADS,
) -> Webstore:
    """Build a ``Webstore`` over ``settings.database_url`` (``memory://`` for no database).

    Any port can be passed in instead (tests pass fakes; ``mailer`` replaces the one
    ``WEBSTORE_MAIL_URL`` names); ``migrate=True`` brings an SQL schema up to date first
    (creating an SQLite file). Without it, a database whose schema is behind (or empty), or an
    SQLite file that does not exist, is refused at once with ``ConfigurationError``, rather
    than failing on its first query; nothing is made then. ``concurrency`` is how the process
    serves requests, as the entrypoint that starts it knows: ``Concurrency.COOPERATIVE`` says
    the store runs in a gevent worker, where blocking calls are handed to native threads and a
    wait on PostgreSQL can be cut short (each unit of work then gets ``settings.db_timeout``
    seconds in all).
    """
    settings = settings or Settings.from_env()
    if not _key_kept_beside(settings):
        settings = settings.with_secret_key()  # refused before anything is opened or made
    # A database refused (missing, or its schema behind) leaves no key file behind either.
    uow = uow or _unit_of_work_factory(settings, migrate, concurrency)
    settings = settings.with_secret_key()
    assert isinstance(settings.secret_key, bytes)  # text is encoded by Settings itself
    # Imported here: PyJWT imports names from ssl (jwt.jwks_client). ``webstore serve``'s
    # master process never builds a store, so it never loads PyJWT, and each gevent worker
    # patches ssl before anything holds on to its unpatched classes (MonkeyPatchWarning).
    from webstore.adapters.tokens import JwtAccessTokenService

    clock = clock or SystemClock()
    random = random or SystemRandom()
    return Webstore(
        uow=uow,
        hasher=hasher
        or Argon2PasswordHasher(
            Argon2Parameters(
                settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
            )
        ),
        tokens=TokenKit(
            access=JwtAccessTokenService(
                settings.secret_key, timedelta(seconds=settings.access_token_ttl), clock
            ),
            refresh=HmacRefreshTokenService(settings.secret_key, random),
            csrf=HmacCsrfTokenService(
                settings.secret_key, random, clock, timedelta(seconds=settings.refresh_token_ttl)
            ),
        ),
        clock=clock,
        random=random,
        policy=SessionPolicy(
            refresh_lifetime=timedelta(seconds=settings.refresh_token_ttl),
            reuse_grace=timedelta(seconds=settings.refresh_reuse_grace),
        ),
        throttle=ThrottlePolicy(
            per_username=settings.login_failures_per_username,
            per_address=settings.login_failures_per_address,
            window=timedelta(seconds=settings.login_failure_window),
        ),
        picture_processor=pictures or PillowPictureProcessor(concurrency),
        mail=MailPolicy(
            staff=settings.staff_email,
            public_url=settings.public_url or DEFAULT_PUBLIC_URL,
            reset_lifetime=timedelta(seconds=settings.password_reset_ttl),
        ),
        mailer=mailer or _mailer(settings),
    )


def _mailer(settings: Settings) -> Mailer | None:
    url = settings.mail_url_or_default()
    if url is None:
        return None  # mail waits in the outbox: nothing here may send it
    from webstore.adapters.mail import mailer_for

    return mailer_for(url, settings.mail_from)


def _key_kept_beside(settings: Settings) -> bool:
    """Whether the key is to be generated (or read) in a file beside an SQLite database."""
    return settings.secret_key is None and sqlite_path(settings.database_url) is not None


def _unit_of_work_factory(
    settings: Settings, migrate: bool, concurrency: Concurrency
) -> UnitOfWorkFactory:
    if settings.database_url == MEMORY_URL:
        return InMemoryUnitOfWorkFactory()
    if sqlite_path(settings.database_url) == ":memory:":
        raise ConfigurationError(
            "an in-memory SQLite database lives in one connection only: use memory:// instead"
        )
    database = sqlite_path(settings.database_url)
    if not migrate and database is not None and not os.path.exists(database):
        raise ConfigurationError(
            f"the database {os.path.abspath(database)} does not exist: run `webstore db "
            "upgrade` or pass migrate=True to bootstrap()"
        )
    # Imported here so that the in-memory mode never loads SQLAlchemy.
    from webstore.adapters.sql.operator.migrations import is_at_head, upgrade
    from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory

    if migrate:
        upgrade(settings.database_url)
    elif is_at_head(settings.database_url) is False:
        raise ConfigurationError(NOT_AT_HEAD)
    return SqlAlchemyUnitOfWorkFactory.from_url(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        timeout=settings.db_timeout,
        concurrency=concurrency,
    )


# The operator's tools, for the command line. Each imports its adapter when called: the
# command line loads SQLAlchemy, Alembic or the mail adapters only for what it does, and
# ``webstore serve``'s master process never loads psycopg (see ``prepare_for_serve``).


def require_valid_database_url(url: str) -> None:
    """``ConfigurationError`` for a URL that does not parse, without repeating it (it may hold
    a password)."""
    from webstore.adapters.sql.operator.backup import parsed_url

    parsed_url(url)


def pg_dump_command(url: str, target: Path) -> str:
    """The ``pg_dump`` command that backs up the PostgreSQL database at ``url`` to ``target``,
    without its password."""
    from webstore.adapters.sql.operator import backup

    return backup.pg_dump_command(url, target)


def back_up_sqlite(database: Path, target: Path) -> BackupReport:
    """A consistent, checked copy of the SQLite ``database`` at ``target``, taken while it
    serves."""
    from webstore.adapters.sql.operator import backup

    return backup.backup(database, target)


def restore_sqlite(backup_file: Path, database: Path) -> Path | None:
    """Replace the SQLite ``database`` with ``backup_file``; where the previous one was kept,
    if there was one. Refused while a server holds the database."""
    from webstore.adapters.sql.operator import backup

    return backup.restore(backup_file, database)


def held_while_serving(database: Path) -> AbstractContextManager[None]:
    """Mark the SQLite ``database`` as served for the duration (a restore is refused then)."""
    from webstore.adapters.sql.operator.backup import held_by_server

    return held_by_server(database)


def upgrade_schema(url: str) -> tuple[str | None, str | None]:
    """Apply every migration up to head: the revisions before and after."""
    from webstore.adapters.sql.operator.migrations import upgrade

    return upgrade(url)


def preload_migrations() -> None:
    """Import SQLAlchemy and Alembic (never psycopg) in this process, for the workers it forks
    to inherit rather than import again."""
    import webstore.adapters.sql.operator.migrations  # noqa: F401


def schema_revisions(url: str) -> tuple[set[str], set[str]]:
    """The revisions the database is at, and the heads the code needs."""
    from webstore.adapters.sql.operator.migrations import revisions

    return revisions(url)


def require_durable_commits(url: str) -> None:
    """``ConfigurationError`` if the database's connections would answer a commit before the
    disk has it."""
    from webstore.adapters.sql import engine as engines

    engine = engines.create_engine(url, pool_size=1, max_overflow=0)
    try:
        engines.require_durable_commits(engine)
    finally:
        engine.dispose()


def require_listing_triggers(url: str) -> None:
    """``ConfigurationError``, in one line, for a database whose listing caches would go stale
    (the triggers that keep them current are missing)."""
    from webstore.adapters.sql.operator import listing_triggers
    from webstore.adapters.sql.operator.migrations import missing_listing_triggers

    missing = missing_listing_triggers(url)
    if missing:
        raise ConfigurationError(f"database {listing_triggers.refusal(missing)}")


def mail_destination_of(url: str, sender: str) -> str:
    """Where the mailer a ``WEBSTORE_MAIL_URL`` names sends, in words without a password;
    ``ConfigurationError`` for a bad URL."""
    from webstore.adapters.mail import describe, mailer_for

    return describe(mailer_for(url, sender))
