"""Blocking calls in C that must not stop a cooperative worker's other requests.

Under gevent every request of a worker runs in one native thread, so a call that blocks in C
(SQLite's commit waiting for the disk) stops them all for its duration. Such a call runs in a
native thread of the process instead, and its caller waits cooperatively.

The hand-off is built on two pipes rather than on gevent's thread pool, whose result delivery
was seen to stall for good in a worker started by a reload under load: a job is announced by a
byte on one pipe (which the native threads block on), and its end by a byte on the other
(which one greenlet of the worker reads, cooperatively). A pipe holds its bytes until they are
read, so no wake-up can be lost in either direction, whatever runs when.

Without gevent (the CLI, tests, a threaded server: ``Concurrency.THREADS``) the call simply
runs where it is.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from webstore.concurrency import Concurrency

T = TypeVar("T")

THREADS = 1  # native threads per lane: a lane's calls run one at a time (SQLite's write lock)
# Each kind of call has its own lane, so that a long one (a picture decoded for a second) never
# holds up a short one (a commit).
COMMITS = "commits"


def run_off_loop(call: Callable[[], T], lane: str = COMMITS, *, concurrency: Concurrency) -> T:
    """``call()``, in a native thread of ``lane`` when ``concurrency`` is cooperative (see the
    module); the calls of one lane run one after the other.

    The caller waits for the call to end even if it is interrupted meanwhile (a worker being
    stopped): whatever the call uses stays in use until then. The interruption is raised once
    the call has ended.
    """
    if concurrency is Concurrency.THREADS:
        return call()
    return _runner(lane).run(call)


class _Job(Generic[T]):
    __slots__ = ("call", "ended", "error", "result")

    def __init__(self, call: Callable[[], T], ended: Any) -> None:
        self.call = call
        self.result: T | None = None
        self.error: BaseException | None = None
        self.ended = ended  # a gevent Event, set by the delivering greenlet


class _Runner:
    """The native threads of one process and the greenlet that hands their results back."""

    def __init__(self) -> None:
        from gevent.monkey import get_original

        start_new_thread = get_original("_thread", "start_new_thread")
        self.pid = os.getpid()
        self._jobs: deque[_Job[Any]] = deque()
        self._ended: deque[_Job[Any]] = deque()
        self._announce_read, self._announce_write = os.pipe()
        self._end_read, self._end_write = os.pipe()
        os.set_blocking(self._end_read, False)
        import gevent

        self._deliverer = gevent.spawn(self._deliver)
        for _ in range(THREADS):
            start_new_thread(self._work, ())

    def run(self, call: Callable[[], T]) -> T:
        from gevent.event import Event

        job: _Job[T] = _Job(call, Event())
        self._jobs.append(job)
        os.write(self._announce_write, b"\0")
        interrupted: BaseException | None = None
        while not job.ended.is_set():
            try:
                job.ended.wait()
            except BaseException as error:  # raised again below
                interrupted = error
        if interrupted is not None:
            raise interrupted
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]  # set when error is None

    def _work(self) -> None:
        """A native thread: one job per byte announced, one byte back per job ended."""
        while True:
            os.read(self._announce_read, 1)
            job = self._jobs.popleft()
            try:
                job.result = job.call()
            except BaseException as error:  # handed to the caller
                job.error = error
            self._ended.append(job)
            os.write(self._end_write, b"\0")

    def _deliver(self) -> None:
        """The greenlet that wakes each job's caller once its job has ended."""
        from gevent.os import nb_read

        while True:
            for _ in nb_read(self._end_read, 4096):
                self._ended.popleft().ended.set()


_runners: dict[str, _Runner] = {}


def _runner(lane: str) -> _Runner:
    """This process's runner of ``lane``, made on first use (after a fork, a new one). Only
    greenlets of one thread get here, and making it never yields: no lock is needed around it."""
    runner = _runners.get(lane)
    if runner is None or runner.pid != os.getpid():
        runner = _runners[lane] = _Runner()
    return runner
