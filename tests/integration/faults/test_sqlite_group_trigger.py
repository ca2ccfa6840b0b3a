"""A trigger that rolls back the whole shared transaction of a group of SQLite writers.

``RAISE(ROLLBACK)`` takes with it the work every writer before it released in the group's
transaction, as a full disk or an I/O error may. Every writer must hear the truth: the refused
one its refusal, the others of its group that their work is lost (503), and nothing of theirs
may be stored; a retry with the same key places the order once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import fast_settings
from tests.integration.e2e.running import Customer, admin, customer, running
from tests.integration.e2e.running import add_product as add_product_over_http
from tests.integration.faults.sqlite_faults import (
    PHONE,
    THREADS,
    HttpAnswer,
    Outcomes,
    address_of,
    assert_stock_whole,
    fingerprint,
    in_threads,
    post_order,
    reconcile,
    refuse_marked_orders,
)
from webstore import bootstrap
from webstore.application.dto import Principal
from webstore.application.errors import StorageUnavailable
from webstore.application.ordering.idempotency import IdempotencyRequest
from webstore.application.store import Webstore

STOCK = 100_000
ORDERS_PER_THREAD = 20


def is_refused(key: str) -> bool:
    return int(key.rsplit("-", 1)[1]) % 8 == 3  # one order in eight, in every thread


def keys_of(thread: int, count: int) -> list[str]:
    return [f"t{thread}-{n}" for n in range(count)]


def test_through_the_use_cases_every_answer_matches_the_database(tmp_path: Path) -> None:
    database = tmp_path / "webstore.db"
    store = bootstrap(fast_settings(f"sqlite:///{database}"), migrate=True)
    try:
        owner = store.create_superuser("root", "root@example.com", "root password 1")
        buyer = store.register_user("buyer", "buyer@example.com", "buyer password 1")
        chair = {"name": "Chair", "price": "2.50", "amount": STOCK}
        product_id = store.add_product(owner, chair).id
        refuse_marked_orders(database)

        def place(keys_of_thread: Callable[[int], list[str]]) -> dict[str, Exception | None]:
            outcomes = Outcomes()
            in_threads(
                THREADS,
                lambda t: [
                    outcomes.note(key, order(store, buyer, key, product_id))
                    for key in keys_of_thread(t)
                ],
            )
            return outcomes.answers

        first = place(lambda t: keys_of(t, ORDERS_PER_THREAD))
        reconcile({key: error is None for key, error in first.items()}, database)
        for key, error in first.items():
            if is_refused(key):  # the trigger's refusal itself: the database's rule said no
                assert isinstance(error, sa.exc.IntegrityError) and "injected" in str(error)
            else:  # placed, or lost with its group
                assert error is None or isinstance(error, StorageUnavailable), repr(error)
        lost = [key for key, error in first.items() if isinstance(error, StorageUnavailable)]
        assert lost, "no group lost a released order: the test did not make groups"

        failed = [key for key, error in first.items() if error is not None]
        retried = place(lambda t: failed[t::THREADS])
        reconcile({key: error is None for key, error in (first | retried).items()}, database)
        assert_stock_whole(database, product_id, STOCK)
    finally:
        store.uow.dispose()


def order(store: Webstore, buyer: Principal, key: str, product_id: int) -> Exception | None:
    address = address_of(key, refused=is_refused(key))
    items = [{"product_id": product_id, "amount": 1}]
    try:
        store.place_order_once(
            buyer, address, PHONE, items, IdempotencyRequest(key, fingerprint(key))
        )
    except Exception as error:
        return error
    return None


@pytest.mark.slow
def test_through_a_real_server_every_answer_matches_the_database(tmp_path: Path) -> None:
    database = tmp_path / "webstore.db"
    with running(f"sqlite:///{database}", tmp_path / "server.log") as shop:
        product_id = add_product_over_http(shop, admin(shop), "Chair", STOCK)
        buyers = [customer(shop, f"buyer{n}") for n in range(THREADS)]
        refuse_marked_orders(database)

        def buy(keys: list[str], buyer: Customer, outcomes: Outcomes) -> None:
            for key in keys:
                answer = post_order(shop, buyer, key, product_id, refused=is_refused(key))
                outcomes.note(key, answer)

        first = Outcomes()
        in_threads(THREADS, lambda t: buy(keys_of(t, ORDERS_PER_THREAD), buyers[t], first))
        answers: dict[str, HttpAnswer] = first.answers
        reconcile({key: answer.ok for key, answer in answers.items()}, database)
        for key, answer in answers.items():
            if is_refused(key):  # the database's own rule refused it: a server error
                assert answer.status == 500, (key, answer)
            else:
                assert answer.status in (201, 503), (key, answer)
            if answer.status == 503:
                assert answer.retry_after is not None
        assert any(a.status == 503 for a in answers.values()), "no group lost a released order"

        failed = [key for key, answer in answers.items() if not answer.ok]
        retried = Outcomes()
        in_threads(
            THREADS,
            lambda t: buy([k for k in failed if k.startswith(f"t{t}-")], buyers[t], retried),
        )
        for key, answer in retried.answers.items():
            assert not answer.replayed, f"{key} was answered an error, yet stored"
        final = {key: answer.ok for key, answer in (answers | retried.answers).items()}
        reconcile(final, database)
        assert_stock_whole(database, product_id, STOCK)
