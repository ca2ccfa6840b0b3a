"""A real ``webstore serve`` process on a free port, driven over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY

WEBSTORE = Path(sys.executable).with_name("webstore")
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env.update(
        WEBSTORE_DATABASE_URL=database_url,
        WEBSTORE_SECRET_KEY=TEST_SECRET_KEY.decode(),
        # Plain http on loopback: a cookie jar would keep Secure cookies back.
        WEBSTORE_COOKIE_SECURE="0",
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    )
    return env


@dataclass
class Server:
    base_url: str
    env: dict[str, str]

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run ``webstore ARGS`` against the same database as the server."""
        return subprocess.run(
            [str(WEBSTORE), *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"webstore serve exited with {process.returncode}")
        try:
            if requests.get(f"{base_url}/api/health", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or a busy machine
            pass
        time.sleep(0.1)
    raise RuntimeError("webstore serve did not become healthy in time")


def serve(database_url: str, log: Path, workers: int = 2) -> Iterator[Server]:
    port = free_port()
    env = server_environment(database_url)
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(WEBSTORE), *args], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base_url, process)
            yield Server(base_url, env)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def sqlite_server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    yield from serve(sqlite_url, tmp_path / "server.log")


@pytest.fixture
def postgres_server(postgres_url: str, tmp_path: Path) -> Iterator[Server]:
    yield from serve(postgres_url, tmp_path / "server.log")
