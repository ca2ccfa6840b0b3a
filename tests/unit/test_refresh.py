from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher, FakeRandom
from tests.unit.conftest import ALICE_PASSWORD, BOB_PASSWORD
from webstore import LoginResult, Webstore, bootstrap
from webstore.adapters.signing import token_hash
from webstore.domain.sessions import LoginSession
from webstore.errors import (
    CsrfFailed,
    InvalidToken,
    NotAuthenticated,
    RefreshRejected,
    RefreshReuseDetected,
)

ANOTHER_KEY = b"another-secret-key-of-at-least-32-bytes"


def session_of(store: Webstore, login: LoginResult) -> LoginSession:
    assert login.user.session_id is not None
    with store.uow(read_only=True) as work:
        session = work.sessions.get(login.user.session_id)
    assert session is not None
    return session


def assert_session_ended(store: Webstore, login: LoginResult, *refresh_tokens: str) -> None:
    assert session_of(store, login).revoked_at is not None
    with pytest.raises(InvalidToken) as caught:
        store.authenticate(login.access_token)
    assert type(caught.value) is InvalidToken
    for token in refresh_tokens:
        with pytest.raises(RefreshRejected):
            store.refresh(token, login.csrf_token)


def assert_session_alive(store: Webstore, login: LoginResult) -> None:
    assert session_of(store, login).revoked_at is None
    assert store.authenticate(login.access_token).username == "Alice"


