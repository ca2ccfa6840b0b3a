"""Sending the outbox: claim in one short transaction, send outside any, then settle each.

A message is claimed by moving its ``due_at`` past the sender's lease, committed at once, so
that no writer waits on the mail server and no other sender (of this or another node) takes
it meanwhile. The messages attempted are settled together, in one transaction at the end of
the batch, or sooner once the first of them was attempted ``settle_within`` ago: a transaction
per message doubled the writes of a shop taking orders (on SQLite, one writer at a time, each
commit waiting for the disk). A sender that dies between claiming and settling leaves its
messages to be claimed again once the lease ends: a message is sent twice only if its sender
died (or lost the database) after the mail server took it and before it was marked sent, that
is within ``settle_within`` of its attempt, or before the end of its batch.

A message the mailer took is marked sent only once the mailer has made it durable
(``Mailer.flush``, once per settling: a folder's one fsync for all of its files). If that
fails, those messages are retried, as if the mail server had been unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from webstore.application.errors import MailNotSent, MailRejected, MailServerUnavailable
from webstore.application.ports import Clock, Mailer, UnitOfWorkFactory
from webstore.domain.mail import OutboxMessage


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    batch: int = 20  # messages claimed at a time
    # A claimed message is sent only within the first half of the lease; an SMTP exchange
    # times out long before (10 s per step), so a live sender never overlaps another.
    lease: timedelta = timedelta(minutes=5)
    first_retry: timedelta = timedelta(seconds=1)  # doubling with each failed attempt...
    longest_retry: timedelta = timedelta(minutes=5)  # ...up to this
    give_up_after: timedelta = timedelta(days=7)  # since the message was stored
    keep_settled: timedelta = timedelta(days=30)  # sent or failed messages are then forgotten
    settle_within: timedelta = timedelta(milliseconds=250)  # attempts wait at most this long

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (from 1)."""
        doubled: timedelta = self.first_retry * 2 ** min(attempts - 1, 30)
        return min(self.longest_retry, doubled)


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"  # given up
    RELEASED = "released"  # not attempted: due again soon


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one claimed message."""

    message_id: int
    kind: str
    outcome: DeliveryOutcome
    reason: str | None = None
    due_at: datetime | None = None  # of the next attempt
    error: Exception | None = None  # an unexpected one, for the caller's log
    server_unavailable: bool = False  # no message could have gone


@dataclass
class DeliveryReport:
    deliveries: list[Delivery] = field(default_factory=list)
    # Stopped after the batches asked for, the last one full: more may be due already.
    more_due: bool = False

    def count(self, outcome: DeliveryOutcome) -> int:
        return sum(1 for delivery in self.deliveries if delivery.outcome is outcome)


# A message attempted, what became of it, and when it was attempted.
_Attempted = tuple[OutboxMessage, Delivery, datetime]


def send_pending(
    *,
    uow: UnitOfWorkFactory,
    mailer: Mailer,
    clock: Clock,
    policy: DeliveryPolicy,
    batches: int | None = None,
) -> DeliveryReport:
    """Send what is due now, batch after batch (``batches`` at most); what became of each."""
    report = DeliveryReport()
    sent_batches = 0
    while batches is None or sent_batches < batches:
        with uow(read_only=True) as work:  # the usual case, nothing due, writes nothing
            due = work.outbox.next_due()
        claimed_at = clock.now()
        if due is None or due > claimed_at:
            return report
        with uow() as work:
            batch = work.outbox.claim(claimed_at, claimed_at + policy.lease, policy.batch)
            work.outbox.prune(claimed_at - policy.keep_settled)
            work.commit()
        _deliver(batch, claimed_at, report, uow=uow, mailer=mailer, clock=clock, policy=policy)
        sent_batches += 1
        if len(batch) < policy.batch:
            return report
    report.more_due = True
    return report


def _deliver(
    batch: list[OutboxMessage],
    claimed_at: datetime,
    report: DeliveryReport,
    *,
    uow: UnitOfWorkFactory,
    mailer: Mailer,
    clock: Clock,
    policy: DeliveryPolicy,
) -> None:
    unsettled: list[_Attempted] = []
    first_attempt = claimed_at

    def settle(now: datetime) -> None:
        _settle(unsettled, report, now, uow=uow, mailer=mailer, policy=policy)

    for index, message in enumerate(batch):
        now = clock.now()
        if unsettled and now - first_attempt >= policy.settle_within:
            settle(now)
        if now - claimed_at >= policy.lease / 2:
            settle(now)
            _release(batch[index:], now, report, uow=uow)  # too late to start within the lease
            return
        delivery = _attempt(message, now, mailer, policy)
        if not unsettled:
            first_attempt = now
        unsettled.append((message, delivery, now))
        if delivery.server_unavailable:
            # No message can go now: the rest wait for the same retry, unattempted.
            settle(now)
            _release(batch[index + 1 :], message.due_at, report, uow=uow)
            return
    settle(clock.now())


def _attempt(
    message: OutboxMessage, now: datetime, mailer: Mailer, policy: DeliveryPolicy
) -> Delivery:
    assert message.id is not None
    kind = message.mail.kind.value
    if message.is_expired(now):
        message.give_up(now, "expired before it could be sent")
        return Delivery(message.id, kind, DeliveryOutcome.FAILED, message.last_error)
    try:
        mailer.send(message)  # marked sent once the mailer has made it durable (``_settle``)
    except MailRejected as refusal:
        message.give_up(now, str(refusal))
        return Delivery(message.id, kind, DeliveryOutcome.FAILED, str(refusal))
    except MailNotSent as failure:
        return _retry(message, now, policy, failure)
    except Exception as error:  # a fault of ours for this one message: it must not stop the rest
        return _retry(message, now, policy, error)
    return Delivery(message.id, kind, DeliveryOutcome.SENT)


def _retry(
    message: OutboxMessage, now: datetime, policy: DeliveryPolicy, failure: Exception
) -> Delivery:
    assert message.id is not None
    kind = message.mail.kind.value
    reason = str(failure) or type(failure).__name__
    if now - message.created_at >= policy.give_up_after:
        message.give_up(now, f"not sent within {policy.give_up_after}: {reason}")
        return Delivery(message.id, kind, DeliveryOutcome.FAILED, message.last_error)
    message.retry_at(now + policy.retry_delay(message.attempts + 1), reason)
    return Delivery(
        message.id,
        kind,
        DeliveryOutcome.RETRYING,
        reason,
        message.due_at,
        error=None if isinstance(failure, MailNotSent) else failure,
        server_unavailable=isinstance(failure, MailServerUnavailable),
    )


def _release(
    rest: list[OutboxMessage], due_at: datetime, report: DeliveryReport, *, uow: UnitOfWorkFactory
) -> None:
    if not rest:
        return
    with uow() as work:
        for message in rest:
            message.release(due_at)
        work.outbox.save_all(rest)
        work.commit()
    for message in rest:
        assert message.id is not None
        report.deliveries.append(
            Delivery(message.id, message.mail.kind.value, DeliveryOutcome.RELEASED, due_at=due_at)
        )


def _settle(
    attempted: list[_Attempted],
    report: DeliveryReport,
    now: datetime,
    *,
    uow: UnitOfWorkFactory,
    mailer: Mailer,
    policy: DeliveryPolicy,
) -> None:
    """Save what became of the messages attempted, in one transaction; forget them."""
    if not attempted:
        return
    settled = _made_durable(attempted, now, mailer, policy)
    with uow() as work:
        work.outbox.save_all([message for message, _ in settled])
        work.commit()
    report.deliveries.extend(delivery for _, delivery in settled)
    attempted.clear()


def _made_durable(
    attempted: list[_Attempted], now: datetime, mailer: Mailer, policy: DeliveryPolicy
) -> list[tuple[OutboxMessage, Delivery]]:
    """The attempts, the messages the mailer took marked sent (at their attempt) once it has
    made them durable; retried if it could not."""
    failure: MailServerUnavailable | None = None
    if any(delivery.outcome is DeliveryOutcome.SENT for _, delivery, _ in attempted):
        try:
            mailer.flush()
        except MailServerUnavailable as unavailable:
            failure = unavailable
    settled: list[tuple[OutboxMessage, Delivery]] = []
    for message, delivery, attempted_at in attempted:
        if delivery.outcome is DeliveryOutcome.SENT:
            if failure is None:
                message.sent(attempted_at)
            else:
                delivery = _retry(message, now, policy, failure)
        settled.append((message, delivery))
    return settled
