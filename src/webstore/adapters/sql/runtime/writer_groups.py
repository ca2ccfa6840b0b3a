"""Group commit for SQLite: the writers of one process share a transaction, made durable once.

SQLite has one writer at a time, and every commit waits for the disk (``synchronous=FULL``):
a few milliseconds in which nothing else can be written, and, under a cooperative worker, in
which the whole process waits. Committing each order on its own caps a shop at a few hundred
orders a second, however fast the code around it.

So the writers of one process take turns in one open transaction instead, each in a SAVEPOINT
of its own: a writer whose work fails rolls back to its savepoint and leaves the others' work
alone. When a writer is done and no other writer of the process is ready to go (or the group
is large or old enough), it commits the transaction: one wait for the disk for the whole group.
No writer returns before that commit, so a writer that returned is durable, exactly as with a
transaction of its own; if the commit fails, every writer of the group hears it. Within the
group, writers run one after another and each sees the work of the ones before it, which is
what one-at-a-time transactions would have shown them.

Some errors make SQLite roll back the whole transaction, not just the statement that failed:
a full disk or database, an I/O error, a trigger's ``RAISE(ROLLBACK)``. The work of every
writer of the group is gone then, released savepoints included. The writer that finds the
transaction gone (the driver no longer ``in_transaction``) ends the group before the next
writer's turn: that writer starts a group of its own, and every writer of the lost one hears
that its work was not kept. No savepoint is ever begun outside the group's transaction, where
SQLite would make it a transaction of its own that its ``RELEASE`` commits.

The commit's wait for the disk runs in a native thread (``off_loop.py``): meanwhile the worker
reads, authenticates and queues its next writers, which begin the next group the moment the
commit has ended, without polling for the write lock it still holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine, RootTransaction

from webstore.adapters.off_loop import run_off_loop
from webstore.concurrency import Concurrency

MAX_WRITERS = 32  # writers in one group, so that a steady stream of them still commits
MAX_WAIT = 0.050  # seconds a done writer waits at most while more writers keep coming


class GroupCommitFailed(Exception):
    """The transaction of the group was not committed (its COMMIT failed, or an error rolled it
    back before): nothing of it was kept."""


def holds_transaction(connection: Connection) -> bool:
    """Whether ``connection``'s driver is still in its transaction (``False`` once SQLite has
    rolled it back on its own, or the connection was dropped)."""
    if connection.invalidated:
        return False
    driver = connection.connection.driver_connection
    return driver is not None and bool(driver.in_transaction)


@dataclass(eq=False)
class _Group:
    connection: Connection
    transaction: RootTransaction
    first_done: float | None = None  # when its first writer was done
    writers: int = 0  # that joined
    working: int = 0  # that joined and are not done yet
    kept: int = 0  # done with work to keep
    closing: bool = False
    failure: BaseException | None = None
    ended: threading.Event = field(default_factory=threading.Event)


class GroupMember:
    """One writer's place in a group: its connection, in the shared transaction."""

    def __init__(self, groups: WriterGroups, group: _Group) -> None:
        self._groups = groups
        self._group = group
        self.connection = group.connection
        self.done = False

    def finish(self, *, keep: bool) -> None:
        """Done: ``keep`` if this writer's savepoint was released, not rolled back.

        Returns once the group's transaction has ended; raises ``GroupCommitFailed`` if it was
        not committed (whatever this writer read or wrote may not have been kept).
        """
        if self.done:
            return
        self.done = True
        lost = not holds_transaction(self.connection)
        self._groups._finish(self._group, keep=keep and not lost, lost=lost)


