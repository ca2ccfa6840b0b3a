"""SQLite writers: a savepoint each in the transaction their process's writers share.

Committing it returns once the group is durable (``writer_groups.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import suppress

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import instance_state

from webstore.adapters.sql.runtime.writer_groups import (
    GroupCommitFailed,
    GroupMember,
    WriterGroups,
    holds_transaction,
)
from webstore.adapters.sql.sessions import HeldEntities
from webstore.adapters.sql.unit_of_work.transaction import SessionOnDemand, Transaction


class GroupWriterSession(SessionOnDemand):
    """A grouped writer's session: a savepoint of its own on the driver, an ORM session only
    if something needs one.

    Placing an order sends all its statements straight to the driver (``direct.py``); an ORM
    session would only wrap them in its own savepoint, flush nothing and cost a third of the
    time the writer holds the write lock. So the writer's savepoint is begun and ended on the
    driver, and a session is made, bound to the same connection in a savepoint inside that
    one, the first time something asks for more than the connection.

    Once its work is committed, its next use joins a group again; the session and the
    entities it holds live on, and changes made after a commit belong to the next one, as in
    a unit of work of its own.

    An error may have rolled back the group's whole transaction, its savepoint with it
    (``writer_groups.py``): then it neither rolls back to nor releases a savepoint that is gone,
    and drops the connection, on which nothing more may run.
    """

    _SAVEPOINT = "webstore_writer"

    def __init__(self, factory: sessionmaker[Session], join: Callable[[], Connection]) -> None:
        super().__init__()
        self._factory = factory
        self._join = join
        self._connection: Connection | None = None
        self._adopted: list[object] = []  # written already; the session takes them if made
        self.stale = True  # no savepoint of this writer is open
        self.gone = False  # an error rolled back the group's transaction under its savepoint

    def begin(self) -> None:
        """Join a group and open this writer's savepoint in its transaction."""
        self._connection = self._join()
        if not holds_transaction(self._connection):
            # Outside a transaction SQLite would make the savepoint a transaction of its own,
            # committed by its RELEASE whatever became of the group.
            raise GroupCommitFailed("the group's transaction is gone")
        self._driver("SAVEPOINT")
        self.stale = False
        if self._session is not None:
            self._session.bind = self._connection

    def _driver(self, verb: str) -> None:
        assert self._connection is not None
        driver = self._connection.connection.driver_connection
        assert driver is not None
        driver.execute(f"{verb} {self._SAVEPOINT}")

    def _current(self) -> Connection:
        if self.gone:
            raise GroupCommitFailed("an error rolled back this writer's work")
        if self.stale:
            self.begin()
        assert self._connection is not None
        return self._connection

    def add(self, instance: object) -> None:
        """The session's ``add``; an entity that is already written (detached, as if loaded)
        waits for a session to be made, unless it changes."""
        if self._session is None and instance_state(instance).key is not None:
            self._adopted.append(instance)
        else:
            self.made().add(instance)

    @property
    def identity_map(self) -> HeldEntities:
        return self._session.identity_map if self._session is not None else {}

    @property
    def dirty(self) -> Collection[object]:
        if self._session is not None:
            return self._session.dirty
        return [each for each in self._adopted if instance_state(each).modified]

    def connection(self) -> Connection:
        connection = self._current()
        if self._session is not None:
            self._session.connection()  # its savepoint begins before what runs next
        return connection

    def made(self) -> Session:
        connection = self._current()
        if self._session is None:
            self._session = self._factory(bind=connection, join_transaction_mode="create_savepoint")
            self._session.add_all(self._adopted)
            self._adopted.clear()
        return self._session

    def commit(self) -> None:
        self._current()  # work after an earlier commit commits in a group of its own
        if self._session is None and self.dirty:
            self.made()  # an adopted entity changed: the session saves it
        if self._session is not None:
            self._session.commit()  # flushes, then releases its savepoint inside this one
        self._driver("RELEASE")
        self.stale = True

    def rollback(self) -> None:
        if self._lost():
            return
        if self._session is not None:
            self._session.rollback()
        if not self.stale:
            self._driver("ROLLBACK TO")  # the savepoint stays open for what follows

    def close(self) -> None:
        if self._lost():
            return
        try:
            if self._session is not None:
                self._session.close()
        finally:
            if not self.stale:
                self.stale = True
                self._driver("ROLLBACK TO")
                self._driver("RELEASE")

    def _lost(self) -> bool:
        """Whether the group's transaction is gone under this writer's open savepoint; if so,
        the connection is dropped (the session's own savepoint is gone too) and the group
        learns it when this writer finishes."""
        if self.stale or self._connection is None or holds_transaction(self._connection):
            return False
        self.stale = self.gone = True
        if self._session is not None:
            self._session.invalidate()  # invalidates the connection, emitting nothing
        else:
            self._connection.invalidate()
        return True


class GroupedWrite(Transaction):
    """A writer of a group: its work is kept once the group's transaction is committed."""

    def __init__(self, factory: sessionmaker[Session], groups: WriterGroups) -> None:
        self._groups = groups
        self._member: GroupMember | None = None  # of the group joined last
        self._writer = GroupWriterSession(factory, self._join)
        self.session = self._writer

    def _join(self) -> Connection:
        self._member = self._groups.join()
        return self._member.connection

    def begin(self) -> None:
        try:
            self._writer.begin()
        except BaseException:
            if self._member is not None:  # joined, but its savepoint failed: leave
                with suppress(GroupCommitFailed):
                    self._member.finish(keep=False)
            raise

    def commit(self) -> None:
        self._writer.commit()
        if self._member is not None:
            self._member.finish(keep=True)  # returns once the group's commit is durable

    def rollback(self) -> None:
        self._writer.rollback()

    def end(self, *, failed: bool) -> None:
        try:
            self._writer.close()  # rolls back to its savepoint
        finally:
            if self._member is not None:
                self._member.finish(keep=False)

    def discard(self, error: BaseException | None) -> None:
        pass  # SQLite's waits are bounded by its busy timeout: no deadline catches a writer
