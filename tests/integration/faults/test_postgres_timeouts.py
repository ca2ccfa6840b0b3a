"""What bounds a wait on PostgreSQL outside a server's deadlines: the settings it is given."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tests.conftest import fast_settings
from tests.integration.faults.postgres_faults import proxy_to, through
from webstore import bootstrap
from webstore.adapters.sql.engine import create_engine
from webstore.adapters.sql.runtime.availability import is_outage
from webstore.application.errors import StorageUnavailable

pytestmark = pytest.mark.postgres

TIMEOUT = 2  # seconds
GIVEN_UP_AFTER = 15  # seconds: an unbounded wait is still waiting by then


def outcome_within(seconds: float, call: Callable[[], object]) -> BaseException | None:
    """What ``call`` raised (``None``: nothing); fails if it still waits after ``seconds``."""
    raised: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except Exception as error:
            raised.append(error)
        else:
            raised.append(None)

    waiting = threading.Thread(target=run, daemon=True)
    waiting.start()
    waiting.join(seconds)
    assert raised, f"still waiting after {seconds} s"
    return raised[0]


def test_an_order_behind_a_stuck_transactions_lock_is_unavailable_after_the_timeout(
    postgres_url: str,
) -> None:
    store = bootstrap(fast_settings(postgres_url, db_timeout=TIMEOUT), migrate=True)
    buyer = store.register_user("alice", "alice@example.com", "a long password")
    product = store.add_product(store.operator, {"name": "Red chair", "price": "1", "amount": 5})
    stuck = create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        with stuck.connect() as holder:  # another node's transaction, stuck holding the row
            holder.execute(
                sa.text("SELECT id FROM products WHERE id = :id FOR UPDATE"), {"id": product.id}
            )
            started = time.monotonic()
            error = outcome_within(
                GIVEN_UP_AFTER,
                lambda: store.place_order(
                    buyer, "1 Main Street", "+1 555 0100", [{"product_id": product.id, "amount": 2}]
                ),
            )
            assert isinstance(error, StorageUnavailable)
            assert time.monotonic() - started < TIMEOUT + 5
        assert store.get_product(store.operator, product.id).stock == 5
    finally:
        stuck.dispose()
        store.uow.dispose()


def test_a_transaction_left_idle_past_the_timeout_is_ended_by_postgresql(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0, timeout=TIMEOUT)
    try:
        with engine.connect() as connection:
            # The URL's own options (this test's schema) are kept beside the timeouts.
            assert connection.scalar(sa.text("SHOW search_path")).startswith("test_")
            assert connection.scalar(sa.text("SHOW statement_timeout")) == f"{TIMEOUT}s"
            time.sleep(TIMEOUT + 1)  # idle, in the transaction the statements above began
            with pytest.raises(sa.exc.DBAPIError) as ended:
                connection.execute(sa.text("SELECT 1"))
        assert is_outage(ended.value)
    finally:
        engine.dispose()


def test_migrations_are_not_bounded_by_the_timeout(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SHOW statement_timeout")) == "0"
    finally:
        engine.dispose()


def test_a_server_that_accepts_and_never_answers_fails_a_new_connection_in_seconds(
    postgres_url: str,
) -> None:
    proxy = proxy_to(postgres_url)
    proxy.pause()  # connections are accepted; nothing comes back
    engine = create_engine(through(postgres_url, proxy), pool_size=1, max_overflow=0)
    try:
        error = outcome_within(GIVEN_UP_AFTER, lambda: engine.connect().close())
        assert error is not None and is_outage(error)
    finally:
        engine.dispose()
        proxy.stop()