class WriterGroups:
    """The writers of one process over one SQLite engine, grouped into shared transactions."""

    def __init__(
        self,
        engine: Engine,
        pause: Callable[[], None] = lambda: time.sleep(0),
        concurrency: Concurrency = Concurrency.THREADS,
    ) -> None:
        self._engine = engine
        self._concurrency = concurrency  # cooperative: each COMMIT runs off the worker's loop
        self._turn = threading.Lock()  # one writer works in the transaction at a time
        self._lock = threading.Lock()  # guards what follows
        self._queued = 0  # writers waiting for their turn or working
        self._holder: int | None = None  # the thread whose turn it is
        self._open: _Group | None = None
        self._committing: _Group | None = None  # closed, its transaction ending
        # Lets the other writers that are ready run first (gevent's sleep in a cooperative
        # worker: the connections whose requests have arrived get to the turn).
        self._pause = pause

    def join(self) -> GroupMember:
        """Wait for this writer's turn; then a member of the open group (or of a new one)."""
        me = threading.get_ident()
        if self._holder == me:
            # It would wait for itself: SQLite's one writer is this very thread.
            raise RuntimeError("a writing unit of work is already open in this thread")
        with self._lock:
            self._queued += 1
        try:
            self._turn.acquire()
        except BaseException:  # stopped while waiting (a worker shutting down): not queued
            with self._lock:
                self._queued -= 1
            raise
        self._holder = me
        try:
            with self._lock:  # joined in one step: a group being closed is never joined
                group = self._open
                if group is not None:
                    group.writers += 1
                    group.working += 1
            if group is None:
                committing = self._committing
                if committing is not None:
                    # The write lock is this process's until that commit ends: waiting for
                    # it here is waiting for the lock without polling for it.
                    committing.ended.wait()
                group = self._begin()
        except BaseException:
            self._release_turn()
            raise
        return GroupMember(self, group)

    def _begin(self) -> _Group:
        connection = self._engine.connect()
        try:
            transaction = connection.begin()  # BEGIN IMMEDIATE: the write lock (engine.py)
        except BaseException:
            connection.close()
            raise
        group = _Group(connection, transaction, writers=1, working=1)
        with self._lock:
            self._open = group
        return group

    def _release_turn(self) -> None:
        self._holder = None
        with self._lock:
            self._queued -= 1
        self._turn.release()

    def _finish(self, group: _Group, *, keep: bool, lost: bool) -> None:
        with self._lock:
            group.working -= 1
            group.kept += keep
            if group.first_done is None:
                group.first_done = time.monotonic()
            if lost:
                # Closed before the turn is given back: the next writer must not join a group
                # whose transaction is gone. No other writer works in it (this one had the turn).
                group.failure = GroupCommitFailed("an error rolled the shared transaction back")
                self._close(group)
        self._release_turn()
        if lost:
            self._end(group)
        else:
            try:
                self._pause()
            finally:  # even for a writer being stopped: a group whose writers are done must end
                self._lead_or_wait(group)
        if group.failure is not None:
            failure = group.failure
            raise GroupCommitFailed(f"the group's transaction was not kept: {failure}") from failure

    def _lead_or_wait(self, group: _Group) -> None:
        """End the group if no writer works in it and none is coming (or enough waited), else
        wait for its end, looking again now and then: a writer that was expected may never
        join (stopped while it waited for its turn), and the group must not wait for it."""
        while True:
            with self._lock:
                if group.closing:
                    lead = False
                else:
                    assert group.first_done is not None
                    lead = group.working == 0 and (
                        self._queued == 0
                        or group.writers >= MAX_WRITERS
                        or time.monotonic() - group.first_done > MAX_WAIT
                    )
                    if lead:
                        self._close(group)
            if lead:
                self._end(group)
                return
            if group.ended.wait(None if group.closing else MAX_WAIT):
                return

    def _close(self, group: _Group) -> None:
        """No writer joins ``group`` from now on (called with the lock held)."""
        group.closing = True
        if self._open is group:
            self._open = None  # writers from now on begin a group of their own
        self._committing = group

    def _end(self, group: _Group) -> None:
        try:
            if group.failure is not None:
                pass  # lost: SQLite rolled its transaction back already
            elif group.kept:
                # The wait for the disk runs off a cooperative worker's loop (``off_loop.py``):
                # the worker's other requests go on meanwhile. SQLAlchemy's commit then finds
                # the driver's transaction ended, and only ends its own.
                driver = group.connection.connection.driver_connection
                assert driver is not None
                run_off_loop(lambda: driver.execute("COMMIT"), concurrency=self._concurrency)
                group.transaction.commit()
            else:
                group.transaction.rollback()
        except BaseException as error:
            group.failure = error
            # A COMMIT that failed may leave the transaction open (SQLite keeps it when a
            # deferred constraint fails, or the disk is busy): rolled back here, so that
            # nothing of it can be committed later.
            with suppress(Exception):
                _roll_back_on_driver(group.connection)
        finally:
            try:
                if group.failure is not None:
                    # Whatever state the failure left the connection in, it is not used again.
                    group.connection.invalidate()
                group.connection.close()
            finally:
                with self._lock:
                    if self._committing is group:
                        self._committing = None
                group.ended.set()


def _roll_back_on_driver(connection: Connection) -> None:
    if connection.invalidated:
        return  # dropped: closing it rolled back whatever was open
    driver = connection.connection.driver_connection
    if driver is not None and driver.in_transaction:
        driver.execute("ROLLBACK")
