"""Users listed for staff, and the superusers a deactivation counts: alike on every storage."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from tests.conftest import fast_settings
from tests.integration.persistence.helpers import NOW, POSTGRES, Backend, run_together
from webstore import Principal, Webstore, bootstrap
from webstore.application.ports import UnitOfWorkFactory, UserQuery
from webstore.domain.users import User
from webstore.domain.values import search_key
from webstore.errors import LastSuperuser, PermissionDenied, PrincipalRevoked

PEOPLE = [
    ("José", "pepe@example.com"),
    ("zoe", "Zoë@café.example"),
    ("Łukasz", "l@example.com"),
    ("İpek", "ipek@example.com"),
    ("100%_real", "real@example.com"),
]


def add(uow: UnitOfWorkFactory, name: str, email: str, **fields: object) -> int:
    fields = {"date_joined": NOW, **fields}
    user = User(name, email, "argon2-hash", **fields)  # type: ignore[arg-type]
    with uow() as work:
        work.users.add(user)
        work.commit()
    assert user.id is not None
    return user.id


@pytest.fixture
def people(backend: Backend) -> list[int]:
    return [add(backend.uow, name, email) for name, email in PEOPLE]


def found(
    backend: Backend, query: UserQuery, limit: int | None = None, offset: int = 0
) -> list[str]:
    with backend.uow(read_only=True) as work:
        users = work.users.list(query, limit, offset)
        if limit is None and offset == 0:
            assert work.users.count(query) == len(users)
    return [user.username for user in users]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("jose", ["José"]),
        ("JOSÉ", ["José"]),
        ("cafe", ["zoe"]),
        ("ZOE", ["zoe"]),
        ("lukasz", ["Łukasz"]),
        ("ipek", ["İpek"]),
        ("%_", ["100%_real"]),
        ("_", ["100%_real"]),
        ("example.com", ["José", "Łukasz", "İpek", "100%_real"]),
        ("nobody", []),
    ],
)
def test_a_search_finds_usernames_and_emails_containing_it_ignoring_case_and_accents(
    backend: Backend, people: list[int], search: str, expected: list[str]
) -> None:
    assert found(backend, UserQuery(search_key_contains=search_key(search))) == expected


def test_ids_pick_users_in_id_order_and_combine_with_search_and_pages(
    backend: Backend, people: list[int]
) -> None:
    picked = frozenset({people[4], people[0], people[2], 10**12})

    assert found(backend, UserQuery(ids=picked)) == ["José", "Łukasz", "100%_real"]
    assert found(backend, UserQuery(ids=frozenset())) == []
    query = UserQuery(ids=picked, search_key_contains="example.com")
    assert found(backend, query, limit=1, offset=1) == ["Łukasz"]
    with backend.uow(read_only=True) as work:
        assert work.users.count(query) == 3


def test_a_listed_user_is_what_was_stored(backend: Backend) -> None:
    joined = datetime(2026, 2, 1, 9, 30, 15, 250000, tzinfo=UTC)
    user_id = add(backend.uow, "Zoë", "zoe@example.com", date_joined=joined, is_superuser=True)
    with backend.uow(read_only=True) as work:
        [listed] = work.users.list(UserQuery())
        by_name = work.users.get_by_username("zoë")
    for user in (listed, by_name):
        assert user is not None
        assert (user.id, user.username, user.email, user.is_superuser, user.is_active) == (
            user_id, "Zoë", "zoe@example.com", True, True
        )  # fmt: skip
        assert user.date_joined == joined
        assert (user.username_search_key, user.email_search_key) == ("zoe", "zoe@example.com")


def test_active_superusers_are_counted(backend: Backend) -> None:
    root = add(backend.uow, "root", "root@example.com", is_superuser=True)
    add(backend.uow, "gone", "gone@example.com", is_superuser=True, is_active=False)
    add(backend.uow, "alice", "alice@example.com")
    grace = add(backend.uow, "grace", "grace@example.com", is_superuser=True)
    with backend.uow() as work:
        assert work.users.active_superuser_ids() == {root, grace}


@pytest.fixture(params=["sqlite", POSTGRES])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_two_superusers_deactivating_each_other_at_once_leave_one_active(
    database_url: str,
) -> None:
    store = bootstrap(fast_settings(database_url), migrate=True)
    try:
        for round_number in range(6):
            outcomes, active = _race(store, round_number)
            assert len(active) == 1, (round_number, outcomes, active)
            assert outcomes.count("done") == 1, outcomes
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]


def _race(store: Webstore, round_number: int) -> tuple[list[str], list[str]]:
    """Two new superusers, the only active ones, each deactivating the other at once."""
    one = store.create_superuser(f"one{round_number}", "a@example.com", "a long password")
    two = store.create_superuser(f"two{round_number}", "b@example.com", "a long password")
    for earlier in store.list_users(store.operator).items:
        if earlier.id not in (one.user_id, two.user_id) and earlier.is_active:
            store.set_user_active(store.operator, earlier.id, False)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deactivate(actor: Principal, target: Principal) -> None:
        start.wait()
        try:
            store.set_user_active(actor, target.user_id, False)
            outcomes.append("done")
        except (LastSuperuser, PrincipalRevoked, PermissionDenied) as refused:
            outcomes.append(type(refused).__name__)

    run_together(lambda: deactivate(one, two), lambda: deactivate(two, one))
    return outcomes, [u.username for u in store.list_users(store.operator).items if u.is_active]
