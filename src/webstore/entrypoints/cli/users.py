"""``webstore users``: list accounts, set a password, deactivate and activate."""

from __future__ import annotations

import click

from webstore.entrypoints.cli.support import (
    friendly_errors,
    new_password,
    open_store,
    table,
    yes_no,
)


@click.group()
def users() -> None:
    """User administration."""


@users.command("list")
@click.option("--search", help="Only users whose username or email contains this.")
@friendly_errors
def users_list(search: str | None) -> None:
    """Every user account by id (the search ignores case and accents)."""
    store = open_store()
    found = store.list_users(store.operator, search=search).items
    rows = [(u.id, u.username, u.email, yes_no(u.is_active), yes_no(u.is_superuser)) for u in found]
    for line in table(("id", "username", "email", "active", "superuser"), rows):
        click.echo(line)


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly_errors
def users_set_password(username: str, password_stdin: bool) -> None:
    """Give a user a new password and end all of that user's sessions."""
    store = open_store()
    store.change_password(store.operator, username, new_password(password_stdin))
    click.echo(f"password of {username} changed; all sessions ended")


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
