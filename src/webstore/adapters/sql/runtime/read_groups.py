"""Reads of one cooperative worker that stand alone, sent to PostgreSQL together.

Nearly every request of a gevent worker sends one statement that is its own snapshot (a login
session's lookup with a listing's version and stock, ``reuse.py``), each on a pooled
connection of its own, and waits a round trip for it; taking the connection from the pool and
giving it back costs about as much again. Such statements need no transaction, so the worker's
greenlets can share one connection that it keeps for them: a read that finds none of them in
flight is sent at once (no wait added to a lone request); the reads that arrive while one is in
flight queue, and when it is answered the first of them sends them all in one psycopg pipeline,
written in one go (one packet, one round trip), and hands each its own rows. The connection
goes back to the pool once idle past ``IDLE_BEFORE_PING`` (the pool pings the next one). Only
a cooperative worker groups its reads (``reading.py``): threads keep a connection each.

Each statement is sent after its request arrived, so it sees every commit answered before
(read-your-writes). If the group's statements fail, every member hears the failure as its own
read would have raised it (SQLAlchemy's exception classes, from the driver's error: an outage
is a 503; so too if no connection could be had) and the connection is dropped. A leader
stopped while it waits for the answer (its deadline passed) drops the connection, and the
others of its group are sent again by the next leader: a read may be repeated, and each
member's own deadline bounds its wait.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection

from webstore.adapters.sql import engine as engines
from webstore.adapters.sql.runtime.direct import as_sqlalchemy_error

if TYPE_CHECKING:
    from webstore.adapters.sql.runtime.direct import _Prepared

MAX_MEMBERS = 64  # statements in one pipeline, so that an answer never waits on too many


@dataclass(eq=False)
class _Member:
    prepared: _Prepared
    parameters: Any
    answered: Any  # gevent's Event
    fetched: list[tuple[Any, ...]] = field(default_factory=list)
    converters: tuple[Callable[[Any], Any] | None, ...] = ()
    failure: BaseException | None = None
    done: bool = False
    gone: bool = False  # stopped (its deadline): nobody waits for its rows
    batch: list[_Member] | None = None  # set when this member is to send the next group


class ReadGroups:
    """The alone-reads of one worker's greenlets over one engine, sent in groups."""

    def __init__(self, engine: Engine) -> None:
        from gevent.event import Event

        self._event = Event
        self._engine = engine
        self.pid = os.getpid()
        self._waiting: list[_Member] = []
        self._in_flight = False  # a group is being sent, or its leader chosen
        self._pooled: PoolProxiedConnection | None = None
        self._used_at = 0.0

    def rows(
        self, prepared: _Prepared, parameters: Any
    ) -> tuple[list[tuple[Any, ...]], tuple[Callable[[Any], Any] | None, ...]]:
        """The statement's rows as fetched, and the converters of their columns."""
        member = _Member(prepared, parameters, self._event())
        if not self._in_flight:
            self._in_flight = True
            self._lead(member, [member])
        else:
            self._waiting.append(member)
            try:
                member.answered.wait()
            except BaseException:
                self._leave(member)
                raise
            if member.batch is not None:
                self._lead(member, member.batch)
        if member.failure is not None:
            raise member.failure
        return member.fetched, member.converters

    def _leave(self, member: _Member) -> None:
        """A member stopped while it waited (its deadline): out of the queue, and if it was to
        send the next group, the others of that group go back to the queue's head."""
        member.gone = True
        if member in self._waiting:
            self._waiting.remove(member)
        batch, member.batch = member.batch, None
        if batch is not None:
            self._waiting[:0] = [other for other in batch if not other.gone]
            self._in_flight = False
            self._hand_on()

    def _lead(self, leader: _Member, batch: list[_Member]) -> None:
        try:
            self._send(batch)
        except BaseException:
            # Stopped before the answer (the leader's deadline): the others are sent again.
            leader.gone = True
            self._waiting[:0] = [m for m in batch if not (m.gone or m.done)]
            raise
        finally:
            self._in_flight = False
            for member in batch:
                if member is not leader and member.done:
                    member.answered.set()
            self._hand_on()

    def _hand_on(self) -> None:
        """The first read queued sends the queue (up to ``MAX_MEMBERS``) as the next group."""
        if self._in_flight or not self._waiting:
            return
        batch, self._waiting = self._waiting[:MAX_MEMBERS], self._waiting[MAX_MEMBERS:]
        self._in_flight = True
        batch[0].batch = batch
        batch[0].answered.set()

    def _connection(self) -> PoolProxiedConnection:
        pooled = self._pooled
        now = time.monotonic()
        if pooled is not None and now - self._used_at > engines.IDLE_BEFORE_PING:
            # Idle a while: back to the pool, which pings the one it hands out next.
            self._pooled = None
            self._give_back(pooled)
            pooled = None
        if pooled is None:
            pooled = self._engine.raw_connection()
            try:
                driver: Any = pooled.driver_connection
                driver.autocommit = True  # each statement its own snapshot
            except BaseException:
                pooled.invalidate()
                pooled.close()
                raise
            self._pooled = pooled
        self._used_at = now
        return pooled

    @staticmethod
    def _give_back(pooled: PoolProxiedConnection) -> None:
        try:
            driver: Any = pooled.driver_connection
            driver.autocommit = False  # as the pool's other users expect it
        except Exception:
            pooled.invalidate()
        pooled.close()

    def _send(self, batch: list[_Member]) -> None:
        dialect = self._engine.dialect
        try:
            pooled = self._connection()
        except Exception as error:  # no connection (the pool's wait, the server refusing)
            for member in batch:
                # As ``Engine.connect`` raises it: the driver's error in SQLAlchemy's class.
                member.failure = (
                    as_sqlalchemy_error(
                        dialect, error, None, invalidated=dialect.is_disconnect(error, None, None)
                    )
                    if isinstance(error, dialect.loaded_dbapi.Error)
                    else copy.copy(error)
                )
                member.done = True
            return
        driver: Any = pooled.driver_connection
        cursors = [driver.cursor() for _ in batch]
        try:
            if len(batch) == 1:
                cursors[0].execute(batch[0].prepared.sql, batch[0].parameters)
            else:
                with driver.pipeline(), driver.lock:
                    for cursor, member in zip(cursors, batch, strict=True):
                        driver.wait(_queued(cursor, member.prepared.sql, member.parameters))
            for cursor, member in zip(cursors, batch, strict=True):
                prepared = member.prepared
                member.fetched = cursor.fetchall() if prepared.columns else []
                if member.fetched:
                    member.converters = prepared.converters(dialect, cursor)
        except dialect.loaded_dbapi.Error as error:
            stopped = _stopped_by(error)
            if stopped is not None:  # psycopg's own error on its way out of the pipeline
                self._drop(pooled, error)
                raise stopped from None
            invalidated = dialect.is_disconnect(error, driver, cursors[0])
            self._drop(pooled, error)
            for member in batch:
                member.failure = as_sqlalchemy_error(
                    dialect, error, member.prepared.sql, invalidated=invalidated
                )
                member.done = True
            return
        except BaseException as error:
            self._drop(pooled, error)
            raise
        finally:
            for cursor in cursors:
                cursor.close()
        for member in batch:
            member.done = True

    def _drop(self, pooled: PoolProxiedConnection, error: BaseException) -> None:
        """A group that failed or was stopped leaves its connection in no known state."""
        if self._pooled is pooled:
            self._pooled = None
        try:
            driver: Any = pooled.driver_connection
            if driver is not None and not driver.closed:
                driver.close()
        finally:
            pooled.invalidate(error)


def _stopped_by(error: BaseException) -> BaseException | None:
    """What stopped the leader (its deadline, a kill), if ``error`` was raised handling it."""
    seen: BaseException | None = error.__context__
    for _ in range(10):  # a chain is short; this also stops on a cycle
        if seen is None or not isinstance(seen, Exception):
            return seen
        seen = seen.__context__
    return None


def _queued(cursor: Any, query: str, parameters: Any) -> Any:
    """psycopg's ``Cursor.execute`` in a pipeline, but for its flush: the statement waits in
    libpq's buffer, sent with the others in one write when the pipeline ends."""
    yield from cursor._start_query(query)
    converted = cursor._convert_query(query, parameters)
    yield from cursor._maybe_prepare_gen(converted)
    cursor._last_query = query


_groups: dict[int, ReadGroups] = {}  # by id of the pool


def read_groups(engine: Engine) -> ReadGroups:
    """The read groups of ``engine``'s pool in this process."""
    groups = _groups.get(id(engine.pool))
    if groups is None or groups.pid != os.getpid():
        groups = _groups[id(engine.pool)] = ReadGroups(engine)
    return groups
