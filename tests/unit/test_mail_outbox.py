"""Mail is stored with the change it reports, and sent after it, once, whatever the server does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakeMailServer, FakePasswordHasher, FakeRandom
from tests.unit.conftest import new_product
from webstore import Principal, ProductSnapshot, Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.application.errors import ConfigurationError
from webstore.application.mail.delivery import DeliveryOutcome
from webstore.domain.errors import InsufficientStock
from webstore.domain.mail import DeliveryStatus, MailKind, OutboxMessage

STAFF = ("orders@example.com", "boss@example.com")
LINE = [{"product_id": 1, "amount": 2}]


@pytest.fixture
def mail_server() -> FakeMailServer:
    return FakeMailServer()


@pytest.fixture
def store(clock: FakeClock, hasher: FakePasswordHasher, mail_server: FakeMailServer) -> Webstore:
    settings = fast_settings(staff_email=STAFF, public_url="https://shop.example.com")
    return bootstrap(settings, clock=clock, hasher=hasher, random=FakeRandom(), mailer=mail_server)


def outbox(store: Webstore) -> list[OutboxMessage]:
    assert isinstance(store.uow, InMemoryUnitOfWorkFactory)
    return sorted(store.uow.database.outbox.values(), key=lambda message: message.id or 0)


def test_an_order_stores_a_confirmation_for_the_customer_and_a_notice_for_each_staff_address(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot
) -> None:
    order = store.place_order(alice, "1 Rabbit Hole\nOxford", "+44 1865 000000", LINE)

    confirmation, *notices = [message.mail for message in outbox(store)]
    assert (confirmation.kind, confirmation.to) == (MailKind.ORDER_CONFIRMATION, alice.email)
    assert confirmation.subject == f"Your order #{order.id}"
    for text in ("Hello Alice,", "2 x Red chair at 19.99 = 39.98", "Total: 39.98"):
        assert text in confirmation.body
    assert "1 Rabbit Hole\nOxford\nPhone: +44 1865 000000" in confirmation.body
    assert "https://shop.example.com/" in confirmation.body
    assert [(n.kind, n.to) for n in notices] == [(MailKind.NEW_ORDER_NOTICE, a) for a in STAFF]
    assert notices[0].subject == f"New order #{order.id} from Alice"
    assert "Alice <alice@example.com>" in notices[0].body
    assert "Total: 39.98" in notices[0].body


def test_without_staff_addresses_only_the_customer_hears_of_an_order(
    clock: FakeClock, mail_server: FakeMailServer
) -> None:
    store = bootstrap(fast_settings(), clock=clock, mailer=mail_server)
    admin = store.create_superuser("root", "root@example.com", "correct horse battery")
    new_product(store, admin)
    alice = store.register_user("alice", "alice@example.com", "down the rabbit hole")

    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    assert [message.mail.kind for message in outbox(store)] == [MailKind.ORDER_CONFIRMATION]


def test_an_order_refused_for_stock_stores_no_mail(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot
) -> None:
    with pytest.raises(InsufficientStock):
        store.place_order(
            alice, "1 Rabbit Hole", "+44 1865 000000", [{"product_id": 1, "amount": 6}]
        )

    assert outbox(store) == []


def test_a_cancelled_order_tells_its_owner_whoever_cancelled_it(
    store: Webstore, admin: Principal, alice: Principal, red_chair: ProductSnapshot
) -> None:
    mine = store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)
    other = store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    store.cancel_order(alice, mine.id)
    store.cancel_order(admin, other.id)

    cancellations = [m.mail for m in outbox(store) if m.mail.kind is MailKind.CANCELLATION_NOTICE]
    assert [(c.to, c.subject) for c in cancellations] == [
        (alice.email, f"Your order #{mine.id} is cancelled"),
        (alice.email, f"Your order #{other.id} is cancelled"),
    ]
    assert "Hello Alice," in cancellations[1].body


def test_pending_mail_is_sent_once_and_then_remembered_without_its_text(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot, mail_server: FakeMailServer
) -> None:
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    first = store.send_pending_mail()
    second = store.send_pending_mail()

    assert first.count(DeliveryOutcome.SENT) == 3
    assert second.deliveries == []
    assert [m.mail.to for m in mail_server.sent] == [alice.email, *STAFF]
    assert "Total: 39.98" in mail_server.sent[0].mail.body
    stored = outbox(store)
    assert {m.status for m in stored} == {DeliveryStatus.SENT}
    assert {m.mail.body for m in stored} == {""}  # who got what and when, not the text


def test_mail_waits_while_the_server_is_down_retrying_with_back_off_and_goes_once_it_is_back(
    store: Webstore,
    alice: Principal,
    red_chair: ProductSnapshot,
    mail_server: FakeMailServer,
    clock: FakeClock,
) -> None:
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)
    mail_server.down = True

    waits = []
    for _ in range(4):
        report = store.send_pending_mail()
        [tried, *rest] = report.deliveries
        assert tried.outcome is DeliveryOutcome.RETRYING and tried.server_unavailable
        # The server is down for everybody: the other messages wait, unattempted.
        assert [each.outcome for each in rest] == [
            DeliveryOutcome.RELEASED,
            DeliveryOutcome.RELEASED,
        ]
        assert tried.due_at is not None
        waits.append(tried.due_at - clock.now())
        assert store.send_pending_mail().deliveries == []  # nothing is due before then
        clock.advance((tried.due_at - clock.now()).total_seconds())
    mail_server.down = False
    report = store.send_pending_mail()

    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert mail_server.attempts == [1, 1, 1, 1, 1, 2, 3]  # while down, one try a round
    assert report.count(DeliveryOutcome.SENT) == 3
    assert [m.mail.to for m in mail_server.sent] == [alice.email, *STAFF]


def test_the_back_off_stops_growing_at_five_minutes(store: Webstore) -> None:
    delays = [store.delivery.retry_delay(attempts) for attempts in (1, 2, 9, 10, 40)]

    assert delays == [timedelta(seconds=s) for s in (1, 2, 256, 300, 300)]


def test_a_message_refused_for_good_is_given_up_and_the_others_still_go(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot, mail_server: FakeMailServer
) -> None:
    mail_server.refusing.add(STAFF[0])
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    report = store.send_pending_mail()

    assert [d.outcome for d in report.deliveries] == [
        DeliveryOutcome.SENT,
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SENT,
    ]
    assert report.deliveries[1].reason == "recipient refused: 550 no such user"
    refused = outbox(store)[1]
    assert (refused.status, refused.last_error) == (
        DeliveryStatus.FAILED,
        report.deliveries[1].reason,
    )
    assert store.send_pending_mail().deliveries == []  # never tried again


def test_a_temporary_refusal_of_one_message_delays_that_one_only(
    store: Webstore,
    alice: Principal,
    red_chair: ProductSnapshot,
    mail_server: FakeMailServer,
    clock: FakeClock,
) -> None:
    mail_server.busy.add(alice.email)
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    report = store.send_pending_mail()
    mail_server.busy.clear()
    clock.advance(1)
    again = store.send_pending_mail()

    assert [d.outcome for d in report.deliveries] == [
        DeliveryOutcome.RETRYING,
        DeliveryOutcome.SENT,
        DeliveryOutcome.SENT,
    ]
    assert [d.outcome for d in again.deliveries] == [DeliveryOutcome.SENT]
    assert [m.mail.to for m in mail_server.sent] == [*STAFF, alice.email]


def test_an_unexpected_error_with_one_message_is_reported_and_retried_and_stops_nothing_else(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot, mail_server: FakeMailServer
) -> None:
    mail_server.broken.add(alice.email)
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    report = store.send_pending_mail()

    broken = report.deliveries[0]
    assert broken.outcome is DeliveryOutcome.RETRYING
    assert isinstance(broken.error, RuntimeError)
    assert [m.mail.to for m in mail_server.sent] == list(STAFF)


def test_a_message_not_sent_within_a_week_is_given_up(
    store: Webstore,
    alice: Principal,
    red_chair: ProductSnapshot,
    mail_server: FakeMailServer,
    clock: FakeClock,
) -> None:
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)
    mail_server.busy.add(alice.email)
    store.send_pending_mail()
    clock.advance(days=7)

    report = store.send_pending_mail()

    assert report.deliveries[0].outcome is DeliveryOutcome.FAILED
    assert report.deliveries[0].reason is not None
    assert report.deliveries[0].reason.startswith("not sent within 7 days")


def test_a_claim_whose_sender_died_is_taken_again_once_its_lease_ends(
    store: Webstore,
    alice: Principal,
    red_chair: ProductSnapshot,
    mail_server: FakeMailServer,
    clock: FakeClock,
) -> None:
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)
    with store.uow() as work:  # a sender claims, commits, and dies before sending
        work.outbox.claim(clock.now(), clock.now() + store.delivery.lease, 10)
        work.commit()

    assert store.send_pending_mail().deliveries == []
    clock.advance((store.delivery.lease - timedelta(seconds=1)).total_seconds())
    assert store.send_pending_mail().deliveries == []
    clock.advance(1)
    assert store.send_pending_mail().count(DeliveryOutcome.SENT) == 3
    assert len(mail_server.sent) == 3


def test_a_sender_that_has_used_half_its_lease_gives_the_rest_back_unsent(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot, clock: FakeClock
) -> None:
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)

    class SlowServer(FakeMailServer):
        def send(self, message: OutboxMessage) -> None:
            super().send(message)
            clock.advance((store.delivery.lease / 2).total_seconds())  # a very slow server

    slow = SlowServer()
    report = bootstrap(fast_settings(), uow=store.uow, clock=clock, mailer=slow).send_pending_mail()

    assert [d.outcome for d in report.deliveries] == [
        DeliveryOutcome.SENT, DeliveryOutcome.RELEASED, DeliveryOutcome.RELEASED
    ]  # fmt: skip
    assert [m.mail.to for m in slow.sent] == [alice.email]


def test_settled_mail_is_forgotten_after_thirty_days(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot, clock: FakeClock
) -> None:
    store.place_order(alice, "1 Rabbit Hole", "+44 1865 000000", LINE)
    store.send_pending_mail()
    clock.advance(days=30, seconds=1)
    alice_again = Principal(alice.user_id, alice.username, alice.email)  # her login has expired
    store.place_order(alice_again, "1 Rabbit Hole", "+44 1865 000000", LINE)

    store.send_pending_mail()

    assert [m.id for m in outbox(store)] == [4, 5, 6]


def test_a_store_without_a_mail_url_keeps_its_mail_but_cannot_send_it(
    clock: FakeClock,
) -> None:
    store = bootstrap(fast_settings(), clock=clock)
    object.__setattr__(store, "mailer", None)  # as over PostgreSQL without WEBSTORE_MAIL_URL

    with pytest.raises(ConfigurationError, match="WEBSTORE_MAIL_URL is not set"):
        store.send_pending_mail()
