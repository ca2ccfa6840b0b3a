"""The ``webstore`` command line: serve, migrate, and the everyday admin chores (README)."""

from __future__ import annotations

import secrets
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from webstore.application.errors import ConfigurationError
from webstore.application.imports import InvalidImport
from webstore.application.product_files import ProductFile, guess_format
from webstore.application.store import Webstore
from webstore.bootstrap import bootstrap
from webstore.config import MEMORY_URL, Settings
from webstore.domain.errors import WebstoreError
from webstore.entrypoints import cli_ops, logs, mail_sender
from webstore.entrypoints.progress import TerminalProgress

P = ParamSpec("P")
R = TypeVar("R")
DEMO_CATALOGUE = (
    ("Red chair", "A sturdy beech chair, painted red.", "49.90", 12),
    ("Oak table", "Seats six; oiled solid oak.", "349.00", 3),
    ("Desk lamp", "Warm white LED, adjustable arm.", "24.99", 40),
    ("Wool blanket", "150 x 200 cm, undyed wool.", "79.50", 15),
    ("Coffee mug", "Stoneware, 350 ml.", "9.99", 120),
)


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the store's own errors into one line on stderr and a non-zero exit code."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ConfigurationError as error:
            raise click.ClickException(str(error)) from None
        except WebstoreError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


def load_settings() -> Settings:
    return Settings.from_env().with_secret_key()


