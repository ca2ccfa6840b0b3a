"""The mail sender's own PostgreSQL backend is terminated, at each step of its work: it says so
in one line, no traceback, says when it sends again, and every message is sent in the end
(twice only where it was terminated after the mail server took the message, before it was
marked sent, as docs/operating.md allows)."""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import fast_settings
from tests.fakes import FakeMailServer
from tests.integration.faults.postgres_faults import tagged
from tests.integration.faults.test_postgres_commit import database, terminate
from webstore import Webstore, bootstrap
from webstore.application.errors import StorageUnavailable
from webstore.application.mail.delivery import DeliveryPolicy
from webstore.domain.mail import Mail, MailKind, OutboxMessage
from webstore.entrypoints.serve.mail_sender import watch

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# A poll shorter than the pool's idle ping (``engine.IDLE_BEFORE_PING``): the sender meets its
# dead connection itself, rather than the pool replacing it unseen.
POLL = 0.1
LEASE = timedelta(seconds=2)  # a message claimed by a sender that lost it is due again soon


class HeldMailServer(FakeMailServer):
    """Takes each message, then waits while ``held`` is set: the sender is between its claim
    and its settle, its connection back in the pool."""

    def __init__(self) -> None:
        super().__init__()
        self.held = threading.Event()
        self.holding = threading.Event()

    def send(self, message: OutboxMessage) -> None:
        super().send(message)
        while self.held.is_set():
            self.holding.set()
            time.sleep(0.01)


@dataclasses.dataclass
class Sender:
    name: str  # the application_name of its connections
    mail_server: HeldMailServer
    poster: Webstore

    def post(self, to: str) -> None:
        now = self.poster.clock.now()
        with self.poster.uow() as work:
            mail = Mail(MailKind.ORDER_CONFIRMATION, to, "Your order", "Thanks")
            work.outbox.add(OutboxMessage(mail, created_at=now, due_at=now))
            work.commit()

    def sent_to(self, to: str) -> int:
        return len(self.mail_server.sent_to(to))


def wait_for(check: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.02)


def backends(db: sa.Connection, name: str, condition: str = "true") -> list[int]:
    return list(
        db.scalars(
            sa.text(
                f"SELECT pid FROM pg_stat_activity WHERE application_name = :name AND {condition}"
            ),
            {"name": name},
        )
    )


def terminate_and_wait(db: sa.Connection, name: str) -> None:
    """Terminate every backend of ``name``, and wait until they are gone."""
    wait_for(lambda: backends(db, name))
    pids = backends(db, name)
    terminate(db, pids)
    wait_for(lambda: not backends(db, name, f"pid IN ({', '.join(map(str, pids))})"))


def gate_updates(db: sa.Connection, gate: int, when: str) -> None:
    """Have every UPDATE of the outbox matching ``when`` wait for the advisory lock ``gate``."""
    db.execute(
        sa.text(
            "CREATE FUNCTION gate() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_advisory_xact_lock_shared({gate}); RETURN NEW; END $$"
        )
    )
    db.execute(
        sa.text(
            f"CREATE TRIGGER gate BEFORE UPDATE ON outbox FOR EACH ROW WHEN ({when}) "
            "EXECUTE FUNCTION gate()"
        )
    )


@pytest.fixture
def sender(postgres_url: str, caplog: pytest.LogCaptureFixture) -> Iterator[Sender]:
    """A sender, as ``webstore serve`` runs one (``watch``), on connections of its own name."""
    poster = bootstrap(fast_settings(postgres_url), migrate=True)
    name = f"webstore-mail-{uuid.uuid4().hex[:12]}"
    mail_server = HeldMailServer()
    store = bootstrap(fast_settings(tagged(postgres_url, name)), mailer=mail_server)
    store = dataclasses.replace(store, delivery=DeliveryPolicy(lease=LEASE))
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(store, stop), kwargs={"poll": POLL})
    with caplog.at_level(logging.INFO):
        thread.start()
        try:
            yield Sender(name, mail_server, poster)
        finally:
            mail_server.held.clear()
            stop.set()
            thread.join(30)
            store.uow.dispose()  # type: ignore[attr-defined]
            poster.uow.dispose()  # type: ignore[attr-defined]
    assert not thread.is_alive()


def assert_one_quiet_outage(caplog: pytest.LogCaptureFixture) -> None:
    """One line for the outage, none with a traceback, and one when mail goes again."""
    tracebacks = [(r.name, r.getMessage()) for r in caplog.records if r.exc_info]
    assert not tracebacks, caplog.text
    assert "Traceback" not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "webstore.mail"]
    down = [i for i, line in enumerate(lines) if line.startswith("cannot send mail now")]
    assert len(down) == 1, lines
    assert "sending mail again" in lines[down[0] + 1 :], lines


