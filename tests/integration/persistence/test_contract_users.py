"""The repository contract for users and login sessions, on every storage."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.persistence.helpers import (
    LIFETIME,
    NOW,
    Backend,
    add_session,
    add_user,
    run_together,
)
from webstore.application.dto import Principal
from webstore.application.errors import ConcurrentUpdate
from webstore.domain.errors import UsernameTaken
from webstore.domain.sessions import LoginSession, Rotation
from webstore.domain.users import User


def test_a_user_is_stored_and_found_by_id_and_by_username(backend: Backend) -> None:
    user_id = add_user(backend.uow, "Alice")
    with backend.uow(read_only=True) as work:
        by_id = work.users.get(user_id)
        by_name = work.users.get_by_username("  aLiCe ")
        missing = work.users.get_by_username("bob")
    assert by_id is not None and by_name is not None
    assert (by_name.id, by_name.username, by_name.email) == (user_id, "Alice", "Alice@example.com")
    assert (by_id.is_active, by_id.is_superuser, by_id.username_key) == (True, False, "alice")
    assert missing is None


@pytest.mark.parametrize(
    "variant", ["alice", "ALICE", "\uff21lice", "\uff21\uff2c\uff29\uff23\uff25", "Alice"]
)
def test_usernames_are_unique_whatever_the_case_or_width(backend: Backend, variant: str) -> None:
    add_user(backend.uow, "Alice")
    with backend.uow() as work, pytest.raises(UsernameTaken):
        work.users.add(User(variant, "other@example.com", "argon2-hash"))
    with backend.uow(read_only=True) as work:
        found = work.users.get_by_username(variant)
    assert found is not None and found.username == "Alice"


def test_a_refused_username_leaves_the_unit_of_work_usable(backend: Backend) -> None:
    add_user(backend.uow, "alice")
    with backend.uow() as work:
        with pytest.raises(UsernameTaken):
            work.users.add(User("ALICE", "a2@example.com", "argon2-hash"))
        work.users.add(User("bob", "bob@example.com", "argon2-hash"))
        work.commit()
    with backend.uow(read_only=True) as work:
        assert work.users.get_by_username("bob") is not None


def test_an_unknown_user_id_is_none_even_beyond_32_bits(backend: Backend) -> None:
    with backend.uow(read_only=True) as work:
        assert work.users.get(2**62) is None


def test_a_login_session_round_trips_with_aware_utc_times(backend: Backend) -> None:
    user_id = add_user(backend.uow)
    ist = timezone(timedelta(hours=5, minutes=30))
    rotated = NOW.astimezone(ist)  # the same instant, written in another zone
    add_session(backend.uow, user_id, previous_token_hash="older", rotated_at=rotated, generation=3)
    with backend.uow(read_only=True) as work:
        stored = work.sessions.get("s-alice")
        assert work.sessions.get("nope") is None
    assert stored is not None
    assert (stored.user_id, stored.token_hash, stored.previous_token_hash, stored.generation) == (
        user_id,
        "hash-of-s-alice-0",
        "older",
        3,
    )
    assert (stored.created_at, stored.expires_at, stored.rotated_at) == (NOW, NOW + LIFETIME, NOW)
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at.microsecond == NOW.microsecond
    assert stored.revoked_at is None


def test_principal_names_the_user_of_a_live_session(backend: Backend) -> None:
    user_id = add_user(backend.uow, "Alice")
    add_session(backend.uow, user_id)
    with backend.uow(read_only=True) as work:
        principal = work.sessions.principal("s-alice", user_id, NOW)
    assert principal == Principal(user_id, "Alice", "Alice@example.com", False, "s-alice")


@pytest.mark.parametrize(
    ("case", "changes", "at"),
    [
        ("revoked", {"revoked_at": NOW}, NOW),
        ("expired", {}, NOW + LIFETIME),
        ("long expired", {}, NOW + LIFETIME * 2),
    ],
)
def test_principal_is_none_for_a_dead_session(
    backend: Backend, case: str, changes: dict[str, object], at: datetime
) -> None:
    user_id = add_user(backend.uow)
    add_session(backend.uow, user_id, **changes)
    with backend.uow(read_only=True) as work:
        assert work.sessions.principal("s-alice", user_id, at) is None


def test_principal_is_none_for_an_inactive_user_another_user_or_no_session(
    backend: Backend,
) -> None:
    alice = add_user(backend.uow, "alice")
    bob = add_user(backend.uow, "bob", active=False)
    add_session(backend.uow, alice, "s-alice")
    add_session(backend.uow, bob, "s-bob")
    with backend.uow(read_only=True) as work:
        assert work.sessions.principal("s-bob", bob, NOW) is None
        assert work.sessions.principal("s-alice", bob, NOW) is None
        assert work.sessions.principal("s-unknown", alice, NOW) is None


def test_revoke_all_for_user_ends_only_that_users_live_sessions(backend: Backend) -> None:
    alice, bob = add_user(backend.uow, "alice"), add_user(backend.uow, "bob")
    earlier = NOW - timedelta(hours=1)
    add_session(backend.uow, alice, "s-alice-1")
    add_session(backend.uow, alice, "s-alice-2", revoked_at=earlier)
    add_session(backend.uow, bob, "s-bob")
    with backend.uow() as work:
        work.sessions.revoke_all_for_user(alice, NOW)
        work.commit()
    with backend.uow(read_only=True) as work:
        stored = {sid: work.sessions.get(sid) for sid in ("s-alice-1", "s-alice-2", "s-bob")}
    revoked = {sid: session.revoked_at for sid, session in stored.items() if session}
    assert revoked == {"s-alice-1": NOW, "s-alice-2": earlier, "s-bob": None}


def test_a_rotation_is_stored_on_commit(backend: Backend) -> None:
    add_session(backend.uow, add_user(backend.uow))
    with backend.uow() as work:
        session = work.sessions.get("s-alice")
        assert session is not None
        assert _rotate(session, "new-hash") is Rotation.ROTATED
        work.commit()
    with backend.uow(read_only=True) as work:
        stored = work.sessions.get("s-alice")
    assert stored is not None
    assert (stored.generation, stored.token_hash, stored.previous_token_hash) == (
        1,
        "new-hash",
        "hash-of-s-alice-0",
    )


def test_two_rotations_of_one_generation_never_both_win(backend: Backend) -> None:
    add_session(backend.uow, add_user(backend.uow))
    first_loaded, second_loaded, first_done = (threading.Event() for _ in range(3))
    seen: dict[str, object] = {}

    def first() -> None:
        with backend.uow() as work:
            session = work.sessions.get("s-alice")
            assert session is not None and _rotate(session, "first") is Rotation.ROTATED
            first_loaded.set()
            # PostgreSQL lets the second read the same generation now; the other storages
            # make it wait for this unit of work to end.
            second_loaded.wait(timeout=0.5)
            work.commit()
        first_done.set()

    def second() -> None:
        first_loaded.wait(timeout=5)
        with backend.uow() as work:
            session = work.sessions.get("s-alice")
            assert session is not None
            second_loaded.set()
            seen["generation"] = session.generation
            seen["outcome"] = _rotate(session, "second")
            first_done.wait(timeout=5)
            try:
                work.commit()
            except ConcurrentUpdate:
                seen["conflict"] = True

    run_together(first, second)
    with backend.uow(read_only=True) as work:
        stored = work.sessions.get("s-alice")
    assert stored is not None and (stored.generation, stored.token_hash) == (1, "first")
    if backend.serialises_writers:
        assert seen == {"generation": 1, "outcome": Rotation.GRACE}
    else:
        assert seen == {"generation": 0, "outcome": Rotation.ROTATED, "conflict": True}


def _rotate(session: LoginSession, new_hash: str) -> Rotation:
    return session.rotate(
        generation=0,
        token_hash="hash-of-s-alice-0",
        new_token_hash=new_hash,
        now=NOW + timedelta(seconds=1),
        lifetime=LIFETIME,
        grace=timedelta(seconds=10),
    )
