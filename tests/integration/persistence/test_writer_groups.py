"""Group commit on SQLite: writers of one process share a transaction, made durable once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from tests.integration.persistence.helpers import money, run_together
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.runtime import writer_groups
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.errors import StorageUnavailable
from webstore.domain.products import Product

SLOW = 0.15  # seconds the first writer works: long enough for the others to queue behind it


@pytest.fixture
def factory(sqlite_url: str) -> Iterator[SqlAlchemyUnitOfWorkFactory]:
    upgrade(sqlite_url)
    made = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    yield made
    made.dispose()


@pytest.fixture
def commits(factory: SqlAlchemyUnitOfWorkFactory) -> Iterator[list[float]]:
    """When each transaction was committed (savepoints are not counted)."""
    seen: list[float] = []

    def record(connection: sa.Connection) -> None:
        seen.append(time.monotonic())

    sa.event.listen(factory.engine, "commit", record)
    yield seen
    sa.event.remove(factory.engine, "commit", record)


def stored_names(sqlite_url: str) -> list[str]:
    """Read by a connection of its own, as another process would."""
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as other:
        return sorted(name for (name,) in other.execute("SELECT name FROM products"))


def writer(
    factory: SqlAlchemyUnitOfWorkFactory,
    name: str,
    *,
    before_commit: Callable[[], None] = lambda: None,
    after_commit: Callable[[], None] = lambda: None,
) -> Callable[[], None]:
    def write() -> None:
        with factory() as work:
            work.products.add(Product(name, money("1.00"), 1))
            before_commit()
            work.commit()
            after_commit()

    return write


class Queue:
    """The first writer takes its turn and works slowly; the others queue behind it."""

    def __init__(self) -> None:
        self._first_working = threading.Event()

    def first_works_slowly(self) -> None:
        self._first_working.set()
        time.sleep(SLOW)

    def behind(self, write: Callable[[], None]) -> Callable[[], None]:
        def queued() -> None:
            assert self._first_working.wait(10)
            write()

        return queued


def test_writers_that_come_together_commit_once_and_each_returns_durable(
    factory: SqlAlchemyUnitOfWorkFactory, commits: list[float], sqlite_url: str
) -> None:
    seen_after_commit: dict[str, list[str]] = {}

    def check(name: str) -> Callable[[], None]:
        return lambda: seen_after_commit.setdefault(name, stored_names(sqlite_url))

    queue = Queue()
    first = writer(factory, "A", before_commit=queue.first_works_slowly, after_commit=check("A"))
    others = [queue.behind(writer(factory, n, after_commit=check(n))) for n in "BCDE"]
    run_together(first, *others)

    assert stored_names(sqlite_url) == ["A", "B", "C", "D", "E"]
    assert len(commits) == 1  # five writers, one wait for the disk
    for name, names in seen_after_commit.items():
        assert name in names  # returned from commit: another process already reads it


def test_a_writer_that_fails_leaves_the_others_of_its_group_alone(
    factory: SqlAlchemyUnitOfWorkFactory, commits: list[float], sqlite_url: str
) -> None:
    failed: list[BaseException] = []

    def failing() -> None:
        try:
            with factory() as work:
                work.products.add(Product("B", money("1.00"), 1))
                work.session.flush()  # B is in the shared transaction now
                raise ZeroDivisionError
        except ZeroDivisionError as error:
            failed.append(error)

    def no_commit() -> None:
        with factory() as work:
            work.products.add(Product("C", money("1.00"), 1))

    queue = Queue()
    first = writer(factory, "A", before_commit=queue.first_works_slowly)
    run_together(
        first, queue.behind(failing), queue.behind(no_commit), queue.behind(writer(factory, "D"))
    )

    assert len(failed) == 1
    assert stored_names(sqlite_url) == ["A", "D"]
    assert len(commits) == 1


def test_a_failed_group_commit_reaches_every_writer_and_keeps_nothing(
    factory: SqlAlchemyUnitOfWorkFactory, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_fails(call: Callable[[], object], **_: object) -> object:
        raise sqlite3.OperationalError("disk I/O error")  # instead of the COMMIT

    outcomes: dict[str, BaseException | None] = {}

    def noted(name: str, write: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                write()
                outcomes[name] = None
            except BaseException as error:
                outcomes[name] = error

        return run

    with monkeypatch.context() as patched:
        # The group's COMMIT is what runs off the loop (off_loop.py).
        patched.setattr(writer_groups, "run_off_loop", disk_fails)
        queue = Queue()
        first = writer(factory, "A", before_commit=queue.first_works_slowly)
        others = (noted(n, queue.behind(writer(factory, n))) for n in "BC")
        run_together(noted("A", first), *others)

    assert sorted(outcomes) == ["A", "B", "C"]
    assert all(isinstance(error, StorageUnavailable) for error in outcomes.values())
    assert stored_names(sqlite_url) == []
    writer(factory, "E")()  # the next group starts afresh
    assert stored_names(sqlite_url) == ["E"]


def test_work_after_a_commit_joins_a_group_again(
    factory: SqlAlchemyUnitOfWorkFactory, commits: list[float], sqlite_url: str
) -> None:
    with factory() as work:
        work.products.add(Product("A", money("1.00"), 1))
        work.commit()
        assert stored_names(sqlite_url) == ["A"]
        work.products.add(Product("B", money("1.00"), 1))
        work.commit()
        work.products.add(Product("C", money("1.00"), 1))  # never committed
    assert stored_names(sqlite_url) == ["A", "B"]
    assert len(commits) == 2


def test_a_writer_inside_a_writer_of_the_same_thread_is_refused_at_once(
    factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    started = time.monotonic()
    with factory() as outer:
        outer.ping()
        with pytest.raises(RuntimeError, match="already open in this thread"), factory():
            pass
    assert time.monotonic() - started < 5  # refused, not left to wait for itself
    done = threading.Event()
    thread = threading.Thread(target=lambda: (writer(factory, "A")(), done.set()))
    thread.start()
    thread.join(10)
    assert done.is_set()  # and the turn was given back


def test_a_writer_that_was_expected_but_never_comes_does_not_hold_the_group(
    factory: SqlAlchemyUnitOfWorkFactory, sqlite_url: str
) -> None:
    # As when a worker shuts down: a writer stopped while it waited for its turn. Counted as
    # coming, it never joins; the group's done writers must still commit, promptly.
    groups = factory._writer_groups
    assert groups is not None
    returned = threading.Event()

    def write_then_note() -> None:
        writer(factory, "A", before_commit=lambda: setattr(groups, "_queued", 2))()
        returned.set()

    thread = threading.Thread(target=write_then_note)
    thread.start()
    assert returned.wait(5), "the group waited for a writer that never came"
    thread.join(5)
    assert stored_names(sqlite_url) == ["A"]


def outcomes_of(
    queue: Queue, writers: dict[str, Callable[[], None]]
) -> dict[str, BaseException | None]:
    """Run the writers, all but the first queued behind it: what each one raised, if anything."""
    outcomes: dict[str, BaseException | None] = {}

    def noted(name: str, write: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                write()
                outcomes[name] = None
            except BaseException as error:
                outcomes[name] = error

        return run

    (first_name, first), *others = writers.items()
    run_together(
        noted(first_name, first),
        *(noted(name, queue.behind(write)) for name, write in others),
    )
    return outcomes


def test_an_error_that_rolls_the_group_back_reaches_every_writer_and_later_ones_start_afresh(
    factory: SqlAlchemyUnitOfWorkFactory, commits: list[float], sqlite_url: str
) -> None:
    # RAISE(ROLLBACK) ends the whole transaction, as a full disk or an I/O error may: the work
    # that A and the writers before C released in it is gone with it.
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as database:
        database.execute(
            "CREATE TRIGGER refuse_c BEFORE INSERT ON products WHEN NEW.name = 'C'"
            " BEGIN SELECT RAISE(ROLLBACK, 'injected'); END"
        )
    queue = Queue()
    writers = {"A": writer(factory, "A", before_commit=queue.first_works_slowly)}
    writers |= {name: writer(factory, name) for name in "BCDE"}
    outcomes = outcomes_of(queue, writers)

    refused = outcomes["C"]
    assert isinstance(refused, sa.exc.IntegrityError) and "injected" in str(refused)
    assert isinstance(outcomes["A"], StorageUnavailable)  # released, then lost with the group
    kept = sorted(name for name, error in outcomes.items() if error is None)
    assert stored_names(sqlite_url) == kept  # whoever returned is stored, nobody else
    assert all(
        isinstance(error, StorageUnavailable)
        for name, error in outcomes.items()
        if name != "C"
        if error is not None
    )
    writer(factory, "F")()
    assert stored_names(sqlite_url) == [*kept, "F"]


def test_a_commit_that_sqlite_refuses_reaches_every_writer_and_keeps_nothing(
    factory: SqlAlchemyUnitOfWorkFactory, sqlite_url: str
) -> None:
    # A foreign key checked only at COMMIT: SQLite refuses the COMMIT and keeps the
    # transaction open, write lock and all, until it is rolled back.
    def dangling_key() -> None:
        with factory() as work:
            work.session.execute(sa.text("PRAGMA defer_foreign_keys = ON"))
            work.session.execute(
                sa.text(
                    "INSERT INTO idempotency_keys (user_id, key, fingerprint, payload, created_at)"
                    " VALUES (424242, 'k', 'f', 'p', '2026-01-01 00:00:00')"
                )
            )
            work.commit()

    queue = Queue()
    writers = {"A": writer(factory, "A", before_commit=queue.first_works_slowly)}
    writers |= {"B": dangling_key, "C": writer(factory, "C")}
    outcomes = outcomes_of(queue, writers)

    assert all(isinstance(error, StorageUnavailable) for error in outcomes.values()), outcomes
    assert stored_names(sqlite_url) == []
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=1) as other:
        other.execute("BEGIN IMMEDIATE")  # the write lock is free: nothing was left open
        other.execute("ROLLBACK")
    writer(factory, "D")()
    assert stored_names(sqlite_url) == ["D"]
