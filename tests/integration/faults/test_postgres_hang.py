"""PostgreSQL that stops answering (a proxy that stops forwarding) costs 503s, not a worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.integration.e2e.running import Customer, Running, add_product, admin, customer, running
from tests.integration.faults.postgres_faults import (
    UNAVAILABLE,
    Attempt,
    order_body,
    place,
    proxy_to,
    reconcile,
    stored,
    through,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TIMEOUT = 3  # WEBSTORE_DB_TIMEOUT of the server under test
ANSWERED_WITHIN = TIMEOUT + 5  # seconds, on a loaded machine; a hung worker never answers
FAST = 2.0  # seconds for a request that needs no database, while the database hangs
STOCK = 10


def _database_requests(
    shop: Running, buyer: Customer, product_id: int
) -> dict[str, Callable[[], requests.Response]]:
    api, session, headers = shop.api, buyer.session, buyer.headers
    keyed = {**headers, "Idempotency-Key": "during the hang"}
    return {
        "health": lambda: requests.get(f"{api}/health", timeout=30),
        "me": lambda: session.get(f"{api}/me", headers=headers, timeout=30),
        "orders page": lambda: session.get(f"{api}/get_order?limit=5", headers=headers, timeout=30),
        "order": lambda: session.post(
            f"{api}/post_order",
            json=order_body(product_id, "during the hang"),
            headers=keyed,
            timeout=30,
        ),
        "login": lambda: requests.post(
            f"{api}/login_view", json={"username": "alice", "password": "wrong"}, timeout=30
        ),
    }


def _timed(call: Callable[[], requests.Response]) -> tuple[requests.Response | None, float]:
    started = time.monotonic()
    try:
        return call(), time.monotonic() - started
    except requests.RequestException:
        return None, time.monotonic() - started


def test_a_hung_postgresql_costs_its_requests_a_503_and_nothing_else(
    postgres_url: str, tmp_path: Path
) -> None:
    proxy = proxy_to(postgres_url)
    try:
        with running(
            through(postgres_url, proxy),
            tmp_path / "server.log",
            workers=1,  # everything below is answered by the one worker, beside the hang
            WEBSTORE_DB_TIMEOUT=str(TIMEOUT),
        ) as shop:
            product_id = add_product(shop, admin(shop), "Red chair", STOCK)
            buyer = customer(shop, "alice")

            proxy.pause()
            answers: dict[str, tuple[requests.Response | None, float]] = {}
            waiting = [
                threading.Thread(target=lambda n=name, c=call: answers.update({n: _timed(c)}))
                for name, call in _database_requests(shop, buyer, product_id).items()
                for _ in range(2)
            ]
            for thread in waiting:
                thread.start()
            slowest_other = 0.0
            while any(thread.is_alive() for thread in waiting):
                for path in ("/api/openapi.json", "/api/docs", "/"):
                    answer, seconds = _timed(
                        lambda p=path: requests.get(f"{shop.server.base_url}{p}", timeout=FAST * 5)
                    )
                    assert answer is not None and answer.status_code == 200, path
                    slowest_other = max(slowest_other, seconds)
                time.sleep(0.1)
            for thread in waiting:
                thread.join()

            assert slowest_other < FAST
            for name, (answer, seconds) in answers.items():
                assert answer is not None, f"{name}: no answer after {seconds:.1f} s"
                expected = {"status": "unavailable"} if name == "health" else UNAVAILABLE
                assert (answer.status_code, answer.json()) == (503, expected), name
                assert answer.headers["Retry-After"] == "5", name
                assert seconds < ANSWERED_WITHIN, f"{name}: answered after {seconds:.1f} s"

            proxy.resume()
            deadline = time.monotonic() + 20
            while requests.get(f"{shop.api}/health", timeout=30).status_code != 200:
                assert time.monotonic() < deadline, "the server did not recover"
                time.sleep(0.2)
            # The order sent during the hang may or may not have been stored (its COMMIT may
            # have been waiting in the proxy): its key settles it, once.
            attempts = [Attempt("during the hang", 503, "5", body=UNAVAILABLE)]
            attempts.append(place(shop, buyer, product_id, "during the hang"))
            attempts.append(place(shop, buyer, product_id, "after the hang"))
            assert [a.status for a in attempts[1:]] == [201, 201]
            reconcile(attempts, stored(postgres_url, product_id), STOCK)
            log = shop.log_text()
    finally:
        proxy.stop()
    assert "WORKER TIMEOUT" not in log, log
    assert "Traceback" not in log, log
