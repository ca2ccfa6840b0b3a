"""Mail is committed with the order it reports, or rolled back with it, on both databases."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeMailServer
from tests.integration.persistence.helpers import NOW, add_product, add_user, query, run_together
from webstore import IdempotencyRequest, Principal, Webstore, bootstrap
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.domain.errors import InsufficientStock
from webstore.domain.mail import Mail, MailKind, OutboxMessage

SLOW = 0.15  # seconds the first writer works: long enough for the others to queue behind it


@pytest.fixture
def store(sql_url: str) -> Iterator[Webstore]:
    made = bootstrap(fast_settings(sql_url, staff_email=("orders@example.com",)))
    yield made
    made.uow.dispose()  # type: ignore[attr-defined]


def mail_rows(url: str) -> list[tuple[str, str]]:
    return [tuple(row) for row in query(url, "SELECT kind, recipient FROM outbox ORDER BY id")]


def test_a_placed_order_commits_its_mail_and_a_refused_one_leaves_none(
    store: Webstore, sql_url: str
) -> None:
    buyer = add_user(store.uow, "alice")
    product = add_product(store.uow, stock=3)
    alice = Principal(buyer, "alice", "alice@example.com")

    store.place_order(alice, "1 Main St", "5550100", [{"product_id": product, "amount": 2}])
    with pytest.raises(InsufficientStock):
        store.place_order(alice, "1 Main St", "5550100", [{"product_id": product, "amount": 2}])

    assert mail_rows(sql_url) == [
        ("order_confirmation", "alice@example.com"),
        ("new_order_notice", "orders@example.com"),
    ]


def test_a_replayed_idempotent_order_mails_nothing_again(store: Webstore, sql_url: str) -> None:
    buyer = add_user(store.uow, "alice")
    product = add_product(store.uow)
    alice = Principal(buyer, "alice", "alice@example.com")
    request = IdempotencyRequest("order-1", "f" * 64)

    for _ in range(2):
        store.place_order_once(
            alice, "1 Main St", "5550100", [{"product_id": product, "amount": 1}], request
        )

    assert len(mail_rows(sql_url)) == 2  # one confirmation, one staff notice


def test_the_sender_sends_what_an_order_committed(store: Webstore, sql_url: str) -> None:
    buyer = add_user(store.uow, "alice")
    product = add_product(store.uow)
    store.place_order(
        Principal(buyer, "alice", "alice@example.com"), "1 Main St", "5550100",
        [{"product_id": product, "amount": 1}],
    )  # fmt: skip
    mail_server = FakeMailServer()
    sender = bootstrap(fast_settings(sql_url), uow=store.uow, mailer=mail_server)

    assert sender.send_pending_mail().deliveries != []
    assert sender.send_pending_mail().deliveries == []
    assert [m.mail.to for m in mail_server.sent] == ["alice@example.com", "orders@example.com"]
    assert query(sql_url, "SELECT DISTINCT status, body FROM outbox") == [("sent", "")]


@pytest.fixture
def sqlite_uow(sqlite_url: str) -> Iterator[SqlAlchemyUnitOfWorkFactory]:
    upgrade(sqlite_url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sqlite_url)
    yield factory
    factory.dispose()


def test_in_a_group_of_sqlite_writers_a_failing_one_s_mail_goes_and_the_others_stays(
    sqlite_uow: SqlAlchemyUnitOfWorkFactory, sqlite_url: str
) -> None:
    first_working = threading.Event()

    def writer(name: str, *, fail: bool = False, slow: bool = False) -> Callable[[], None]:
        def write() -> None:
            if not slow:
                assert first_working.wait(10)
            try:
                with sqlite_uow() as work:
                    message = Mail(MailKind.ORDER_CONFIRMATION, f"{name}@example.com", name, "")
                    work.outbox.add(OutboxMessage(message, created_at=NOW, due_at=NOW))
                    if slow:
                        first_working.set()
                        time.sleep(SLOW)  # the others queue behind: one group
                    if fail:
                        raise ZeroDivisionError
                    work.commit()
            except ZeroDivisionError:
                pass

        return write

    run_together(writer("a", slow=True), writer("b", fail=True), writer("c"))

    assert [to for _, to in mail_rows(sqlite_url)] == ["a@example.com", "c@example.com"]