def test_refreshing_rotates_the_refresh_token_and_issues_a_fresh_access_token(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    clock.advance(60)
    fresh = store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    assert fresh.refresh_token is not None
    assert fresh.refresh_token != alice_login.refresh_token
    assert fresh.access_token != alice_login.access_token
    principal = store.authenticate(fresh.access_token)
    assert principal.session_id == alice_login.user.session_id
    assert session_of(store, alice_login).token_hash == token_hash(fresh.refresh_token)


def test_each_new_refresh_token_can_be_refreshed_in_turn(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    token = alice_login.refresh_token
    for _ in range(5):
        clock.advance(3600)
        next_token = store.refresh(token, alice_login.csrf_token).refresh_token
        assert next_token is not None
        token = next_token
    assert session_of(store, alice_login).generation == 5


def test_a_token_two_rotations_old_is_theft_and_ends_the_whole_session(
    store: Webstore, alice_login: LoginResult
) -> None:
    second = store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token
    assert second is not None
    third = store.refresh(second, alice_login.csrf_token).refresh_token
    assert third is not None
    with pytest.raises(RefreshRejected, match=r"^expired refresh token, please login again\.$"):
        store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    assert_session_ended(store, alice_login, third, second)


def test_the_previous_token_after_the_grace_is_theft(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    newest = store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token
    assert newest is not None
    clock.advance(10.001)
    with pytest.raises(RefreshRejected):
        store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    assert_session_ended(store, alice_login, newest)


@pytest.mark.parametrize("seconds", [0, 5, 10])
def test_the_previous_token_within_the_grace_gets_an_access_token_but_no_refresh_token(
    store: Webstore, alice_login: LoginResult, clock: FakeClock, seconds: float
) -> None:
    newest = store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token
    assert newest is not None
    clock.advance(seconds)
    other_tab = store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    assert other_tab.refresh_token is None
    assert store.authenticate(other_tab.access_token).session_id == alice_login.user.session_id
    session = session_of(store, alice_login)
    assert (session.generation, session.token_hash) == (1, token_hash(newest))
    assert store.refresh(newest, alice_login.csrf_token).refresh_token is not None


def test_a_grace_of_zero_makes_any_reuse_theft(clock: FakeClock) -> None:
    store = bootstrap(
        fast_settings(refresh_reuse_grace=0),
        clock=clock,
        hasher=FakePasswordHasher(),
        random=FakeRandom(),
    )
    store.register_user("Alice", "alice@example.com", ALICE_PASSWORD)
    login = store.log_in("alice", ALICE_PASSWORD)
    newest = store.refresh(login.refresh_token, login.csrf_token).refresh_token
    assert newest is not None
    with pytest.raises(RefreshRejected):
        store.refresh(login.refresh_token, login.csrf_token)
    assert_session_ended(store, login, newest)


def tampered(token: str) -> str:
    position = len(token) // 2
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


def signed_with_another_key(login: LoginResult) -> str:
    forger = bootstrap(fast_settings(secret_key=ANOTHER_KEY), hasher=FakePasswordHasher())
    assert login.user.session_id is not None
    return forger.tokens.refresh.issue(login.user.session_id, 0).token


@pytest.mark.parametrize(
    "forge",
    [
        lambda login: "not-a-refresh-token",
        lambda login: tampered(login.refresh_token),
        lambda login: login.refresh_token + "A",
        lambda login: login.refresh_token[:-1],
        lambda login: login.csrf_token,
        lambda login: login.access_token,
        signed_with_another_key,
    ],
    ids=["garbage", "tampered", "lengthened", "shortened", "csrf", "access", "foreign"],
)
def test_a_forged_or_malformed_token_is_rejected_without_ending_the_session(
    store: Webstore, alice_login: LoginResult, forge: Callable[[LoginResult], str]
) -> None:
    with pytest.raises(RefreshRejected):
        store.refresh(forge(alice_login), alice_login.csrf_token)
    assert_session_alive(store, alice_login)
    assert (
        store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token is not None
    )


def test_a_session_expires_a_refresh_lifetime_after_its_last_rotation(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    clock.advance(days=6)
    newest = store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token
    assert newest is not None
    clock.advance(days=7)
    with pytest.raises(RefreshRejected):
        store.refresh(newest, alice_login.csrf_token)


def test_a_session_still_works_just_before_it_expires(
    store: Webstore, alice_login: LoginResult, clock: FakeClock
) -> None:
    clock.advance(days=7, seconds=-1)
    assert (
        store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token is not None
    )


def test_an_inactive_users_refresh_token_is_rejected(
    store: Webstore, alice_login: LoginResult
) -> None:
    store.set_user_active(store.operator, "alice", False)
    with pytest.raises(RefreshRejected):
        store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    store.set_user_active(store.operator, "alice", True)
    with pytest.raises(RefreshRejected):
        store.refresh(alice_login.refresh_token, alice_login.csrf_token)


def test_a_refresh_token_from_before_a_password_change_is_rejected(
    store: Webstore, alice_login: LoginResult
) -> None:
    store.change_password(store.operator, "alice", "through the looking glass")
    with pytest.raises(RefreshRejected):
        store.refresh(alice_login.refresh_token, alice_login.csrf_token)


def test_another_users_csrf_token_fails_and_leaves_the_refresh_token_usable(
    store: Webstore, alice_login: LoginResult
) -> None:
    store.register_user("bob", "bob@example.com", BOB_PASSWORD)
    bobs = store.log_in("bob", BOB_PASSWORD)
    with pytest.raises(CsrfFailed, match=r"^CSRF Failed: CSRF token incorrect\.$"):
        store.refresh(alice_login.refresh_token, bobs.csrf_token)
    with pytest.raises(CsrfFailed):
        store.refresh(alice_login.refresh_token, "forged-csrf-token")
    assert session_of(store, alice_login).generation == 0
    assert store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token


def test_logging_out_ends_the_session_at_once(store: Webstore, alice_login: LoginResult) -> None:
    store.log_out(alice_login.refresh_token, alice_login.csrf_token)
    assert_session_ended(store, alice_login, alice_login.refresh_token)


def test_logging_out_twice_or_without_a_valid_token_is_harmless(
    store: Webstore, alice_login: LoginResult
) -> None:
    csrf = alice_login.csrf_token
    store.log_out("not-a-refresh-token", csrf)
    store.log_out(tampered(alice_login.refresh_token), csrf)
    assert_session_alive(store, alice_login)
    store.log_out(alice_login.refresh_token, csrf)
    store.log_out(alice_login.refresh_token, csrf)
    assert_session_ended(store, alice_login)


@pytest.mark.parametrize("refresh", ["", None])
def test_logging_out_without_a_refresh_token_is_refused_not_skipped(
    store: Webstore, alice_login: LoginResult, refresh: str | None
) -> None:
    with pytest.raises(NotAuthenticated):
        store.log_out(refresh, alice_login.csrf_token)  # type: ignore[arg-type]
    with pytest.raises(NotAuthenticated):
        store.refresh(refresh, alice_login.csrf_token)  # type: ignore[arg-type]
    assert_session_alive(store, alice_login)


@pytest.mark.parametrize("csrf", ["", None])
def test_logging_out_or_refreshing_without_a_csrf_token_is_refused_not_skipped(
    store: Webstore, alice_login: LoginResult, csrf: str | None
) -> None:
    with pytest.raises(CsrfFailed, match="CSRF token missing"):
        store.log_out(alice_login.refresh_token, csrf)  # type: ignore[arg-type]
    with pytest.raises(CsrfFailed, match="CSRF token missing"):
        store.refresh(alice_login.refresh_token, csrf)  # type: ignore[arg-type]
    assert_session_alive(store, alice_login)
    assert session_of(store, alice_login).generation == 0


def test_logging_out_with_another_users_csrf_token_fails_and_ends_nothing(
    store: Webstore, alice_login: LoginResult
) -> None:
    store.register_user("bob", "bob@example.com", BOB_PASSWORD)
    bobs = store.log_in("bob", BOB_PASSWORD)
    with pytest.raises(CsrfFailed):
        store.log_out(alice_login.refresh_token, bobs.csrf_token)
    assert_session_alive(store, alice_login)


def test_logging_out_one_session_leaves_the_others(
    store: Webstore, alice_login: LoginResult
) -> None:
    other_tab = store.log_in("alice", ALICE_PASSWORD)
    store.log_out(other_tab.refresh_token, other_tab.csrf_token)
    assert_session_alive(store, alice_login)


def test_theft_names_the_user_whose_session_it_revoked(
    store: Webstore, alice_login: LoginResult
) -> None:
    newest = store.refresh(alice_login.refresh_token, alice_login.csrf_token).refresh_token
    assert newest is not None
    store.refresh(newest, alice_login.csrf_token)
    with pytest.raises(RefreshReuseDetected) as caught:
        store.refresh(alice_login.refresh_token, alice_login.csrf_token)
    assert caught.value.user_id == alice_login.user.user_id


def test_a_forged_token_is_not_reported_as_reuse(store: Webstore, alice_login: LoginResult) -> None:
    forged = alice_login.refresh_token[:-2] + (
        "AA" if alice_login.refresh_token[-2:] != "AA" else "BB"
    )
    with pytest.raises(RefreshRejected) as caught:
        store.refresh(forged, alice_login.csrf_token)
    assert not isinstance(caught.value, RefreshReuseDetected)