def test_terminated_while_idle_between_polls(
    sender: Sender, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with database(postgres_url) as db:
        wait_for(lambda: backends(db, sender.name, "state = 'idle'"))
        terminate_and_wait(db, sender.name)
    sender.post("idle@example.com")

    wait_for(lambda: sender.sent_to("idle@example.com"))
    wait_for(lambda: "sending mail again" in caplog.text)
    assert sender.sent_to("idle@example.com") == 1
    assert_one_quiet_outage(caplog)


def test_terminated_while_reading_the_outbox(
    sender: Sender, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with database(postgres_url) as db, database(postgres_url) as locking:
        # The poll's read waits behind a lock of the whole table, in its transaction.
        locking.execute(sa.text("BEGIN"))
        locking.execute(sa.text("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"))
        waiting = "wait_event_type = 'Lock' AND wait_event = 'relation'"
        wait_for(lambda: backends(db, sender.name, waiting))
        terminate_and_wait(db, sender.name)
        locking.execute(sa.text("ROLLBACK"))
    sender.post("read@example.com")

    wait_for(lambda: sender.sent_to("read@example.com"))
    wait_for(lambda: "sending mail again" in caplog.text)
    assert sender.sent_to("read@example.com") == 1
    assert_one_quiet_outage(caplog)


@pytest.mark.parametrize(
    ("step", "when"),
    [
        ("claim", "OLD.status = NEW.status AND OLD.attempts = NEW.attempts"),
        ("settle", "OLD.status <> NEW.status"),
    ],
)
def test_terminated_during_a_statement_of_the_claim_or_the_settle(
    sender: Sender, postgres_url: str, caplog: pytest.LogCaptureFixture, step: str, when: str
) -> None:
    gate = random.randrange(1, 2**62)  # an advisory lock of this test's own
    to = f"{step}@example.com"
    with database(postgres_url) as db:
        gate_updates(db, gate, when)
        db.execute(sa.text("SELECT pg_advisory_lock(:gate)"), {"gate": gate})
        sender.post(to)
        waiting = "wait_event_type = 'Lock' AND wait_event = 'advisory'"
        wait_for(lambda: backends(db, sender.name, waiting))
        terminate_and_wait(db, sender.name)  # gone before the lock is free
        db.execute(sa.text("SELECT pg_advisory_unlock(:gate)"), {"gate": gate})

    wait_for(lambda: sender.mail_server.sent_to(to) and "sending mail again" in caplog.text)
    if step == "settle":  # taken by the mail server, not marked sent: sent again after the lease
        wait_for(lambda: sender.sent_to(to) == 2)
        time.sleep(LEASE.total_seconds() + 3 * POLL)  # marked sent now: never a third time
        assert sender.sent_to(to) == 2
    else:
        assert sender.sent_to(to) == 1
    assert_one_quiet_outage(caplog)


def test_terminated_while_sending_before_the_settle(
    sender: Sender, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sender.mail_server.held.set()
    with database(postgres_url) as db:
        sender.post("sending@example.com")
        wait_for(sender.mail_server.holding.is_set)
        terminate_and_wait(db, sender.name)  # its connection, idle in the pool
    sender.mail_server.held.clear()

    wait_for(lambda: "sending mail again" in caplog.text)
    wait_for(lambda: sender.sent_to("sending@example.com") == 2)
    time.sleep(LEASE.total_seconds() + 3 * POLL)
    assert sender.sent_to("sending@example.com") == 2
    assert_one_quiet_outage(caplog)


@pytest.mark.parametrize("read_only", [True, False], ids=["reading", "writing"])
def test_a_unit_of_work_whose_backend_is_terminated_after_its_statements_ends_in_an_outage(
    postgres_url: str, caplog: pytest.LogCaptureFixture, read_only: bool
) -> None:
    store = bootstrap(fast_settings(postgres_url), migrate=True)
    try:
        with (
            database(postgres_url) as db,
            pytest.raises(StorageUnavailable),
            store.uow(read_only=read_only) as work,
        ):
            work.outbox.next_due()  # a transaction begun, to be rolled back at the end
            pid = work.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            terminate(db, [pid])
            wait_for(lambda: not backends_of(db, pid))
        with store.uow(read_only=True) as work:  # the broken connection was not pooled again
            assert work.outbox.next_due() is None
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.exc_info], caplog.text


def backends_of(db: sa.Connection, pid: int) -> list[int]:
    found = db.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
    return list(found)
