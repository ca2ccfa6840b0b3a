from __future__ import annotations

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import ALICE_PASSWORD, BOB_PASSWORD, stored_user
from webstore import LoginResult, Principal, Webstore, bootstrap
from webstore.errors import (
    CsrfFailed,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    TokenExpired,
    UserNotFound,
)

ANOTHER_KEY = b"another-secret-key-of-at-least-32-bytes"


def assert_invalid_token(store: Webstore, access_token: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        store.authenticate(access_token)
    assert type(caught.value) is InvalidToken
    assert caught.value.detail == "Invalid token."


def test_a_valid_access_token_names_the_user_and_the_session(
    store: Webstore, alice_login: LoginResult
) -> None:
    alice = store.authenticate(alice_login.access_token)
    assert (alice.username, alice.email, alice.is_superuser) == (
        "Alice",
        "alice@example.com",
        False,
    )
    assert alice.session_id == alice_login.user.session_id


def test_an_access_token_lives_five_minutes(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    clock.advance(299)
    assert store.authenticate(alice_login.access_token).username == "Alice"
    clock.advance(1)
    with pytest.raises(TokenExpired, match=r"^access_token expired$"):
        store.authenticate(alice_login.access_token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "Token abc", "eyJhbGciOiJub25lIn0.e30."])
def test_a_malformed_access_token_is_invalid(store: Webstore, token: str) -> None:
    assert_invalid_token(store, token)


def test_an_access_token_signed_with_another_key_is_invalid(
    store: Webstore, alice_login: LoginResult
) -> None:
    forger = bootstrap(fast_settings(secret_key=ANOTHER_KEY), hasher=FakePasswordHasher())
    session_id = alice_login.user.session_id
    assert session_id is not None
    assert_invalid_token(store, forger.tokens.access.issue(alice_login.user.user_id, session_id))


def test_an_access_token_naming_someone_else_in_the_session_is_invalid(
    store: Webstore, alice_login: LoginResult, bob: Principal
) -> None:
    session_id = alice_login.user.session_id
    assert session_id is not None
    assert_invalid_token(store, store.tokens.access.issue(bob.user_id, session_id))
    assert_invalid_token(store, store.tokens.access.issue(alice_login.user.user_id, "no-such"))


def test_deactivating_a_user_refuses_their_access_tokens_at_once(
    store: Webstore, alice_login: LoginResult, bob: Principal
) -> None:
    deactivated = store.set_user_active(store.operator, "ALICE", False)
    assert deactivated.username == "Alice"
    assert not stored_user(store, "alice").is_active
    assert_invalid_token(store, alice_login.access_token)
    store.set_user_active(store.operator, "alice", True)
    assert_invalid_token(store, alice_login.access_token)
    assert store.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_deactivating_one_user_leaves_the_others_logged_in(
    store: Webstore, alice_login: LoginResult
) -> None:
    store.register_user("bob", "bob@example.com", BOB_PASSWORD)
    bobs = store.log_in("bob", BOB_PASSWORD)
    store.set_user_active(store.operator, "alice", False)
    assert store.authenticate(bobs.access_token).username == "bob"


def test_changing_the_password_ends_every_session_and_the_old_password(
    store: Webstore, alice_login: LoginResult
) -> None:
    other_tab = store.log_in("alice", ALICE_PASSWORD)
    store.change_password(store.operator, "alice", "through the looking glass")
    assert_invalid_token(store, alice_login.access_token)
    assert_invalid_token(store, other_tab.access_token)
    with pytest.raises(InvalidCredentials):
        store.log_in("alice", ALICE_PASSWORD)
    login = store.log_in("alice", "through the looking glass")
    assert store.authenticate(login.access_token).username == "Alice"


def test_a_new_password_must_follow_the_password_rules(
    store: Webstore, alice_login: LoginResult
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.change_password(store.operator, "alice", "31415926")
    assert caught.value.errors == {"password": ["This password is entirely numeric."]}
    assert store.authenticate(alice_login.access_token).username == "Alice"


def test_administering_an_unknown_user_says_who_is_missing(store: Webstore) -> None:
    with pytest.raises(UserNotFound, match=r"^user cheshire does not exist$"):
        store.set_user_active(store.operator, "cheshire", False)
    with pytest.raises(UserNotFound):
        store.change_password(store.operator, "cheshire", "grinning from ear to ear")


@pytest.mark.parametrize(
    ("header", "cookie"), [(None, "x"), ("x", None), ("", "x"), ("x", ""), (None, None)]
)
def test_a_missing_csrf_header_or_cookie_fails_as_missing(
    store: Webstore, alice: Principal, header: str | None, cookie: str | None
) -> None:
    with pytest.raises(CsrfFailed, match=r"^CSRF Failed: CSRF token missing\.$"):
        store.check_csrf(header, cookie, alice)


def test_a_csrf_header_that_differs_from_the_cookie_fails_as_incorrect(
    store: Webstore, alice_login: LoginResult, alice: Principal
) -> None:
    with pytest.raises(CsrfFailed, match=r"^CSRF Failed: CSRF token incorrect\.$"):
        store.check_csrf(alice_login.csrf_token + "x", alice_login.csrf_token, alice)


def test_a_csrf_token_issued_to_another_user_fails_even_when_header_and_cookie_agree(
    store: Webstore, alice: Principal
) -> None:
    store.register_user("bob", "bob@example.com", BOB_PASSWORD)
    bobs = store.log_in("bob", BOB_PASSWORD).csrf_token
    with pytest.raises(CsrfFailed, match="incorrect"):
        store.check_csrf(bobs, bobs, alice)


def test_a_planted_csrf_token_fails_even_when_header_and_cookie_agree(
    store: Webstore, alice: Principal
) -> None:
    planted = "planted-by-a-sibling-subdomain"
    with pytest.raises(CsrfFailed, match="incorrect"):
        store.check_csrf(planted, planted, alice)


def test_the_csrf_token_of_the_login_passes(
    store: Webstore, alice_login: LoginResult, alice: Principal
) -> None:
    store.check_csrf(alice_login.csrf_token, alice_login.csrf_token, alice)


def test_logging_in_again_in_a_second_tab_keeps_the_first_tabs_csrf_token_valid(
    store: Webstore, alice_login: LoginResult
) -> None:
    second_tab = store.authenticate(store.log_in("alice", ALICE_PASSWORD).access_token)
    store.check_csrf(alice_login.csrf_token, alice_login.csrf_token, second_tab)


def test_a_read_for_anyone_is_handed_back_only_with_a_live_session(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    """``authenticated_reading`` runs the read first, then checks the session as
    ``authenticate`` does: what it read never reaches a caller whose session is dead."""
    reads: list[str] = []

    def read() -> str:
        reads.append("read")
        return "the listing"

    principal, found = store.authenticated_reading(alice_login.access_token, read)
    assert (principal, found) == (store.authenticate(alice_login.access_token), "the listing")
    store.set_user_active(store.operator, "alice", False)
    with pytest.raises(InvalidToken):
        store.authenticated_reading(alice_login.access_token, read)
    assert reads == ["read", "read"]
    clock.advance(300)
    with pytest.raises(TokenExpired):  # the token itself is checked before anything is read
        store.authenticated_reading(alice_login.access_token, read)
    with pytest.raises(InvalidToken):
        store.authenticated_reading("garbage", read)
    assert reads == ["read", "read"]
