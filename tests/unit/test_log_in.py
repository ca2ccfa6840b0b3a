from __future__ import annotations

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import ALICE_PASSWORD, stored_user
from webstore import Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.errors import InvalidCredentials, InvalidInput


@pytest.fixture
def registered(store: Webstore) -> Webstore:
    store.register_user("Alice", "alice@example.com", ALICE_PASSWORD)
    return store


def test_logging_in_hands_out_three_tokens_and_who_logged_in(registered: Webstore) -> None:
    login = registered.log_in("alice", ALICE_PASSWORD)
    assert login.access_token and login.refresh_token and login.csrf_token
    assert (login.user.username, login.user.email) == ("Alice", "alice@example.com")
    assert login.user.session_id is not None
    assert registered.authenticate(login.access_token) == login.user


@pytest.mark.parametrize("spelling", ["alice", "ALICE", "  aLiCe  ", "\uff41lice"])
def test_the_username_matches_whatever_its_case_showing_the_registered_spelling(
    registered: Webstore, spelling: str
) -> None:
    assert registered.log_in(spelling, ALICE_PASSWORD).user.username == "Alice"


def test_every_login_opens_its_own_session(registered: Webstore) -> None:
    first = registered.log_in("alice", ALICE_PASSWORD)
    second = registered.log_in("alice", ALICE_PASSWORD)
    assert first.user.session_id != second.user.session_id
    assert first.refresh_token != second.refresh_token
    registered.log_out(first.refresh_token, first.csrf_token)
    assert registered.authenticate(second.access_token).username == "Alice"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("hatter", ALICE_PASSWORD),
        ("alice", "down the rabbit hole!"),
        ("alice", " down the rabbit hole"),  # passwords are never trimmed
        ("alice", ALICE_PASSWORD.upper()),
        ("alice", ""),
    ],
    ids=["unknown-user", "wrong-password", "padded-password", "wrong-case", "empty-password"],
)
def test_unknown_users_and_wrong_passwords_fail_alike(
    registered: Webstore, username: str, password: str
) -> None:
    with pytest.raises(InvalidCredentials) as caught:
        registered.log_in(username, password)
    assert type(caught.value) is InvalidCredentials
    assert caught.value.detail == "user not found"


def test_an_inactive_user_fails_like_an_unknown_one_even_with_the_right_password(
    registered: Webstore,
) -> None:
    registered.set_user_active(registered.operator, "alice", False)
    with pytest.raises(InvalidCredentials) as caught:
        registered.log_in("alice", ALICE_PASSWORD)
    assert caught.value.detail == "user not found"


def test_a_reactivated_user_can_log_in_again(registered: Webstore) -> None:
    registered.set_user_active(registered.operator, "alice", False)
    registered.set_user_active(registered.operator, "alice", True)
    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_an_unknown_user_costs_a_decoy_verification(
    registered: Webstore, hasher: FakePasswordHasher
) -> None:
    with pytest.raises(InvalidCredentials):
        registered.log_in("hatter", ALICE_PASSWORD)
    assert hasher.burned == 1


def test_a_known_user_with_a_wrong_password_costs_a_real_verification_only(
    registered: Webstore, hasher: FakePasswordHasher
) -> None:
    with pytest.raises(InvalidCredentials):
        registered.log_in("alice", "not the password")
    assert hasher.burned == 0


@pytest.mark.parametrize(
    ("username", "password", "field", "message"),
    [
        (None, ALICE_PASSWORD, "username", "This field may not be null."),
        ("alice", None, "password", "This field may not be null."),
        (["alice"], ALICE_PASSWORD, "username", "Not a valid string."),
        ("alice", 12345678, "password", "Not a valid string."),
        ("   ", ALICE_PASSWORD, "username", "This field may not be blank."),
    ],
)
def test_missing_or_non_string_fields_are_invalid_input(
    registered: Webstore, username: object, password: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        registered.log_in(username, password)
    assert caught.value.errors == {field: [message]}


def stores_with_old_and_new_argon2_parameters() -> tuple[Webstore, Webstore]:
    database = InMemoryUnitOfWorkFactory()
    old = bootstrap(fast_settings(), uow=database, clock=FakeClock())
    stronger = fast_settings(argon2_time_cost=2, argon2_memory_cost=16)
    return old, bootstrap(stronger, uow=database, clock=FakeClock())


def test_a_hash_made_with_weaker_parameters_is_replaced_on_login() -> None:
    old, new = stores_with_old_and_new_argon2_parameters()
    old.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    weak = stored_user(new, "alice").password_hash
    assert "m=8,t=1,p=1" in weak
    new.log_in("alice", ALICE_PASSWORD)
    strong = stored_user(new, "alice").password_hash
    assert strong.startswith("$argon2id$") and "m=16,t=2,p=1" in strong
    assert not new.hasher.needs_rehash(strong)
    assert new.log_in("alice", ALICE_PASSWORD).user.username == "alice"
    assert stored_user(new, "alice").password_hash == strong


def test_a_failed_login_never_replaces_the_hash() -> None:
    old, new = stores_with_old_and_new_argon2_parameters()
    old.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    weak = stored_user(new, "alice").password_hash
    with pytest.raises(InvalidCredentials):
        new.log_in("alice", "not the password")
    assert stored_user(new, "alice").password_hash == weak


def test_a_hash_made_with_the_current_parameters_is_kept() -> None:
    store = bootstrap(fast_settings(), clock=FakeClock())
    store.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    before = stored_user(store, "alice").password_hash
    store.log_in("alice", ALICE_PASSWORD)
    assert stored_user(store, "alice").password_hash == before
