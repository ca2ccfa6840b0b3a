"""The operator's everyday commands: users, orders, the version."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY, fast_settings
from webstore import Principal, ProductSnapshot, Webstore, bootstrap
from webstore.entrypoints.cli.main import main
from webstore.errors import InvalidCredentials, InvalidToken

HOME = ("1 Main St", "+1 555 0100")


@pytest.fixture
def env(sqlite_url: str) -> dict[str, str]:
    return {
        "WEBSTORE_DATABASE_URL": sqlite_url,
        "WEBSTORE_SECRET_KEY": TEST_SECRET_KEY.decode(),
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    }


@pytest.fixture
def store(sqlite_url: str) -> Webstore:
    return bootstrap(fast_settings(sqlite_url, refresh_reuse_grace=0), migrate=True)


@pytest.fixture
def chair(store: Webstore) -> ProductSnapshot:
    return store.add_product(store.operator, {"name": "Red chair", "price": "19.99", "amount": 9})


def webstore(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def customer(store: Webstore, name: str) -> Principal:
    store.register_user(name, f"{name}@example.com", f"{name}'s password")
    return store.log_in(name, f"{name}'s password").user


def test_version_prints_the_installed_version(env: dict[str, str]) -> None:
    result = webstore(env, "--version")
    assert (result.exit_code, result.output) == (0, f"webstore {version('webstore')}\n")


def test_users_list_shows_a_table_and_searches(env: dict[str, str], store: Webstore) -> None:
    store.create_superuser("root", "root@example.com", "root's password")
    customer(store, "alice")
    store.set_user_active(store.operator, customer(store, "bob").user_id, False)

    listed = webstore(env, "users", "list")
    found = webstore(env, "users", "list", "--search", "ALI")

    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "id  username  email              active  superuser",
        "1   root      root@example.com   yes     yes",
        "2   alice     alice@example.com  yes     no",
        "3   bob       bob@example.com    no      no",
    ]
    assert found.output.splitlines()[1:] == ["2   alice     alice@example.com  yes     no"]


def test_users_set_password_changes_it_and_ends_the_users_sessions(
    env: dict[str, str], store: Webstore
) -> None:
    customer(store, "alice")
    login = store.log_in("alice", "alice's password")

    result = webstore(env, "users", "set-password", "ALICE", "--password-stdin", stdin="new one!\n")

    assert (result.exit_code, result.output) == (
        0,
        "password of ALICE changed; all sessions ended\n",
    )
    with pytest.raises(InvalidToken):
        store.authenticate(login.access_token)
    with pytest.raises(InvalidCredentials):
        store.log_in("alice", "alice's password")
    assert store.log_in("alice", "new one!").user.username == "alice"


def test_users_set_password_prompts_twice_and_refuses_a_weak_one(
    env: dict[str, str], store: Webstore
) -> None:
    customer(store, "alice")
    weak = webstore(env, "users", "set-password", "alice", stdin="12345678901\n12345678901\n")
    assert weak.exit_code == 1
    assert "entirely numeric" in weak.output
    assert webstore(env, "users", "set-password", "alice", stdin="pass word 2\n" * 2).exit_code == 0
    assert store.log_in("alice", "pass word 2")


def test_orders_list_filters_by_status_and_user(
    env: dict[str, str], store: Webstore, chair: ProductSnapshot
) -> None:
    alice, bob = customer(store, "alice"), customer(store, "bob")
    first = store.place_order(alice, *HOME, [{"product_id": chair.id, "amount": 2}])
    second = store.place_order(bob, *HOME, [{"product_id": chair.id, "amount": 1}])
    third = store.place_order(alice, *HOME, [{"product_id": chair.id, "amount": 3}])
    store.complete_order(store.operator, first.id)

    every = webstore(env, "orders", "list")
    pending = webstore(env, "orders", "list", "--status", "pending")
    alices_pending = webstore(env, "orders", "list", "--user", "Alice", "--status", "pending")

    assert every.exit_code == 0, every.output
    header, *rows = every.output.splitlines()
    assert header.split() == ["id", "created", "user", "status", "units", "total"]
    assert [row.split()[:1] + row.split()[3:] for row in rows] == [
        [str(third.id), "alice", "pending", "3", "59.97"],
        [str(second.id), "bob", "pending", "1", "19.99"],
        [str(first.id), "alice", "completed", "2", "39.98"],
    ]
    assert [row.split()[0] for row in pending.output.splitlines()[1:]] == [
        str(third.id),
        str(second.id),
    ]
    assert [row.split()[0] for row in alices_pending.output.splitlines()[1:]] == [str(third.id)]


def test_orders_list_for_an_unknown_user_fails_in_one_line(env: dict[str, str]) -> None:
    webstore(env, "db", "upgrade")
    result = webstore(env, "orders", "list", "--user", "nobody")
    assert result.exit_code == 1
    assert result.output.startswith("Error: user nobody does not exist (database: ")


def test_orders_complete_and_cancel(
    env: dict[str, str], store: Webstore, chair: ProductSnapshot
) -> None:
    alice = customer(store, "alice")
    done = store.place_order(alice, *HOME, [{"product_id": chair.id, "amount": 2}])
    dropped = store.place_order(alice, *HOME, [{"product_id": chair.id, "amount": 3}])

    completed = webstore(env, "orders", "complete", str(done.id))
    cancelled = webstore(env, "orders", "cancel", str(dropped.id))
    again = webstore(env, "orders", "cancel", str(dropped.id))
    missing = webstore(env, "orders", "complete", "999")

    assert (completed.exit_code, completed.output) == (0, f"order {done.id} completed\n")
    assert cancelled.output == f"order {dropped.id} cancelled; its units are back in stock\n"
    assert store.get_order(store.operator, done.id).status.value == "completed"
    assert store.get_product(None, chair.id).stock == 9 - 2
    assert again.exit_code == 1 and len(again.output.splitlines()) == 1
    assert missing.exit_code == 1
    assert missing.output.startswith("Error: order 999 does not exist")
