"""Writers of one process take turns on SQLite instead of meeting its busy back-off."""

from __future__ import annotations

import threading
import time

from webstore.adapters.sql.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory


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
