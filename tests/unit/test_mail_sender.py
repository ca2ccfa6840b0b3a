"""The sender beside a server: batch after batch, stopping between them, logging each message."""

from __future__ import annotations

import errno
import logging
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakeMailServer
from webstore import Webstore, bootstrap
from webstore.adapters.mail import FolderMailer
from webstore.application.mail.delivery import DeliveryOutcome
from webstore.domain.mail import DeliveryStatus, Mail, MailKind, OutboxMessage
from webstore.entrypoints.serve.mail_sender import log_report, watch


@pytest.fixture
def mail_server() -> FakeMailServer:
    return FakeMailServer()


@pytest.fixture
def store(clock: FakeClock, mail_server: FakeMailServer) -> Webstore:
    return bootstrap(fast_settings(), clock=clock, mailer=mail_server)


def post(store: Webstore, count: int, clock: FakeClock) -> None:
    with store.uow() as work:
        for n in range(count):
            mail = Mail(MailKind.ORDER_CONFIRMATION, f"buyer-{n}@example.com", f"#{n}", "Hi")
            work.outbox.add(OutboxMessage(mail, created_at=clock.now(), due_at=clock.now()))
        work.commit()


def test_a_backlog_is_sent_batch_after_batch_without_pausing(
    store: Webstore, mail_server: FakeMailServer, clock: FakeClock
) -> None:
    post(store, 45, clock)

    first = store.send_pending_mail(batches=1)
    rest = store.send_pending_mail()

    assert (len(first.deliveries), first.more_due) == (20, True)
    assert (len(rest.deliveries), rest.more_due) == (25, False)
    assert len(mail_server.sent) == 45


def test_the_watcher_stops_between_batches_however_long_the_backlog(
    store: Webstore, mail_server: FakeMailServer, clock: FakeClock
) -> None:
    post(store, 100, clock)
    stop = threading.Event()

    class StoppedWhileSending(FakeMailServer):
        def send(self, message: OutboxMessage) -> None:
            mail_server.send(message)
            stop.set()  # SIGTERM arrives while the first message goes

    stopping = bootstrap(fast_settings(), uow=store.uow, clock=clock, mailer=StoppedWhileSending())
    finished = threading.Event()
    thread = threading.Thread(target=lambda: (watch(stopping, stop, poll=0.01), finished.set()))
    thread.start()
    thread.join(10)

    assert finished.is_set()
    assert len(mail_server.sent) == 20  # the batch it was sending, and no more


def test_each_message_attempted_is_one_log_line(
    store: Webstore, mail_server: FakeMailServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    post(store, 2, clock)
    mail_server.busy.add("buyer-1@example.com")

    with caplog.at_level(logging.INFO, logger="webstore.mail"):
        log_report(store.send_pending_mail())

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "mail 1 (order_confirmation) sent"),
        (
            "WARNING",
            "mail 2 (order_confirmation) not sent: recipient refused: 451 mailbox busy; "
            "next attempt at 2026-11-26T20:12:31Z",
        ),
    ]


class CountedWrites:
    """The store's unit-of-work factory, counting the units of work that may write."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.writes = 0

    def __call__(self, *args: object, **kwargs: object) -> object:
        if not kwargs.get("read_only"):
            self.writes += 1
        return self.inner(*args, **kwargs)  # type: ignore[operator]


def test_a_batch_is_claimed_in_one_transaction_and_settled_in_one_more(
    store: Webstore, mail_server: FakeMailServer, clock: FakeClock
) -> None:
    post(store, 20, clock)
    counted = CountedWrites(store.uow)
    sender = bootstrap(fast_settings(), uow=counted, clock=clock, mailer=mail_server)  # type: ignore[arg-type]

    report = sender.send_pending_mail(batches=1)

    assert len(report.deliveries) == len(mail_server.sent) == 20
    assert counted.writes == 2  # not one per message: each would be a commit waiting for disk
    assert store.send_pending_mail().deliveries == []  # all twenty were marked sent


def test_a_slow_mail_server_sees_its_messages_settled_within_a_quarter_second(
    store: Webstore, clock: FakeClock
) -> None:
    post(store, 20, clock)

    class TenthOfASecondEach(FakeMailServer):
        def send(self, message: OutboxMessage) -> None:
            super().send(message)
            clock.advance(0.1)

    slow = TenthOfASecondEach()
    counted = CountedWrites(store.uow)
    sender = bootstrap(fast_settings(), uow=counted, clock=clock, mailer=slow)  # type: ignore[arg-type]

    report = sender.send_pending_mail(batches=1)

    assert len(report.deliveries) == len(slow.sent) == 20
    # Attempts at 0, .1 and .2 s are settled before the one at .3 s: three at a time, so a
    # sender dying mid-batch would send at most three messages again.
    assert counted.writes == 1 + 7


def _fsyncs(
    monkeypatch: pytest.MonkeyPatch, on_directory: Callable[[], None] = lambda: None
) -> list[str]:
    """Each fsync from now on, as "file" or "directory"; ``on_directory`` runs before each
    fsync of a directory (and may raise, as a failing disk would)."""
    seen: list[str] = []
    real = os.fsync

    def counted(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            seen.append("directory")
            on_directory()
        else:
            seen.append("file")
        real(fd)

    monkeypatch.setattr(os, "fsync", counted)
    return seen


def _folder_store(store: Webstore, clock: FakeClock, folder: Path) -> Webstore:
    folder.mkdir(mode=0o700)
    mailer = FolderMailer(folder, "shop@example.com")
    return bootstrap(fast_settings(), uow=store.uow, clock=clock, mailer=mailer)


def test_a_batch_written_to_a_folder_waits_for_the_folder_once(
    store: Webstore, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(store, 20, clock)
    sender = _folder_store(store, clock, tmp_path / "mail")
    fsyncs = _fsyncs(monkeypatch)

    report = sender.send_pending_mail(batches=1)

    assert report.count(DeliveryOutcome.SENT) == 20
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 20
    # Each file's content, then every rename at once (it was an fsync of the folder each).
    assert fsyncs == ["file"] * 20 + ["directory"]


def test_mail_is_marked_sent_only_once_the_folder_is_synced(
    store: Webstore, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(store, 3, clock)
    sender = _folder_store(store, clock, tmp_path / "mail")
    marked_when_synced: list[list[DeliveryStatus]] = []

    def failing_disk() -> None:
        with store.uow(read_only=True) as work:
            found = [work.outbox.get(n) for n in (1, 2, 3)]
            marked_when_synced.append([m.status for m in found if m is not None])
        raise OSError(errno.EIO, "Input/output error")

    _fsyncs(monkeypatch, failing_disk)
    failed = sender.send_pending_mail()

    # The files were written, but a power cut could lose them: nothing is marked sent.
    assert marked_when_synced == [[DeliveryStatus.PENDING] * 3]
    assert [d.outcome for d in failed.deliveries] == [DeliveryOutcome.RETRYING] * 3
    assert all(d.server_unavailable for d in failed.deliveries)
    monkeypatch.undo()
    clock.advance(1)
    again = sender.send_pending_mail()
    assert again.count(DeliveryOutcome.SENT) == 3
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3  # written again, not twice
    assert store.send_pending_mail().deliveries == []
