"""The ``webstore`` command line: serve, migrate, and the everyday admin chores (README)."""

from __future__ import annotations

import secrets
import signal
import threading
from pathlib import Path

import click

from webstore.application.catalogue.imports import ImportReport, InvalidImport
from webstore.application.catalogue.product_files import ProductFile, guess_format
from webstore.bootstrap import upgrade_schema
from webstore.config import MEMORY_URL, Settings
from webstore.entrypoints.cli import database
from webstore.entrypoints.cli.orders import orders
from webstore.entrypoints.cli.progress import TerminalProgress
from webstore.entrypoints.cli.support import (
    NamingTheDatabase,
    friendly_errors,
    new_password,
    open_store,
)
from webstore.entrypoints.cli.users import users
from webstore.entrypoints.serve import logs, mail_sender

DEMO_CATALOGUE = (
    ("Red chair", "A sturdy beech chair, painted red.", "49.90", 12),
    ("Oak table", "Seats six; oiled solid oak.", "349.00", 3),
    ("Desk lamp", "Warm white LED, adjustable arm.", "24.99", 40),
    ("Wool blanket", "150 x 200 cm, undyed wool.", "79.50", 15),
    ("Coffee mug", "Stoneware, 350 ml.", "9.99", 120),
)


def load_settings() -> Settings:
    return Settings.from_env().with_secret_key()


@click.group(cls=NamingTheDatabase, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="webstore", prog_name="webstore", message="%(prog)s %(version)s")
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
    from webstore.entrypoints.serve.server import run_gunicorn

    if check:
        for line in database.check(Settings.from_env()):
            click.echo(line)
        return
    settings = load_settings()  # resolved once, so that every worker shares one key
    if settings.database_url == MEMORY_URL and workers > 1:
        raise click.ClickException("memory:// keeps data per process: use --workers 1")
    # What --check refuses is refused before anything starts.
    if database.mail_destination(settings) == database.MAIL_WAITS:
        click.echo(f"webstore: mail {database.MAIL_WAITS}", err=True)
    settings = database.with_public_url(settings, host, port)
    with database.served(settings):  # a restore is refused while this server runs
        if settings.database_url != MEMORY_URL:
            database.prepare_for_serve(settings.database_url)
        run_gunicorn(settings, host=host, port=port, workers=workers)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
# What ``serve`` runs in a process of its own on PostgreSQL (``database.prepare_for_serve``):
# the upgrade, then the checks ``serve`` makes before it forks its workers.
@click.option("--for-serve", is_flag=True, hidden=True)
@friendly_errors
def db_upgrade(for_serve: bool) -> None:
    """Apply every Alembic migration up to head."""
    settings = Settings.from_env()
    if settings.database_url == MEMORY_URL:
        raise click.ClickException("memory:// has no schema to upgrade")
    before, after = upgrade_schema(settings.database_url)
    if for_serve:
        database.require_serveable(settings.database_url)
    click.echo(upgrade_report(before, after))


def upgrade_report(before: str | None, after: str | None) -> str:
    """What ``db upgrade`` did, in one line."""
    if before is None:
        return f"created the database schema (revision {after})"
    if before == after:
        return f"the database schema is already current (revision {after})"
    return f"upgraded the database schema from revision {before} to {after}"


db.add_command(database.backup)
db.add_command(database.restore)


@main.command("create-superuser")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly_errors
def create_superuser(username: str, email: str, password_stdin: bool) -> None:
    """Create a superuser; the password comes from a prompt or from stdin."""
    user = open_store().create_superuser(username, email, new_password(password_stdin))
    click.echo(f"superuser {user.username} created (id {user.user_id})")


@main.group()
def products() -> None:
    """Catalogue commands."""


@products.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True, help="Change the products whose names exist already.")
@friendly_errors
def products_import(file: Path, update: bool) -> None:
    """Import products from CSV or JSON lines (name, description, price, amount): all or nothing.

    A CSV header names the columns in any order (description optional); without one the
    columns are name, description, price, amount. Commas, semicolons or tabs separate them.
    Every bad line is reported; nothing is imported then. A product whose name (ignoring case
    and accents) exists already is refused, unless --update: then its price, stock and (if
    given) description change.
    """
    data = file.read_bytes()
    source = ProductFile(data, guess_format(data))
    try:
        with TerminalProgress("importing products") as progress:
            store = open_store()
            report = store.import_product_file(
                store.operator, source, update=update, progress=progress
            )
    except InvalidImport as error:
        *first, last = [*error.problems, *existing_names_hint(error)]
        for problem in first:
            click.echo(f"Error: {problem}", err=True)
        raise click.ClickException(last) from None
    click.echo(import_summary(report, update=update))


def existing_names_hint(error: InvalidImport) -> list[str]:
    """What to do when the file names products that exist: a line to print, or none."""
    if not error.existing_names:
        return []
    products = plural(error.existing_names, "product")
    exist = "exists" if error.existing_names == 1 else "exist"
    return [
        f"nothing imported: {products} of the file {exist} already; import with --update "
        "to change them"
    ]


def import_summary(report: ImportReport, *, update: bool) -> str:
    added = f"added {plural(report.added, 'product')}"
    return f"{added}, updated {report.updated}" if update else added


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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
    settings = Settings.from_env()
    if settings.mail_url_or_default() is None:
        raise click.ClickException(database.NO_MAIL_URL)
    where = database.mail_destination(settings)
    store = open_store()
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
    store = open_store(create=True)
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


main.add_command(users)
main.add_command(orders)
