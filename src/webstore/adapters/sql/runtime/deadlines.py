"""How long a unit of work may wait on PostgreSQL, where a wait can be cut short.

PostgreSQL bounds what it runs (``statement_timeout``) and libpq how long connecting takes
(``connect_timeout``), but nothing bounds a wait on a server that has stopped answering while
its connections stay open (a frozen machine, a stalled disk, a network device that drops
packets silently): the statement timeout is the server's own to enforce, and the operating
system keeps acknowledging what is sent. In a gevent worker every wait is a switch to the
worker's loop, so a timer can raise ``DeadlinePassed`` in whatever the unit of work waits on.
"""

from __future__ import annotations

from typing import Protocol


class DeadlinePassed(BaseException):
    """A unit of work waited on the database past its deadline.

    Not an ``Exception``, as gevent's own ``Timeout`` is not: no ``except Exception`` on the
    way swallows it, and SQLAlchemy discards a connection it interrupts (an "exit exception")
    rather than hand it out again in the middle of a statement.
    """


class Deadline(Protocol):
    """One running deadline."""

    @property
    def passed(self) -> bool:
        """Whether it has fired (its ``DeadlinePassed`` was raised)."""
        ...

    def cancel(self) -> None:
        """Stop it; it never fires after this."""
        ...


class Deadlines(Protocol):
    """Where units of work get their deadlines."""

    def start(self) -> Deadline:
        """A deadline that fires in the calling greenlet (or thread) unless cancelled."""
        ...


class GeventDeadlines:
    """Deadlines for the units of work of a gevent worker: ``seconds`` after each begins."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def start(self) -> Deadline:
        return _GeventDeadline(self.seconds)


class _GeventDeadline:
    def __init__(self, seconds: float) -> None:
        from gevent import Timeout

        passed = DeadlinePassed(f"the database did not answer within {seconds:g} seconds")
        self._timer = Timeout.start_new(seconds, passed)
        self._cancelled = False

    @property
    def passed(self) -> bool:
        return not self._cancelled and not self._timer.pending

    def cancel(self) -> None:
        self._cancelled = True
        self._timer.cancel()