def open_store() -> Webstore:
    """The store over the configured database, its schema brought up to date."""
    return bootstrap(load_settings(), migrate=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Run and administer the webstore backend (configured by WEBSTORE_* variables)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--check", is_flag=True, help="Only validate configuration and database.")
@friendly_errors
def serve(host: str, port: int, workers: int, check: bool) -> None:
    """Bring the schema up to date, then serve the API with gunicorn; a sender process beside
    it mails what the outbox holds."""
    from webstore.entrypoints.server import run_gunicorn

    if check:
        for line in cli_ops.check(Settings.from_env()):
            click.echo(line)
        return
    settings = load_settings()  # resolved once, so that every worker shares one key
    if settings.database_url == MEMORY_URL and workers > 1:
        raise click.ClickException("memory:// keeps data per process: use --workers 1")
    # What --check refuses is refused before anything starts.
    if cli_ops.mail_destination(settings) == cli_ops.MAIL_WAITS:
        click.echo(f"webstore: mail {cli_ops.MAIL_WAITS}", err=True)
    settings = cli_ops.with_public_url(settings, host, port)
    with cli_ops.served(settings):  # a restore is refused while this server runs
        if settings.database_url != MEMORY_URL:
            cli_ops.prepare_for_serve(settings.database_url)
        run_gunicorn(settings, host=host, port=port, workers=workers)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
# What ``serve`` runs in a process of its own on PostgreSQL (``cli_ops.prepare_for_serve``):
# the upgrade, then the checks ``serve`` makes before it forks its workers.
@click.option("--for-serve", is_flag=True, hidden=True)
@friendly_errors
def db_upgrade(for_serve: bool) -> None:
    """Apply every Alembic migration up to head."""
    from webstore.adapters.sql.migrations import upgrade

    settings = Settings.from_env()
    if settings.database_url == MEMORY_URL:
        raise click.ClickException("memory:// has no schema to upgrade")
    before, after = upgrade(settings.database_url)
    if for_serve:
        cli_ops.require_serveable(settings.database_url)
    click.echo(upgrade_report(before, after))


def upgrade_report(before: str | None, after: str | None) -> str:
    """What ``db upgrade`` did, in one line."""
    if before is None:
        return f"created the database schema (revision {after})"
    if before == after:
        return f"the database schema is already current (revision {after})"
    return f"upgraded the database schema from revision {before} to {after}"


db.add_command(cli_ops.backup)
db.add_command(cli_ops.restore)


@main.command("create-superuser")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly_errors
def create_superuser(username: str, email: str, password_stdin: bool) -> None:
    """Create a superuser; the password comes from a prompt or from stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = open_store().create_superuser(username, email, password)
    click.echo(f"superuser {user.username} created (id {user.user_id})")


@main.group()
def products() -> None:
    """Catalogue commands."""


@products.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def products_import(file: Path) -> None:
    """Import products from CSV or JSON lines (name, description, price, amount): all or nothing.

    A CSV header names the columns in any order (description optional); without one the
    columns are name, description, price, amount. Every bad line is reported; nothing is
    imported then.
    """
    data = file.read_bytes()
    source = ProductFile(data, guess_format(data))
    try:
        with TerminalProgress("importing products") as progress:
            store = open_store()
            imported = store.import_product_file(store.operator, source, progress=progress)
    except InvalidImport as error:
        for problem in error.problems[:-1]:
            click.echo(f"Error: {problem}", err=True)
        raise click.ClickException(error.problems[-1]) from None
    click.echo(f"imported {imported} products")


@main.group()
def users() -> None:
    """User administration."""


@users.command("deactivate")
@click.argument("username")
@friendly_errors
def users_deactivate(username: str) -> None:
    """Forbid a user to log in and end all of that user's sessions."""
    store = open_store()
    user = store.set_user_active(store.operator, username, False)
    click.echo(f"user {user.username} deactivated; all sessions ended")


@users.command("activate")
@click.argument("username")
@friendly_errors
def users_activate(username: str) -> None:
    """Allow a deactivated user to log in again."""
    store = open_store()
    user = store.set_user_active(store.operator, username, True)
    click.echo(f"user {user.username} activated")


@main.group()
def mail() -> None:
    """The outbox: mail stored with the changes it reports, sent once they are committed."""


@mail.command("send-pending")
@click.option("--watch", is_flag=True, help="Keep sending as mail comes, until SIGTERM or Ctrl-C.")
@click.option("--parent", type=int, hidden=True)  # webstore serve's pid: stop when it is gone
@friendly_errors
def mail_send_pending(watch: bool, parent: int | None) -> None:
    """Send the mail that is due (retried with back-off when the server does not take it).

    Safe beside other senders, on this node or others: each message is claimed by one.
    ``webstore serve`` runs one of its own; this is for sending without a server, or from cron.
    """
    settings = load_settings()
    if settings.mail_url_or_default() is None:
        raise click.ClickException(cli_ops.NO_MAIL_URL)
    where = cli_ops.mail_destination(settings)
    store = bootstrap(settings)
    logs.configure(settings.log_format)
    if not watch:
        report = store.send_pending_mail()
        mail_sender.log_report(report)
        counts = {outcome.value: report.count(outcome) for outcome in mail_sender.DeliveryOutcome}
        click.echo(
            f"sent {counts['sent']}, to be retried {counts['retrying']}, "
            f"given up {counts['failed']} ({where})"
        )
        return
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    mail_sender.log.info("sending mail to %s", where)
    mail_sender.watch(store, stop, parent=parent)


@main.command()
@friendly_errors
def demo() -> None:
    """Fill an empty database with a demo catalogue and users, and print their credentials."""
    store = open_store()
    if store.list_products(limit=1).total:
        raise click.ClickException("the database already has products; demo fills empty ones only")
    credentials = {"demo-admin": secrets.token_urlsafe(12), "demo": secrets.token_urlsafe(12)}
    # The superuser first: if the names are taken, nothing has been added yet.
    store.create_superuser("demo-admin", "demo-admin@example.com", credentials["demo-admin"])
    store.register_user("demo", "demo@example.com", credentials["demo"])
    store.import_products(
        store.operator,
        ({"name": n, "description": d, "price": p, "amount": a} for n, d, p, a in DEMO_CATALOGUE),
    )
    click.echo(f"added {len(DEMO_CATALOGUE)} products")
    for username, password in credentials.items():
        click.echo(f"{username} / {password}")
