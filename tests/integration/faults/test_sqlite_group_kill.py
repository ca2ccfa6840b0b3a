"""A worker of a real ``webstore serve`` killed (SIGKILL) while its writers share a commit.

The group it was gathering is never committed and its clients get no answer. Every order that
was answered 201 is stored; every request retried with its Idempotency-Key ends with one
order at most; stock and ordered units add up.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.integration.e2e.running import add_product, admin, customer, running
from tests.integration.faults.sqlite_faults import (
    THREADS,
    HttpAnswer,
    Outcomes,
    assert_stock_whole,
    in_threads,
    orders_by_key,
    post_order,
    reconcile,
)

STOCK = 100_000


def workers_of(master: int) -> set[int]:
    """The processes whose parent is ``master``, but for its mail sender (not a worker)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = stat.with_name("cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        if parent == master and b"send-pending" not in command:
            found.add(int(stat.parent.name))
    return found


def wait_for_orders(database: Path, at_least: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while sum(orders_by_key(database).values()) < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} orders stored in time"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_killed_mid_group_loses_only_what_it_never_answered(tmp_path: Path) -> None:
    database = tmp_path / "webstore.db"
    with running(f"sqlite:///{database}", tmp_path / "server.log", workers=2) as shop:
        product_id = add_product(shop, admin(shop), "Chair", STOCK)
        buyers = [customer(shop, f"buyer{n}") for n in range(THREADS)]
        first = Outcomes()
        stop = threading.Event()

        def buy(thread: int) -> None:
            count = 0
            while not stop.is_set():
                key = f"t{thread}-{count}"
                first.note(key, post_order(shop, buyers[thread], key, product_id))
                count += 1

        load = threading.Thread(target=lambda: in_threads(THREADS, buy))
        load.start()
        try:
            wait_for_orders(database, at_least=150)
            victim = min(workers_of(shop.process.pid))
            os.kill(victim, signal.SIGKILL)
            wait_for_orders(database, at_least=sum(orders_by_key(database).values()) + 150)
        finally:
            stop.set()
            load.join(120)
        assert not load.is_alive()

        answers: dict[str, HttpAnswer] = first.answers
        assert any(answer.status is None for answer in answers.values()), "the kill cut nothing"
        assert all(answer.status in (201, None) for answer in answers.values()), {
            answer.status for answer in answers.values()
        }
        reconcile({key: answer.ok for key, answer in answers.items()}, database)

        unanswered = [key for key, answer in answers.items() if not answer.ok]
        retried = Outcomes()

        def retry(thread: int) -> None:
            for key in unanswered:
                if key.startswith(f"t{thread}-"):
                    retried.note(key, post_order(shop, buyers[thread], key, product_id))

        in_threads(THREADS, retry)
        assert all(answer.status == 201 for answer in retried.answers.values())
        final = {key: answer.ok for key, answer in (answers | retried.answers).items()}
        reconcile(final, database)
        assert_stock_whole(database, product_id, STOCK)
