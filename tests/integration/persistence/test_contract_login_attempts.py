"""The repository contract for failed logins, on every storage."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.integration.persistence.helpers import NOW, Backend
from webstore.application.ports import LoginFailureKind

USERNAME, ADDRESS = LoginFailureKind.USERNAME, LoginFailureKind.ADDRESS
ALICE = "digest-of-alice".ljust(64, "0")
BOB = "digest-of-bob".ljust(64, "0")
HOUR_AGO = NOW - timedelta(hours=1)


def seconds(n: float) -> datetime:
    return NOW + timedelta(seconds=n)


def record(backend: Backend, *failures: tuple[LoginFailureKind, str, datetime]) -> None:
    with backend.uow() as work:
        for kind, key, at in failures:
            work.login_attempts.add_failure(kind, key, at)
        work.commit()


def nth_latest(
    backend: Backend,
    n: int,
    key: str = ALICE,
    kind: LoginFailureKind = USERNAME,
    since: datetime = HOUR_AGO,
) -> datetime | None:
    with backend.uow(read_only=True) as work:
        return work.login_attempts.nth_latest_failure(kind, key, n, since)


def test_failures_are_read_back_latest_first_with_their_exact_aware_times(
    backend: Backend,
) -> None:
    record(backend, (USERNAME, ALICE, seconds(0)), (USERNAME, ALICE, seconds(2.5)))
    record(backend, (USERNAME, ALICE, seconds(1)))

    assert [nth_latest(backend, n) for n in (1, 2, 3, 4)] == [
        seconds(2.5),
        seconds(1),
        seconds(0),
        None,
    ]
    assert nth_latest(backend, 1) == NOW + timedelta(seconds=2, microseconds=500_000)
    latest = nth_latest(backend, 1)
    assert latest is not None and latest.utcoffset() == timedelta(0)


def test_only_failures_after_the_given_moment_count(backend: Backend) -> None:
    record(backend, *[(USERNAME, ALICE, seconds(n)) for n in range(3)])

    assert nth_latest(backend, 2, since=seconds(0)) == seconds(1)
    assert nth_latest(backend, 3, since=seconds(0)) is None  # "after" is strict
    assert nth_latest(backend, 1, since=seconds(2)) is None


def test_each_kind_and_key_has_its_own_failures(backend: Backend) -> None:
    record(
        backend,
        (USERNAME, ALICE, seconds(1)),
        (ADDRESS, ALICE, seconds(2)),
        (USERNAME, BOB, seconds(3)),
    )

    assert nth_latest(backend, 1) == seconds(1)
    assert nth_latest(backend, 2) is None
    assert nth_latest(backend, 1, kind=ADDRESS) == seconds(2)
    assert nth_latest(backend, 1, key=BOB) == seconds(3)
    assert nth_latest(backend, 1, key=BOB, kind=ADDRESS) is None


def test_clearing_a_key_forgets_its_failures_only(backend: Backend) -> None:
    record(
        backend,
        (USERNAME, ALICE, seconds(1)),
        (USERNAME, ALICE, seconds(2)),
        (ADDRESS, ALICE, seconds(3)),
        (USERNAME, BOB, seconds(4)),
    )

    with backend.uow() as work:
        work.login_attempts.clear(USERNAME, ALICE)
        work.commit()

    assert nth_latest(backend, 1) is None
    assert nth_latest(backend, 1, kind=ADDRESS) == seconds(3)
    assert nth_latest(backend, 1, key=BOB) == seconds(4)


def test_pruning_forgets_the_failures_from_before_a_moment_of_every_key(
    backend: Backend,
) -> None:
    record(
        backend,
        (USERNAME, ALICE, seconds(1)),
        (ADDRESS, BOB, seconds(2)),
        (USERNAME, ALICE, seconds(3)),
        (USERNAME, BOB, seconds(4)),
    )

    with backend.uow() as work:
        work.login_attempts.prune(seconds(3))
        work.commit()

    assert [nth_latest(backend, n) for n in (1, 2)] == [seconds(3), None]
    assert nth_latest(backend, 1, key=BOB, kind=ADDRESS) is None
    assert nth_latest(backend, 1, key=BOB) == seconds(4)


def test_failures_are_kept_only_when_the_unit_of_work_commits(backend: Backend) -> None:
    with backend.uow() as work:
        work.login_attempts.add_failure(USERNAME, ALICE, seconds(1))
    record(backend, (USERNAME, BOB, seconds(1)))
    with backend.uow() as work:
        work.login_attempts.clear(USERNAME, BOB)
        work.login_attempts.prune(seconds(10))

    assert nth_latest(backend, 1) is None
    assert nth_latest(backend, 1, key=BOB) == seconds(1)


def test_one_failure_is_taken_back_by_the_id_it_was_recorded_under(backend: Backend) -> None:
    with backend.uow() as work:
        work.login_attempts.lock(USERNAME, ALICE)
        kept = work.login_attempts.add_failure(USERNAME, ALICE, seconds(1))
        taken_back = work.login_attempts.add_failure(USERNAME, ALICE, seconds(2))
        work.commit()
    assert kept != taken_back

    with backend.uow() as work:
        work.login_attempts.remove(taken_back)
        work.commit()

    assert nth_latest(backend, 1) == seconds(1)
    assert nth_latest(backend, 2) is None
