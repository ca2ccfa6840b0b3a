"""The connection to PostgreSQL drops during COMMIT: the answer says the server cannot know
(503 with Retry-After), and a retry with the same Idempotency-Key tells the truth, once."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.integration.e2e.running import (
    Customer,
    Running,
    add_product,
    admin,
    customer,
    running,
)
from tests.integration.faults.postgres_faults import (
    Attempt,
    CommitCutter,
    place,
    place_until_answered,
    reconcile,
    stored,
    tagged,
    through,
)
from webstore.adapters.sql.engine import create_engine

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

STOCK = 1000
BUYERS = 6
ORDERS_EACH = 12


@contextmanager
def database(url: str) -> Iterator[sa.Connection]:
    """A connection of the test's own, outside the server, committing each statement."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            yield connection.execution_options(isolation_level="AUTOCOMMIT")
    finally:
        engine.dispose()


def run_at_commit(db: sa.Connection, body: str) -> None:
    """Have every transaction that places an order run ``body`` (PL/pgSQL) at its COMMIT."""
    db.execute(
        sa.text(
            "CREATE FUNCTION at_commit() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body}; RETURN NULL; END $$"
        )
    )
    db.execute(
        sa.text(
            "CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON orders "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION at_commit()"
        )
    )


def sender_started(shop: Running, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while "webstore.mail sending mail to" not in shop.log_text():
        assert time.monotonic() < deadline, "the mail sender never started"
        time.sleep(0.02)


def backends_in_commit(db: sa.Connection, application_name: str) -> list[int]:
    return list(
        db.scalars(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
                "AND state = 'active' AND query = 'COMMIT'"
            ),
            {"name": application_name},
        )
    )


def terminate(db: sa.Connection, pids: list[int]) -> int:
    for pid in pids:
        db.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return len(pids)


def test_an_order_whose_backend_is_terminated_during_commit_is_placed_once_on_retry(
    postgres_url: str, tmp_path: Path
) -> None:
    name = f"webstore-{uuid.uuid4().hex[:12]}"
    gate = random.randrange(1, 2**62)  # an advisory lock of this test's own
    with running(tagged(postgres_url, name), tmp_path / "server.log", workers=1) as shop:
        product_id = add_product(shop, admin(shop), "Red chair", STOCK)
        buyer = customer(shop, "alice")
        with database(postgres_url) as db:
            run_at_commit(db, f"PERFORM pg_advisory_xact_lock_shared({gate})")
            db.execute(sa.text("SELECT pg_advisory_lock(:gate)"), {"gate": gate})
            answered: list[Attempt] = []
            ordering = threading.Thread(
                target=lambda: answered.append(place(shop, buyer, product_id, "first"))
            )
            ordering.start()
            deadline = time.monotonic() + 20
            while not (pids := backends_in_commit(db, name)):  # waiting for the gate
                assert time.monotonic() < deadline, "the order never reached its COMMIT"
                time.sleep(0.02)
            terminate(db, pids)
            db.execute(sa.text("SELECT pg_advisory_unlock(:gate)"), {"gate": gate})
            ordering.join(30)

        assert answered[0].cannot_know, answered
        assert stored(postgres_url, product_id).orders == {}
        retried = place(shop, buyer, product_id, "first")
        assert (retried.status, retried.replayed) == (201, False)
        reconcile([*answered, retried], stored(postgres_url, product_id), STOCK)
        assert "Traceback" not in shop.log_text()


@pytest.mark.parametrize("after", [True, False], ids=["answer lost", "lost on the way"])
def test_an_order_whose_commit_is_cut_off_is_placed_once_on_retry(
    postgres_url: str, tmp_path: Path, after: bool
) -> None:
    address = urlsplit(postgres_url)
    cutter = CommitCutter((address.hostname or "127.0.0.1", address.port or 5432))
    cutter.start()
    try:
        with running(through(postgres_url, cutter), tmp_path / "server.log", workers=1) as shop:
            product_id = add_product(shop, admin(shop), "Red chair", STOCK)
            buyer = customer(shop, "alice")
            # The mail sender connects through the cutter too: armed only once it has started,
            # so that the COMMIT cut is the order's, not that of the sender's start-up.
            sender_started(shop)
            # after: the COMMIT reaches PostgreSQL and its answer never returns; otherwise the
            # COMMIT, and the writes sent with it, never arrive.
            cutter.arm(after=after)
            first = place(shop, buyer, product_id, "first")
            assert cutter.cut.is_set()
            assert first.cannot_know, first
            placed = stored(postgres_url, product_id).orders

            retried = place(shop, buyer, product_id, "first")
            if after:  # stored: the retry is told so
                [order_id] = placed["first"]
                assert (retried.status, retried.replayed, retried.order_id) == (201, True, order_id)
            else:  # nothing stored: the retry places it
                assert placed == {}
                assert (retried.status, retried.replayed) == (201, False)
            reconcile([first, retried], stored(postgres_url, product_id), STOCK)
            assert "Traceback" not in shop.log_text()
    finally:
        cutter.stop()


# Where a random kill lands (a worker's COMMIT, the mail sender's poll) moves with the load
# of the other worker's tests.
@pytest.mark.alone
def test_backends_terminated_under_a_load_of_orders_leave_every_answer_true(
    postgres_url: str, tmp_path: Path
) -> None:
    name = f"webstore-{uuid.uuid4().hex[:12]}"
    with running(tagged(postgres_url, name), tmp_path / "server.log", workers=2) as shop:
        product_id = add_product(shop, admin(shop), "Red chair", STOCK)
        buyers = [customer(shop, f"buyer{i}") for i in range(BUYERS)]
        attempts: list[Attempt] = []
        kills = {"at commit": 0, "anywhere": 0}
        stop = threading.Event()

        def kill(db: sa.Connection) -> None:
            rounds = 0
            while not stop.is_set():
                rounds += 1
                in_commit = [p for p in backends_in_commit(db, name) if random.random() < 0.5]
                kills["at commit"] += terminate(db, in_commit)
                if rounds % 5 == 0:  # now and then, one of the server's backends at any moment
                    anyone = db.scalars(
                        sa.text(
                            "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
                            "ORDER BY random() LIMIT 1"
                        ),
                        {"name": name},
                    )
                    kills["anywhere"] += terminate(db, list(anyone))
                time.sleep(0.02)

        def buy(buyer: Customer, number: int) -> None:
            for i in range(ORDERS_EACH):
                place_until_answered(shop, buyer, product_id, f"{number}-{i}", attempts)

        with database(postgres_url) as db:
            run_at_commit(db, "PERFORM pg_sleep(random() * 0.02)")  # a COMMIT to be caught in
            killer = threading.Thread(target=kill, args=(db,))
            killer.start()
            threads = [threading.Thread(target=buy, args=(b, n)) for n, b in enumerate(buyers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            stop.set()
            killer.join()

        held = stored(postgres_url, product_id)
        reconcile(attempts, held, STOCK)
        assert len(held.orders) == BUYERS * ORDERS_EACH  # every order placed in the end
        errors = [a for a in attempts if a.status != 201]
        assert all(a.cannot_know for a in errors), {(a.status, str(a.body)) for a in errors}
        assert kills["at commit"] > 0 and errors, kills
        assert "Traceback" not in shop.log_text()
        print(
            f"{len(attempts)} answers, {len(errors)} of them 503; "
            f"{sum(a.replayed for a in attempts)} retries replayed an order stored meanwhile; "
            f"{kills['at commit']} backends terminated in COMMIT, {kills['anywhere']} anywhere"
        )
