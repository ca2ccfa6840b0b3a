"""Writers of one process take turns on SQLite instead of meeting its busy back-off."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.concurrency import Concurrency


def test_a_second_sqlite_writer_waits_for_the_first_and_starts_as_soon_as_it_ends(
    sqlite_url: str,
) -> None:
    upgrade(sqlite_url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    entered, ended = threading.Event(), [0.0]

    def second_writer() -> None:
        with factory():
            entered.set()
            ended.append(time.monotonic())

    with factory() as first:
        first.ping()
        other = threading.Thread(target=second_writer)
        other.start()
        held_alone = not entered.wait(0.3)
        ended[0] = time.monotonic()
    other.join(5)
    factory.dispose()

    assert held_alone
    assert entered.is_set()
    assert ended[-1] - ended[0] < 1.0


def test_readers_do_not_wait_for_a_writer(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    read = threading.Event()

    def reader() -> None:
        with factory(read_only=True) as uow:
            uow.ping()
            read.set()

    with factory() as writer:
        writer.ping()
        thread = threading.Thread(target=reader)
        thread.start()
        assert read.wait(5)
    thread.join(5)
    factory.dispose()


def write_and_note(factory: SqlAlchemyUnitOfWorkFactory, started: list[float]) -> None:
    with factory() as uow:
        uow.ping()
        started.append(time.monotonic())


def test_a_writer_of_another_process_starts_promptly_once_the_write_lock_is_free(
    sqlite_url: str,
) -> None:
    upgrade(sqlite_url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    other_process = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    delays = []
    for _ in range(3):  # the best of three: the machine's other work only ever adds delay
        other_process.execute("BEGIN IMMEDIATE")
        started: list[float] = []
        thread = threading.Thread(target=write_and_note, args=(factory, started))
        thread.start()
        # SQLite's own busy handler would be asleep for 100 ms around this moment.
        time.sleep(0.335)
        other_process.execute("COMMIT")
        released = time.monotonic()
        thread.join(5)
        delays.append(started[0] - released)
    other_process.close()
    factory.dispose()

    assert min(delays) < 0.05


def test_a_nested_writer_is_refused_at_once_and_writers_of_other_threads_never_wait() -> None:
    import pytest

    from webstore.adapters.sql.unit_of_work import OpenWriters

    writers = OpenWriters()
    writers.enter()
    with pytest.raises(RuntimeError, match="already open"):
        writers.enter()  # waiting for itself would never end
    entered = threading.Event()

    def other() -> None:
        writers.enter()
        entered.set()
        writers.leave()

    beside = threading.Thread(target=other)
    beside.start()
    assert entered.wait(5)  # it does not wait for the first writer
    beside.join(5)
    writers.leave()
    writers.enter()  # once left, the thread may open a writer again
    writers.leave()


@pytest.mark.postgres
@pytest.mark.parametrize("concurrency", list(Concurrency))
def test_only_a_cooperative_worker_refuses_a_postgresql_writer_nested_in_its_own(
    postgres_url: str, concurrency: Concurrency
) -> None:
    # A greenlet's nested writer would wait for itself on a row its outer writer locked;
    # threads' writers are each their own thread's, and run side by side.
    upgrade(postgres_url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(postgres_url, concurrency=concurrency)
    try:
        with factory() as outer:
            outer.ping()
            if concurrency is Concurrency.COOPERATIVE:
                with pytest.raises(RuntimeError, match="already open"), factory():
                    pass
            else:
                with factory() as inner:
                    inner.ping()
        with factory() as after:  # the outer writer, once ended, no longer counts
            after.ping()
    finally:
        factory.dispose()
