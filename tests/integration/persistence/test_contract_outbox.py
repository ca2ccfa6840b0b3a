"""The outbox and password-reset links: one contract over memory, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.integration.persistence.helpers import (
    NOW,
    Backend,
    add_order,
    add_product,
    add_session,
    add_user,
    run_together,
    statements,
)
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.ports import UnitOfWorkFactory
from webstore.domain.mail import DeliveryStatus, Mail, MailKind, OutboxMessage
from webstore.domain.password_resets import PasswordReset

LEASE = timedelta(minutes=5)


def mail(to: str = "alice@example.com", subject: str = "Your order #1") -> Mail:
    return Mail(MailKind.ORDER_CONFIRMATION, to, subject, "Hello Alice,\n\nTotal: 39.98\n")


def post(uow: UnitOfWorkFactory, *mails: Mail, at: object = NOW) -> list[int]:
    messages = [OutboxMessage(each, created_at=at, due_at=at) for each in mails]  # type: ignore[arg-type]
    with uow() as work:
        for message in messages:
            work.outbox.add(message)
        work.commit()
    return [message.id for message in messages if message.id is not None]


def stored(uow: UnitOfWorkFactory, message_id: int) -> OutboxMessage | None:
    with uow(read_only=True) as work:
        return work.outbox.get(message_id)


def test_a_message_is_stored_by_the_commit_of_its_unit_of_work(backend: Backend) -> None:
    [message_id] = post(backend.uow, mail())

    found = stored(backend.uow, message_id)
    assert found is not None
    assert (found.mail, found.status, found.attempts) == (mail(), DeliveryStatus.PENDING, 0)
    assert (found.created_at, found.due_at, found.expires_at) == (NOW, NOW, None)


def test_a_message_of_a_unit_of_work_that_rolls_back_is_never_stored(backend: Backend) -> None:
    user = add_user(backend.uow)
    product = add_product(backend.uow)
    with pytest.raises(ZeroDivisionError), backend.uow() as work:
        work.outbox.add(OutboxMessage(mail(), created_at=NOW, due_at=NOW))
        raise ZeroDivisionError  # say, the order failed after its mail was written
    with backend.uow() as work:
        work.outbox.add(OutboxMessage(mail(), created_at=NOW, due_at=NOW))  # no commit
    add_order(backend.uow, user, product)

    with backend.uow() as work:
        assert work.outbox.next_due() is None
        assert work.outbox.claim(NOW, NOW + LEASE, 10) == []


def test_claims_take_due_messages_oldest_first_and_hide_them_until_the_lease_ends(
    backend: Backend,
) -> None:
    later = post(backend.uow, mail(subject="later"), at=NOW + timedelta(seconds=5))
    first = post(backend.uow, mail(subject="first"), mail(subject="second"))
    with backend.uow(read_only=True) as work:
        assert work.outbox.next_due() == NOW

    with backend.uow() as work:
        claimed = work.outbox.claim(NOW, NOW + LEASE, 10)
        work.commit()

    assert [m.id for m in claimed] == first  # the later one is not due yet
    assert all(m.due_at == NOW + LEASE for m in claimed)
    minute = NOW + timedelta(minutes=1)
    with backend.uow() as work:
        assert work.outbox.next_due() == NOW + timedelta(seconds=5)
        assert [m.id for m in work.outbox.claim(minute, minute + LEASE, 10)] == later
        assert [m.id for m in work.outbox.claim(NOW + LEASE, NOW + 2 * LEASE, 1)] == first[:1]


def test_what_a_sender_saves_is_what_is_read_back(backend: Backend) -> None:
    [sent_id, failed_id, retried_id] = post(backend.uow, mail(), mail(), mail())
    with backend.uow() as work:
        sent, failed, retried = work.outbox.claim(NOW, NOW + LEASE, 10)
    sent.sent(NOW + timedelta(seconds=1))
    failed.give_up(NOW + timedelta(seconds=1), "recipient refused: 550 no such user")
    retried.retry_at(NOW + timedelta(seconds=2), "server unavailable")
    with backend.uow() as work:
        for message in (sent, failed, retried):
            work.outbox.save(message)
        work.commit()

    found = [stored(backend.uow, n) for n in (sent_id, failed_id, retried_id)]
    assert [(m.status, m.attempts, m.last_error) for m in found if m is not None] == [
        (DeliveryStatus.SENT, 0, None),
        (DeliveryStatus.FAILED, 0, "recipient refused: 550 no such user"),
        (DeliveryStatus.PENDING, 1, "server unavailable"),
    ]
    assert [m.mail.body for m in found if m is not None] == ["", "", mail().body]
    assert [m.settled_at for m in found if m is not None] == [NOW + timedelta(seconds=1)] * 2 + [
        None
    ]
    with backend.uow(read_only=True) as work:
        assert work.outbox.next_due() == NOW + timedelta(seconds=2)


def test_a_batch_is_saved_in_one_statement_and_each_message_as_it_became(
    backend: Backend,
) -> None:
    ids = post(backend.uow, *(mail(subject=f"#{n}") for n in range(20)))
    with backend.uow() as work:
        claimed = work.outbox.claim(NOW, NOW + LEASE, 20)
        work.commit()
    for n, message in enumerate(claimed):
        if n % 2:
            message.sent(NOW + timedelta(seconds=1))
        else:
            message.retry_at(NOW + timedelta(seconds=n), "mailbox busy")
    engine = getattr(backend.uow, "engine", None)
    with backend.uow() as work:
        if engine is None:  # in memory: nothing to count
            work.outbox.save_all(claimed)
        else:
            with statements(engine) as seen:
                work.outbox.save_all(claimed)
            # A sender settling its batch holds the one write lock for one statement.
            assert [sql.split()[:2] for sql, _ in seen] == [["UPDATE", "outbox"]]
        work.commit()

    found = [stored(backend.uow, n) for n in ids]
    assert [(m.status, m.attempts, m.due_at) for m in found if m is not None] == [
        (DeliveryStatus.SENT, 0, NOW + LEASE)
        if n % 2
        else (DeliveryStatus.PENDING, 1, NOW + timedelta(seconds=n))
        for n in range(20)
    ]


def test_pruning_forgets_only_messages_settled_before_the_given_time(backend: Backend) -> None:
    old, recent, pending = post(backend.uow, mail(), mail(), mail())
    with backend.uow() as work:
        first, second, _ = work.outbox.claim(NOW, NOW + LEASE, 10)
        first.sent(NOW)
        second.sent(NOW + timedelta(days=1))
        work.outbox.save(first)
        work.outbox.save(second)
        work.commit()

    with backend.uow() as work:
        work.outbox.prune(NOW + timedelta(hours=1))
        work.commit()

    assert stored(backend.uow, old) is None
    assert stored(backend.uow, recent) is not None
    assert stored(backend.uow, pending) is not None


@pytest.fixture
def postgres_uow(postgres_url: str) -> Iterator[SqlAlchemyUnitOfWorkFactory]:
    upgrade(postgres_url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(postgres_url)
    yield factory
    factory.dispose()


@pytest.mark.postgres
def test_senders_claiming_at_once_on_postgresql_share_the_messages_without_waiting(
    postgres_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ids = post(postgres_uow, *(mail(subject=f"#{n}") for n in range(4)))
    first_claimed = threading.Event()
    second_done = threading.Event()
    claims: dict[str, list[int | None]] = {}

    def first() -> None:
        with postgres_uow() as work:
            claims["first"] = [m.id for m in work.outbox.claim(NOW, NOW + LEASE, 2)]
            first_claimed.set()
            assert second_done.wait(10)  # its rows stay locked until the other has claimed
            work.commit()

    def second() -> None:
        assert first_claimed.wait(10)
        with postgres_uow() as work:
            claims["second"] = [m.id for m in work.outbox.claim(NOW, NOW + LEASE, 10)]
            work.commit()
        second_done.set()

    run_together(first, second)

    assert claims == {"first": ids[:2], "second": ids[2:]}


def test_a_user_s_addresses_match_whatever_their_case(backend: Backend) -> None:
    alice = add_user(backend.uow, "alice")  # alice@example.com
    add_user(backend.uow, "bob")
    with backend.uow() as work:
        assert [u.id for u in work.users.find_by_email("ALICE@Example.COM", 10)] == [alice]
        assert work.users.find_by_email("carol@example.com", 10) == []


def test_ending_a_user_s_sessions_may_keep_one(backend: Backend) -> None:
    alice = add_user(backend.uow)
    for session_id in ("s-1", "s-2", "s-3"):
        add_session(backend.uow, alice, session_id)

    with backend.uow() as work:
        work.sessions.revoke_all_for_user(alice, NOW, keep="s-2")
        work.commit()

    with backend.uow(read_only=True) as work:
        ended = {s: work.sessions.get(s).revoked_at for s in ("s-1", "s-2", "s-3")}  # type: ignore[union-attr]
    assert ended == {"s-1": NOW, "s-2": None, "s-3": NOW}


def reset(user_id: int, token_hash: str, minutes: int = 60) -> PasswordReset:
    return PasswordReset(token_hash, user_id, NOW, NOW + timedelta(minutes=minutes))


def test_password_reset_links_are_stored_used_and_counted(backend: Backend) -> None:
    alice = add_user(backend.uow, "alice")
    bob = add_user(backend.uow, "bob")
    with backend.uow() as work:
        work.password_resets.add(reset(alice, "a" * 64))
        work.password_resets.add(reset(alice, "b" * 64, minutes=1))
        work.password_resets.add(reset(bob, "c" * 64))
        work.commit()

    with backend.uow() as work:
        link = work.password_resets.get_for_update("a" * 64)
        assert link is not None
        link.use(NOW + timedelta(seconds=1))
        work.commit()

    with backend.uow(read_only=True) as work:
        used = work.password_resets.get("a" * 64)
        assert used is not None and used.used_at == NOW + timedelta(seconds=1)
        assert work.password_resets.get("d" * 64) is None
        assert work.password_resets.count_live(alice, NOW) == 1
        assert work.password_resets.count_live(alice, NOW + timedelta(minutes=1)) == 0
        assert work.password_resets.count_live(bob, NOW) == 1


def test_password_reset_links_of_a_user_can_be_spent_at_once_and_expired_ones_pruned(
    backend: Backend,
) -> None:
    alice = add_user(backend.uow, "alice")
    bob = add_user(backend.uow, "bob")
    with backend.uow() as work:
        work.password_resets.add(reset(alice, "a" * 64))
        work.password_resets.add(reset(alice, "b" * 64, minutes=1))
        work.password_resets.add(reset(bob, "c" * 64))
        work.commit()

    with backend.uow() as work:
        work.password_resets.revoke_all_for_user(alice, NOW)
        work.password_resets.prune(NOW + timedelta(minutes=2))
        work.commit()

    with backend.uow(read_only=True) as work:
        spent = work.password_resets.get("a" * 64)
        assert spent is not None and spent.used_at == NOW
        assert work.password_resets.get("b" * 64) is None  # expired, then pruned
        assert work.password_resets.count_live(bob, NOW) == 1
