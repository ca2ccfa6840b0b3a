from __future__ import annotations

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import ALICE_PASSWORD
from webstore import Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.errors import InvalidCredentials, InvalidInput, Throttled

CHESHIRE = "203.0.113.9"  # one client address
QUEEN = "198.51.100.4"  # another


@pytest.fixture
def registered(store: Webstore) -> Webstore:
    store.register_user("Alice", "alice@example.com", ALICE_PASSWORD)
    return store


def fail(store: Webstore, username: str = "alice", address: str | None = None) -> None:
    with pytest.raises(InvalidCredentials):
        store.log_in(username, "not the password", address)


def throttled_for(store: Webstore, username: str = "alice", address: str | None = None) -> int:
    """Seconds to wait, as the refusal of the right password says."""
    with pytest.raises(Throttled) as caught:
        store.log_in(username, ALICE_PASSWORD, address)
    seconds = caught.value.retry_after
    assert caught.value.detail == (
        f"Request was throttled. Expected available in {seconds} seconds."
    )
    return seconds


def test_five_failures_throttle_the_sixth_attempt_even_with_the_right_password(
    registered: Webstore,
) -> None:
    for _ in range(5):
        fail(registered)

    assert throttled_for(registered) == 900


def test_four_failures_still_let_the_right_password_in(registered: Webstore) -> None:
    for _ in range(4):
        fail(registered)

    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_every_spelling_of_a_username_shares_one_count(registered: Webstore) -> None:
    for spelling in ["alice", "ALICE", "  Alice ", "\uff41lice", "aLiCe"]:
        fail(registered, spelling)

    assert throttled_for(registered, "Alice") == 900


def test_the_wait_shrinks_as_time_passes_and_ends_with_the_window(
    registered: Webstore, clock: FakeClock
) -> None:
    for _ in range(5):
        fail(registered)
        clock.advance(60)  # failures at 0, 60, 120, 180 and 240 seconds
    assert throttled_for(registered) == 900 - 300

    clock.advance(599.5)
    assert throttled_for(registered) == 1  # half a second, rounded up

    clock.advance(0.5)  # the first failure has left the window
    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_a_failure_leaving_the_window_allows_one_more_attempt_only(
    registered: Webstore, clock: FakeClock
) -> None:
    for _ in range(5):
        fail(registered)
        clock.advance(60)
    clock.advance(600)  # now 900 seconds after the first failure

    fail(registered)

    assert throttled_for(registered) == 60  # until the failure at 60 seconds leaves


def test_a_successful_login_clears_the_usernames_count(registered: Webstore) -> None:
    for _ in range(4):
        fail(registered)
    registered.log_in("alice", ALICE_PASSWORD)

    for _ in range(5):
        fail(registered)

    assert throttled_for(registered) == 900


def test_a_throttled_attempt_is_not_counted_as_another_failure(
    registered: Webstore, clock: FakeClock
) -> None:
    for _ in range(5):
        fail(registered)
    clock.advance(300)
    for _ in range(3):
        throttled_for(registered)

    clock.advance(600)

    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_unknown_usernames_are_counted_and_throttled_alike(
    registered: Webstore, hasher: FakePasswordHasher
) -> None:
    for _ in range(5):
        fail(registered, "hatter")

    assert throttled_for(registered, "HATTER") == 900
    assert hasher.burned == 5  # the throttled attempt verified nothing, known user or not
    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_an_inactive_users_failures_count_like_any_other(registered: Webstore) -> None:
    registered.set_user_active(registered.operator, "alice", False)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            registered.log_in("alice", ALICE_PASSWORD)

    assert throttled_for(registered) == 900


def test_invalid_input_is_not_counted(registered: Webstore) -> None:
    for _ in range(10):
        with pytest.raises(InvalidInput):
            registered.log_in("alice", None)

    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_fifty_failures_from_one_address_throttle_it_for_every_username(
    registered: Webstore,
) -> None:
    for n in range(50):
        fail(registered, f"guest{n}", CHESHIRE)

    assert throttled_for(registered, "alice", CHESHIRE) == 900
    assert registered.log_in("alice", ALICE_PASSWORD, QUEEN).user.username == "Alice"
    assert registered.log_in("alice", ALICE_PASSWORD).user.username == "Alice"


def test_a_successful_login_leaves_the_address_count_alone(registered: Webstore) -> None:
    for n in range(49):
        fail(registered, f"guest{n}", CHESHIRE)
    registered.log_in("alice", ALICE_PASSWORD, CHESHIRE)

    fail(registered, "guest49", CHESHIRE)

    assert throttled_for(registered, "alice", CHESHIRE) == 900


def test_the_longer_of_two_waits_is_the_one_to_wait(registered: Webstore, clock: FakeClock) -> None:
    for _ in range(5):
        fail(registered, "alice", QUEEN)
    clock.advance(100)
    for n in range(50):
        fail(registered, f"guest{n}", CHESHIRE)

    assert throttled_for(registered, "alice", QUEEN) == 800
    assert throttled_for(registered, "guest0", CHESHIRE) == 900
    assert throttled_for(registered, "alice", CHESHIRE) == 900


def store_with(**overrides: object) -> Webstore:
    store = bootstrap(fast_settings(**overrides), clock=FakeClock(), hasher=FakePasswordHasher())
    store.register_user("alice", "alice@example.com", ALICE_PASSWORD)
    return store


def test_the_limits_and_the_window_come_from_the_settings() -> None:
    store = store_with(login_failures_per_username=2, login_failure_window=60)
    fail(store)
    fail(store)

    assert throttled_for(store) == 60


def test_a_limit_of_zero_turns_that_limit_off() -> None:
    store = store_with(login_failures_per_username=0, login_failures_per_address=0)
    for _ in range(60):
        fail(store, "alice", CHESHIRE)

    assert store.log_in("alice", ALICE_PASSWORD, CHESHIRE).user.username == "alice"


def test_failures_older_than_the_window_are_pruned_when_one_is_recorded(
    registered: Webstore, clock: FakeClock
) -> None:
    assert isinstance(registered.uow, InMemoryUnitOfWorkFactory)
    rows = registered.uow.database.login_failures
    for _ in range(4):
        fail(registered, "alice", CHESHIRE)
    assert len(rows) == 8  # one for the username, one for the address

    clock.advance(901)
    fail(registered, "alice", CHESHIRE)

    assert len(rows) == 2
