"""The repository contract for Idempotency-Key records, on every storage."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.integration.persistence.helpers import NOW, Backend, add_user, run_together
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.dto import IdempotencyRecord
from webstore.application.errors import IdempotencyConflict

KEY = "tea-party-order-1"
BODY = '{"id":1,"user":1,"address":"1 Main Street","status":"pending","é":"ü"}'


def record(user_id: int, key: str = KEY, **changes: object) -> IdempotencyRecord:
    values: dict[str, object] = {
        "user_id": user_id,
        "key": key,
        "fingerprint": "f" * 64,
        "payload": BODY,
        "created_at": NOW,
    }
    return IdempotencyRecord(**(values | changes))  # type: ignore[arg-type]


def store(backend: Backend, *records: IdempotencyRecord) -> None:
    with backend.uow() as work:
        for each in records:
            work.idempotency.add(each)
        work.commit()


def get(backend: Backend, user_id: int, key: str = KEY) -> IdempotencyRecord | None:
    with backend.uow(read_only=True) as work:
        return work.idempotency.get(user_id, key)


def test_a_record_round_trips_exactly(backend: Backend) -> None:
    alice = add_user(backend.uow)
    long_key = "".join(chr(c) for c in range(0x20, 0x7F)) + "k" * 160  # 255 printable
    kept = record(alice, long_key, payload=BODY * 1000)
    store(backend, kept)

    assert get(backend, alice, long_key) == kept
    with backend.uow() as work:
        assert work.idempotency.get_for_update(alice, long_key) == kept


def test_a_record_belongs_to_one_user_and_one_exact_key(backend: Backend) -> None:
    alice, bob = add_user(backend.uow, "alice"), add_user(backend.uow, "bob")
    store(backend, record(alice))

    assert get(backend, bob) is None
    assert get(backend, alice, KEY.upper()) is None
    assert get(backend, alice, KEY + " ") is None
    with backend.uow() as work:
        assert work.idempotency.get_for_update(alice, "another key") is None


def test_a_second_record_for_a_users_key_is_refused(backend: Backend) -> None:
    alice, bob = add_user(backend.uow, "alice"), add_user(backend.uow, "bob")
    store(backend, record(alice), record(bob))

    with backend.uow() as work, pytest.raises(IdempotencyConflict):
        work.idempotency.add(record(alice, fingerprint="0" * 64))

    assert get(backend, alice) == record(alice)


def test_a_removed_key_may_be_recorded_again(backend: Backend) -> None:
    alice = add_user(backend.uow)
    store(backend, record(alice))

    with backend.uow() as work:
        work.idempotency.remove(alice, KEY)
        work.idempotency.remove(alice, "never recorded")
        work.idempotency.add(record(alice, created_at=NOW + timedelta(days=1)))
        work.commit()

    stored = get(backend, alice)
    assert stored is not None and stored.created_at == NOW + timedelta(days=1)


def test_pruning_deletes_the_records_created_before_a_moment(backend: Backend) -> None:
    alice, bob = add_user(backend.uow, "alice"), add_user(backend.uow, "bob")
    store(
        backend,
        record(alice, "old", created_at=NOW - timedelta(seconds=1)),
        record(bob, "old", created_at=NOW - timedelta(hours=30)),
        record(alice, "new", created_at=NOW),
    )

    with backend.uow() as work:
        work.idempotency.prune(NOW)
        work.commit()

    assert (get(backend, alice, "old"), get(backend, bob, "old")) == (None, None)
    assert get(backend, alice, "new") is not None


def test_nothing_is_kept_without_commit(backend: Backend) -> None:
    alice = add_user(backend.uow)
    store(backend, record(alice, "kept"))
    with backend.uow() as work:
        work.idempotency.add(record(alice))
        work.idempotency.remove(alice, "kept")
        work.idempotency.prune(NOW + timedelta(days=2))

    assert get(backend, alice) is None
    assert get(backend, alice, "kept") is not None


def test_a_second_unit_of_work_asking_for_a_key_waits_for_the_first_to_end(
    backend: Backend,
) -> None:
    alice = add_user(backend.uow)
    added = threading.Event()
    seen: list[IdempotencyRecord | None] = []

    def first() -> None:
        with backend.uow() as work:
            assert work.idempotency.get_for_update(alice, KEY) is None
            work.idempotency.add(record(alice))
            added.set()
            time.sleep(0.3)  # the second is asking meanwhile, and must wait for the commit
            work.commit()

    def second() -> None:
        assert added.wait(timeout=5)
        with backend.uow() as work:
            seen.append(work.idempotency.get_for_update(alice, KEY))

    run_together(first, second)
    assert seen == [record(alice)]


@pytest.mark.postgres
def test_on_postgresql_keys_of_other_users_do_not_wait_for_each_other(postgres_url: str) -> None:
    # The other storages run one writer at a time whatever the keys.
    upgrade(postgres_url)
    uow = SqlAlchemyUnitOfWorkFactory.from_url(postgres_url)
    alice, bob = add_user(uow, "alice"), add_user(uow, "bob")
    locked, done = threading.Event(), threading.Event()

    def first() -> None:
        with uow() as work:
            work.idempotency.get_for_update(alice, KEY)
            locked.set()
            assert done.wait(timeout=5), "another user's key waited for this one"

    def second() -> None:
        assert locked.wait(timeout=5)
        with uow() as work:
            assert work.idempotency.get_for_update(bob, KEY) is None
        done.set()

    try:
        run_together(first, second)
    finally:
        uow.dispose()
