"""A user changes their own password: the old one first, every other session ends."""

from __future__ import annotations

import pytest

from tests.unit.conftest import ALICE_PASSWORD, stored_user
from webstore import LoginResult, Principal, Webstore
from webstore.application.errors import (
    InvalidToken,
    PermissionDenied,
    PrincipalRevoked,
    Throttled,
)
from webstore.domain.errors import InvalidCredentials, InvalidInput, WrongPassword

NEW_PASSWORD = "through the looking glass"


def test_the_new_password_works_and_the_old_one_no_longer_does(
    store: Webstore, alice: Principal
) -> None:
    store.change_own_password(alice, ALICE_PASSWORD, NEW_PASSWORD)

    assert stored_user(store, "alice").password_hash == "hashed:" + NEW_PASSWORD
    store.log_in("alice", NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        store.log_in("alice", ALICE_PASSWORD)


def test_every_other_session_ends_and_the_current_one_stays(
    store: Webstore, alice_login: LoginResult, alice: Principal
) -> None:
    other = store.log_in("alice", ALICE_PASSWORD)

    store.change_own_password(alice, ALICE_PASSWORD, NEW_PASSWORD)

    assert store.authenticate(alice_login.access_token) == alice
    store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    with pytest.raises(InvalidToken):
        store.authenticate(other.access_token)


def test_a_wrong_old_password_is_refused_and_changes_nothing(
    store: Webstore, alice: Principal
) -> None:
    with pytest.raises(WrongPassword) as refused:
        store.change_own_password(alice, "not my password", NEW_PASSWORD)

    assert refused.value.errors == {
        "old_password": ["Your old password was entered incorrectly. Please enter it again."]
    }
    assert isinstance(refused.value, InvalidInput)
    assert stored_user(store, "alice").password_hash == "hashed:" + ALICE_PASSWORD


def test_wrong_old_passwords_count_as_failed_logins_and_are_throttled_alike(
    store: Webstore, alice: Principal
) -> None:
    for _ in range(5):
        with pytest.raises(WrongPassword):
            store.change_own_password(alice, "a guess", NEW_PASSWORD, "203.0.113.7")

    with pytest.raises(Throttled):
        store.change_own_password(alice, ALICE_PASSWORD, NEW_PASSWORD, "203.0.113.7")
    with pytest.raises(Throttled):
        store.log_in("alice", ALICE_PASSWORD)


def test_a_change_takes_its_own_count_back_and_clears_the_username_s(
    store: Webstore, alice: Principal
) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            store.log_in("alice", "a guess")

    store.change_own_password(alice, ALICE_PASSWORD, NEW_PASSWORD)

    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            store.log_in("alice", "another guess")
    store.log_in("alice", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short", "This password is too short. It must contain at least 8 characters."),
        ("1234567890", "This password is entirely numeric."),
    ],
)
def test_the_new_password_follows_the_rules_of_sign_up(
    store: Webstore, alice: Principal, new_password: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        store.change_own_password(alice, ALICE_PASSWORD, new_password)

    assert refused.value.errors == {"new_password": [message]}


def test_missing_fields_are_named(store: Webstore, alice: Principal) -> None:
    with pytest.raises(InvalidInput) as refused:
        store.change_own_password(alice, None, "")  # type: ignore[arg-type]

    assert refused.value.errors == {
        "old_password": ["This field may not be null."],
        "new_password": ["This password is too short. It must contain at least 8 characters."],
    }


def test_a_logged_out_principal_cannot_change_the_password(
    store: Webstore, alice_login: LoginResult, alice: Principal
) -> None:
    store.log_out(alice_login.refresh_token, alice_login.csrf_token)

    with pytest.raises(PrincipalRevoked):
        store.change_own_password(alice, ALICE_PASSWORD, NEW_PASSWORD)


def test_the_operator_has_no_password_of_its_own(store: Webstore) -> None:
    with pytest.raises(PermissionDenied):
        store.change_own_password(store.operator, "anything", NEW_PASSWORD)


def test_a_superuser_still_sets_anybody_s_password_and_ends_all_their_sessions(
    store: Webstore, alice_login: LoginResult, admin: Principal
) -> None:
    store.change_password(admin, "alice", NEW_PASSWORD)

    store.log_in("alice", NEW_PASSWORD)
    with pytest.raises(InvalidToken):
        store.authenticate(alice_login.access_token)
