"""Stopping and reloading a real ``webstore serve`` under a load of orders."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.integration.e2e.running import (
    STOCK,
    load,
    running,
    shop_with_buyers,
    stored_orders,
    wait_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_url")
    return url


def test_sigterm_under_concurrent_orders_answers_what_it_started_and_keeps_stock_whole(
    database_url: str, tmp_path: Path
) -> None:
    with running(database_url, tmp_path / "server.log") as shop:
        product_id, buyers = shop_with_buyers(shop)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        wait_for(lambda: sum(o.status == 201 for o in outcomes) >= 100)
        signalled = time.monotonic()
        exit_code = shop.stop(signal.SIGTERM)
        stopped = time.monotonic()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        refused_after = requests.Session()
        with pytest.raises(requests.ConnectionError):
            refused_after.get(f"{shop.api}/health", timeout=5)

    assert exit_code == 0
    assert stopped - signalled < 12  # gunicorn's graceful_timeout is 10 s
    answered = [o for o in outcomes if o.status is not None]
    assert {o.status for o in answered} == {201}
    assert any(o.finished > signalled for o in answered), "no request was in flight at SIGTERM"
    ids, units, stock = stored_orders(database_url, product_id)
    # Every order written was answered with its 201, and only those were written.
    assert ids == {o.order_id for o in answered}
    assert units == len(ids)
    assert stock == STOCK - units
    assert all(o.finished >= signalled for o in outcomes if o.status is None)


def test_a_worker_reload_fails_no_request(sqlite_url: str, tmp_path: Path) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    with running(sqlite_url, tmp_path / "server.log", WEBSTORE_LOG_FORMAT="json") as shop:
        product_id, buyers = shop_with_buyers(shop)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        wait_for(lambda: len(outcomes) >= 50)
        before = {e["pid"] for e in shop.json_lines() if e.get("path") == "/api/post_order"}
        reloaded_at = len(outcomes)
        shop.process.send_signal(signal.SIGHUP)

        def new_workers_take_orders() -> bool:
            pids = {e["pid"] for e in shop.json_lines() if e.get("path") == "/api/post_order"}
            return len(pids - before) >= 1

        def both_new_workers_answer() -> bool:
            # The buyers' keep-alive connections may all have moved to whichever new worker
            # was up first: fresh connections go to the one holding fewer, so each new worker
            # must answer some of these.
            requests.get(f"{shop.api}/health", timeout=10).raise_for_status()
            pids = {e["pid"] for e in shop.json_lines() if e.get("path") == "/api/health"}
            return len(pids - before) >= 2

        wait_for(new_workers_take_orders, seconds=30)
        wait_for(both_new_workers_answer, seconds=30)
        wait_for(lambda: len(outcomes) >= reloaded_at + 100)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert [o for o in outcomes if o.status != 201] == []
    ids, units, stock = stored_orders(database, product_id)
    assert ids == {o.order_id for o in outcomes}
    assert stock == STOCK - units == STOCK - len(ids)


def children(pid: int) -> set[int]:
    """The processes ``pid`` started, but for a master's mail sender (not a worker)."""
    found = set()
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            command = stat_file.with_name("cmdline").read_bytes()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[1]) == pid and b"send-pending" not in command:
            found.add(int(stat_file.parent.name))
    return found


def end(pid: int) -> None:
    """SIGTERM a server this test started (not our child any more), then wait for it to go."""
    try:
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or is_zombie(pid), seconds=30)
    except ProcessLookupError:
        return
    except AssertionError:
        os.kill(pid, signal.SIGKILL)


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def test_a_binary_upgrade_hands_the_socket_over_without_failing_a_request(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    with running(sqlite_url, tmp_path / "server.log", WEBSTORE_LOG_FORMAT="json") as shop:
        product_id, buyers = shop_with_buyers(shop)
        old_master = shop.process.pid
        old_workers = children(old_master)
        stop = threading.Event()
        threads, outcomes = load(shop, buyers, product_id, stop)
        new_master = 0
        try:
            wait_for(lambda: len(outcomes) >= 50)
            shop.process.send_signal(signal.SIGUSR2)  # a new master, running the code installed now

            def new_master_is_up() -> bool:
                nonlocal new_master
                masters = [p for p in children(old_master) - old_workers if len(children(p)) == 2]
                new_master = masters[0] if masters else 0
                return bool(new_master)

            wait_for(new_master_is_up, seconds=60)
            new_workers = children(new_master)
            # The clients' kept-alive connections stay with the old workers until these stop.
            assert shop.stop(signal.SIGTERM) == 0  # the old master and its workers, gracefully
            handed_over = len(outcomes)
            wait_for(lambda: len(outcomes) >= handed_over + 100)
            served = {e["pid"] for e in shop.json_lines()[-50:] if e.get("status") == 201}
            assert served <= new_workers and served
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            if new_master:
                end(new_master)

    assert [o for o in outcomes if o.status != 201] == []
    ids, units, stock = stored_orders(database, product_id)
    assert ids == {o.order_id for o in outcomes}
    assert stock == STOCK - units == STOCK - len(ids)
