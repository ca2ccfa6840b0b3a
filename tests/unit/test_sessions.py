from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webstore.domain.sessions import LoginSession, Rotation

LOGIN = datetime(2026, 11, 26, 20, 12, 30, tzinfo=UTC)
WEEK = timedelta(days=7)
GRACE = timedelta(seconds=10)


def fresh_session() -> LoginSession:
    return LoginSession("tea-party-session", 7, LOGIN, LOGIN + WEEK, "hash-0")


def present(
    session: LoginSession,
    generation: int,
    token_hash: str,
    *,
    at: datetime,
    grace: timedelta = GRACE,
) -> Rotation:
    return session.rotate(
        generation=generation,
        token_hash=token_hash,
        new_token_hash=f"hash-{session.generation + 1}",
        now=at,
        lifetime=WEEK,
        grace=grace,
    )


def rotated_twice() -> LoginSession:
    session = fresh_session()
    present(session, 0, "hash-0", at=LOGIN + timedelta(minutes=5))
    present(session, 1, "hash-1", at=LOGIN + timedelta(minutes=10))
    return session


def test_the_current_token_is_rotated_and_the_session_extended() -> None:
    session = fresh_session()
    later = LOGIN + timedelta(hours=1)
    assert present(session, 0, "hash-0", at=later) is Rotation.ROTATED
    assert (session.generation, session.token_hash, session.previous_token_hash) == (
        1,
        "hash-1",
        "hash-0",
    )
    assert (session.rotated_at, session.expires_at) == (later, later + WEEK)


def test_the_token_just_replaced_is_accepted_within_the_grace_without_rotating() -> None:
    session = rotated_twice()
    rotated_at = session.rotated_at
    assert rotated_at is not None
    assert present(session, 1, "hash-1", at=rotated_at + GRACE) is Rotation.GRACE
    assert (session.generation, session.token_hash) == (2, "hash-2")
    assert session.revoked_at is None


def test_the_token_just_replaced_after_the_grace_is_theft_and_ends_the_session() -> None:
    session = rotated_twice()
    assert session.rotated_at is not None
    theft_at = session.rotated_at + GRACE + timedelta(microseconds=1)
    assert present(session, 1, "hash-1", at=theft_at) is Rotation.THEFT
    assert session.revoked_at == theft_at
    assert not session.is_live(theft_at)


def test_an_older_generation_is_theft_even_within_the_grace() -> None:
    session = rotated_twice()
    assert session.rotated_at is not None
    assert present(session, 0, "hash-0", at=session.rotated_at) is Rotation.THEFT
    assert session.revoked_at is not None


def test_a_grace_of_zero_turns_the_grace_off() -> None:
    session = rotated_twice()
    assert session.rotated_at is not None
    outcome = present(session, 1, "hash-1", at=session.rotated_at, grace=timedelta(0))
    assert outcome is Rotation.THEFT


@pytest.mark.parametrize(
    ("generation", "token_hash"),
    [(2, "hash-of-another-token"), (3, "hash-3"), (99, "hash-2")],
)
def test_a_token_that_was_never_this_sessions_is_rejected_without_ending_it(
    generation: int, token_hash: str
) -> None:
    session = rotated_twice()
    at = LOGIN + timedelta(hours=1)
    assert present(session, generation, token_hash, at=at) is Rotation.REJECTED
    assert (session.generation, session.token_hash, session.revoked_at) == (2, "hash-2", None)


def test_a_revoked_session_rejects_even_its_current_token() -> None:
    session = fresh_session()
    session.revoke(LOGIN + timedelta(minutes=1))
    at = LOGIN + timedelta(minutes=2)
    assert present(session, 0, "hash-0", at=at) is Rotation.REJECTED
    assert session.generation == 0


def test_an_expired_session_rejects_even_its_current_token() -> None:
    session = fresh_session()
    assert present(session, 0, "hash-0", at=LOGIN + WEEK) is Rotation.REJECTED
    assert not session.is_live(LOGIN + WEEK)
    assert session.is_live(LOGIN + WEEK - timedelta(microseconds=1))


def test_revoking_twice_keeps_the_first_time() -> None:
    session = fresh_session()
    session.revoke(LOGIN + timedelta(minutes=1))
    session.revoke(LOGIN + timedelta(minutes=2))
    assert session.revoked_at == LOGIN + timedelta(minutes=1)
