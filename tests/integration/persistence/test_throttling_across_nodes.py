"""Failed logins are counted in the database, so every node sharing it throttles alike."""

from __future__ import annotations

import time
from collections.abc import Iterator
from multiprocessing.pool import Pool

import pytest

from tests.conftest import fast_settings
from tests.integration.persistence import workers
from tests.integration.persistence.helpers import query
from webstore import Webstore, bootstrap
from webstore.errors import InvalidCredentials, Throttled

PASSWORD = "down the rabbit hole"


@pytest.fixture
def nodes(sql_url: str) -> Iterator[tuple[Webstore, Webstore]]:
    """Two stores over one database, as two servers behind a load balancer."""
    first, second = bootstrap(fast_settings(sql_url)), bootstrap(fast_settings(sql_url))
    first.register_user("Alice", "alice@example.com", PASSWORD)
    yield first, second
    for node in (first, second):
        node.uow.dispose()  # type: ignore[attr-defined]


def test_failures_on_either_node_throttle_the_username_on_both(
    nodes: tuple[Webstore, Webstore],
) -> None:
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            nodes[n % 2].log_in("ALICE" if n % 2 else "alice", "wrong", f"192.0.2.{n}")

    for node in nodes:
        with pytest.raises(Throttled) as caught:
            node.log_in("alice", PASSWORD)
        assert 899 <= caught.value.retry_after <= 900


def test_a_login_on_one_node_clears_the_count_for_both(
    nodes: tuple[Webstore, Webstore], sql_url: str
) -> None:
    first, second = nodes
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            first.log_in("alice", "wrong", "192.0.2.1")

    second.log_in("alice", PASSWORD, "192.0.2.1")

    assert query(sql_url, "SELECT kind, COUNT(*) FROM login_failures GROUP BY kind") == [
        ("address", 4)
    ]
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            first.log_in("alice", "wrong")
    assert second.log_in("alice", PASSWORD).user.username == "Alice"


def test_parallel_wrong_passwords_verify_no_more_than_the_limit(
    nodes: tuple[Webstore, Webstore], sql_url: str, workers_pool: Pool
) -> None:
    start_at = time.time() + 1.0
    tasks = [(sql_url, "alice", 5, start_at) for _ in range(8)]  # 40 guesses from 8 processes

    results = workers_pool.starmap_async(workers.guess_passwords, tasks).get(120)

    verified = sum(count for count, _ in results)
    throttled = sum(refused for _, refused in results)
    assert (verified, throttled) == (5, 35)
    assert query(sql_url, "SELECT COUNT(*) FROM login_failures WHERE kind = 'username'") == [(5,)]
