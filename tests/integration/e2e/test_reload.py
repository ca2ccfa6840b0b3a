"""A deploy reloads ``webstore serve``'s workers (SIGHUP) without failing a request."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests

from tests.integration.e2e.conftest import Server

pytestmark = pytest.mark.slow


def test_reloading_the_workers_twice_fails_no_request(sqlite_server: Server) -> None:
    statuses: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                with requests.Session() as session:  # a fresh connection each time
                    answer = session.get(f"{sqlite_server.base_url}/api/health", timeout=10)
                statuses.append(answer.status_code)
            except requests.RequestException:
                statuses.append(0)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        for _ in range(2):
            time.sleep(1.5)
            os.kill(sqlite_server.pid, signal.SIGHUP)
        time.sleep(2)
    finally:
        stop.set()
        asker.join(10)

    assert len(statuses) > 20
    assert set(statuses) == {200}
