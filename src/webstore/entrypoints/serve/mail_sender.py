"""The outbox's sender as a process: ``webstore mail send-pending``, once or ``--watch``ing.

``webstore serve`` runs one beside itself (``server.py``). It polls the outbox once a second
with one indexed read, and claims and sends only when a message is due; any number of them,
on any number of nodes, may run at once (each message is claimed by one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from typing import Any

from webstore.application.errors import StorageUnavailable
from webstore.application.mail.delivery import DeliveryOutcome, DeliveryReport

__all__ = ["DeliveryOutcome", "log_report", "watch"]
from webstore.application.store import Webstore

log = logging.getLogger("webstore.mail")
POLL = 1.0  # seconds between looks at the outbox
LONGEST_PAUSE = 60.0  # seconds between tries while the database cannot be used


def log_report(report: DeliveryReport) -> None:
    """One line per message attempted: sent at INFO, anything else at WARNING or ERROR."""
    for each in report.deliveries:
        name = f"mail {each.message_id} ({each.kind})"
        if each.outcome is DeliveryOutcome.SENT:
            log.info("%s sent", name)
        elif each.outcome is DeliveryOutcome.FAILED:
            log.warning("%s given up: %s", name, each.reason)
        elif each.outcome is DeliveryOutcome.RETRYING:
            due = each.due_at.isoformat().replace("+00:00", "Z") if each.due_at else "later"
            if each.error is not None:
                log.error("%s failed; next attempt at %s", name, due, exc_info=each.error)
            else:
                log.warning("%s not sent: %s; next attempt at %s", name, each.reason, due)


def watch(
    store: Webstore, stop: threading.Event, *, poll: float = POLL, parent: int | None = None
) -> None:
    """Send what is due, again and again, until ``stop`` is set (or ``parent`` has died).

    ``stop`` is heeded between batches: the batch being sent is finished first, and a backlog
    never keeps the sender from stopping. While the database cannot be used, the pause
    between tries doubles up to a minute, and the trouble is logged once.
    """
    pause = poll
    troubled = False
    while not stop.is_set() and (parent is None or os.getppid() == parent):
        try:
            report = store.send_pending_mail(batches=1)
            log_report(report)
        except StorageUnavailable as outage:  # the database down: one line, as a worker logs it
            if not troubled:
                cause = str(outage.__cause__ or outage).strip().splitlines() or ["no answer"]
                log.error(
                    "cannot send mail now (%s); trying again, quietly, until it works", cause[0]
                )
            troubled = True
            pause = min(LONGEST_PAUSE, pause * 2)
        except Exception:  # anything else unexpected: the sender must outlive it too
            if not troubled:
                log.exception("cannot send mail now; trying again, quietly, until it works")
            troubled = True
            pause = min(LONGEST_PAUSE, pause * 2)
        else:
            if troubled:
                log.info("sending mail again")
            troubled, pause = False, poll
            if report.more_due:
                continue  # a backlog: the next batch at once
        stop.wait(pause)


class SenderProcess:
    """``webstore mail send-pending --watch`` beside ``webstore serve``: started by gunicorn's
    ``when_ready`` hook in the master (once it listens, before the workers are forked), and
    stopped by its ``on_exit`` hook once the workers have finished their requests. A process
    of its own: it shares no connection pool with the master or the workers, and sending
    never takes a worker's time. It stops by itself if the master dies. It runs ``NICENESS``
    steps nicer than the server: on cores busy with requests, mail (which may wait a few
    seconds) gives way to customers (who may not)."""

    STOP_SECONDS = 30  # to finish the message it is sending (SMTP steps time out in 10 s)
    NICENESS = 10

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, server: object) -> None:
        command = [sys.executable, "-m", "webstore", "mail", "send-pending", "--watch"]
        self._process = subprocess.Popen(
            [*command, "--parent", str(os.getpid())], stdin=subprocess.DEVNULL
        )
        niceness = os.getpriority(os.PRIO_PROCESS, 0) + self.NICENESS
        with contextlib.suppress(ProcessLookupError):  # ended already: its log says why
            os.setpriority(os.PRIO_PROCESS, self._process.pid, niceness)

    def stop(self, server: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=self.STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()  # a message it was sending may be sent again by the next sender
            process.wait()


def start_sender_thread(worker: Any) -> None:
    """gunicorn's ``post_worker_init`` hook for a memory:// store, which only its one worker
    can see: the sender runs there, as a thread (a greenlet, under gevent)."""
    store = worker.wsgi.extensions["webstore"]
    threading.Thread(
        target=watch, args=(store, threading.Event()), name="webstore-mail", daemon=True
    ).start()
