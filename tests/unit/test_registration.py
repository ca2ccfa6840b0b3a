from __future__ import annotations

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock
from tests.unit.conftest import ALICE_PASSWORD, stored_user
from webstore import Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.errors import InvalidCredentials, InvalidInput, UsernameTaken


def test_registering_creates_a_regular_user_as_spelled(store: Webstore) -> None:
    alice = store.register_user("  Alice ", "alice@Example.COM", ALICE_PASSWORD)
    assert (alice.username, alice.email, alice.is_superuser) == (
        "Alice",
        "alice@example.com",
        False,
    )
    assert stored_user(store, "alice").id == alice.user_id


def test_a_superuser_can_be_created(store: Webstore) -> None:
    root = store.create_superuser("root", "root@example.com", "correct horse battery staple")
    assert root.is_superuser
    assert stored_user(store, "ROOT").is_superuser


def test_users_get_distinct_ids(store: Webstore) -> None:
    alice = store.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    hatter = store.register_user("hatter", "hatter@example.com", "ten-and-sixpence")
    assert alice.user_id != hatter.user_id


@pytest.mark.parametrize(
    "variant",
    ["Alice", "ALICE", "alice", "  alice  ", "\uff21\uff4c\uff49\uff43\uff45", "\U0001d41alice"],
    ids=["same", "upper", "lower", "padded", "full-width", "mathematical-bold-a"],
)
def test_a_username_is_taken_whatever_its_case_or_unicode_spelling(
    store: Webstore, variant: str
) -> None:
    store.register_user("Alice", "alice@example.com", ALICE_PASSWORD)
    with pytest.raises(UsernameTaken, match=r"^username is used$"):
        store.register_user(variant, "impostor@example.com", "a different secret")
    assert stored_user(store, "alice").email == "alice@example.com"


def test_a_username_with_an_accent_is_taken_by_its_decomposed_spelling(store: Webstore) -> None:
    store.register_user("Élodie", "elodie@example.com", "bonjour tout le monde")
    with pytest.raises(UsernameTaken):
        store.register_user("E\u0301LODIE", "impostor@example.com", "a different secret")


def test_a_dotless_i_and_its_capital_are_one_username(store: Webstore) -> None:
    store.register_user("Irmak", "irmak@example.com", "merhaba dunya")
    with pytest.raises(UsernameTaken):
        store.register_user("\u0131rmak", "impostor@example.com", "a different secret")


def test_invalid_sign_up_data_is_refused_field_by_field(store: Webstore) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.register_user(None, "not an address", "12345678")
    assert caught.value.errors == {
        "username": ["This field may not be null."],
        "email": ["Enter a valid email address."],
        "password": ["This password is entirely numeric."],
    }
    assert caught.value.detail == "username: This field may not be null."


@pytest.mark.parametrize("field", ["username", "email", "password"])
def test_a_field_that_is_not_a_string_is_refused(store: Webstore, field: str) -> None:
    data: dict[str, object] = {
        "username": "alice",
        "email": "alice@example.com",
        "password": ALICE_PASSWORD,
        field: 12345678,
    }
    with pytest.raises(InvalidInput) as caught:
        store.register_user(data["username"], data["email"], data["password"])
    assert caught.value.errors == {field: ["Not a valid string."]}


def test_a_refused_sign_up_stores_nobody(store: Webstore) -> None:
    with pytest.raises(InvalidInput):
        store.register_user("alice", "alice@example.com", "short")
    store.register_user("alice", "alice@example.com", ALICE_PASSWORD)


def test_the_password_is_stored_only_as_an_argon2id_hash() -> None:
    store = bootstrap(fast_settings(), clock=FakeClock())
    store.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    stored = stored_user(store, "alice").password_hash
    assert stored.startswith("$argon2id$")
    assert ALICE_PASSWORD not in stored
    assert store.hasher.verify(stored, ALICE_PASSWORD)


def test_two_users_with_the_same_password_get_different_hashes() -> None:
    store = bootstrap(fast_settings(), clock=FakeClock())
    store.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    store.register_user("hatter", "hatter@example.com", ALICE_PASSWORD)
    assert stored_user(store, "alice").password_hash != stored_user(store, "hatter").password_hash


def test_registration_through_two_stores_over_one_database_still_refuses_twins() -> None:
    database = InMemoryUnitOfWorkFactory()
    first = bootstrap(fast_settings(), uow=database, clock=FakeClock())
    second = bootstrap(fast_settings(), uow=database, clock=FakeClock())
    first.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    with pytest.raises(UsernameTaken):
        second.register_user("ALICE", "alice@example.com", ALICE_PASSWORD)
    with pytest.raises(InvalidCredentials):
        second.log_in("alice", "wrong password")
