"""A login's Argon2 hash runs beside the worker's other requests, not in their way."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.integration.e2e.conftest import serve

pytestmark = pytest.mark.slow

PASSWORD = "a password of some length"
# About half a second per hash here: long enough to see who waits for whom.
SLOW_ARGON2 = {"argon2_time_cost": "16", "argon2_memory_cost": "65536", "argon2_parallelism": "1"}


def test_a_worker_answers_others_while_a_login_hashes(sqlite_url: str, tmp_path: Path) -> None:
    # One worker, so that whatever it answers during the login, it answers beside it.
    with contextlib.contextmanager(serve)(
        sqlite_url, tmp_path / "server.log", workers=1, **SLOW_ARGON2
    ) as server:
        api = f"{server.base_url}/api"
        signed = requests.post(
            f"{api}/sign_in",
            json={"username": "slowpoke", "email": "s@example.com", "password": PASSWORD},
            timeout=30,
        )
        assert signed.status_code == 200
        finished: dict[str, float] = {}
        answers: dict[str, int] = {}

        def log_in() -> None:
            answer = requests.post(
                f"{api}/login_view",
                json={"username": "slowpoke", "password": PASSWORD},
                timeout=30,
            )
            finished["login"], answers["login"] = time.monotonic(), answer.status_code

        started = time.monotonic()
        login = threading.Thread(target=log_in)
        login.start()
        time.sleep(0.1)  # the login is hashing by now
        probes = []
        for _ in range(3):
            sent = time.monotonic()
            health = requests.get(f"{api}/health", timeout=30)
            probes.append((health.status_code, time.monotonic() - sent))
        finished["probes"] = time.monotonic()
        login.join(30)
        assert answers == {"login": 200}
        assert [status for status, _ in probes] == [200, 200, 200]
        # The probes were answered while the login was still hashing, each at once.
        assert finished["probes"] < finished["login"], (finished, started, probes)
        assert max(took for _, took in probes) < 0.2, probes
