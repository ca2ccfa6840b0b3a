"""A real ``webstore serve`` process on a free port, driven over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deploy.cluster import Cluster
from deploy.processes import ClusterError
from deploy.proxy import find_nginx
from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY, postgres_schema, require_postgres

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
    if not database_url.startswith("sqlite"):
        # A shared database needs both said: mail kept in the sender's memory will do here.
        env.update(WEBSTORE_MAIL_URL="memory://", WEBSTORE_PUBLIC_URL="http://127.0.0.1")
    return env


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    pid: int = 0  # gunicorn's master process

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
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or too busy starting to answer within the second
        time.sleep(0.1)
    raise RuntimeError("webstore serve did not become healthy in time")


class Stopping:
    """Servers told to stop (SIGTERM) by tests done with them, waited for by the session's end.

    A graceful stop takes seconds (the workers' and the mail sender's loops, the interpreters'
    exits), which a test that has asserted all it checks need not spend waiting.
    """

    def __init__(self) -> None:
        self._processes: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()  # servers may be stopped from another thread too

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes = [each for each in self._processes if each.poll() is None]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                self._processes.append(process)

    def wait(self) -> None:
        with self._lock:
            processes, self._processes = self._processes, []
        for process in processes:
            reap(process)


def stop_now(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    reap(process)


def reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for a server told to stop; SIGKILL if its graceful stop takes too long."""
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve(
    database_url: str,
    log: Path,
    workers: int = 2,
    stopping: Stopping | None = None,
    **settings: str,
) -> Iterator[Server]:
    """A server; ``settings`` adds environment variables (``access_token_ttl="1"``), or
    removes one given as ``""``.

    With ``stopping``, the server is only told to stop when the caller is done with it.
    """
    yield from hand_over(launch(database_url, log, workers, **settings), stopping)


@dataclass
class Launched:
    """A ``webstore serve`` process started, which may not answer yet."""

    process: subprocess.Popen[bytes]
    server: Server

    def ready(self) -> Server:
        """The server, once it answers its health check (it is stopped if it never does)."""
        try:
            wait_until_healthy(self.server.base_url, self.process)
        except BaseException:
            stop_now(self.process)
            raise
        return self.server


def launch(database_url: str, log: Path, workers: int = 2, **settings: str) -> Launched:
    """``webstore serve`` started as ``serve`` starts it, without waiting for it to answer."""
    port = free_port()
    env = server_environment(database_url)
    env.update({f"WEBSTORE_{name.upper()}": value for name, value in settings.items()})
    env = {name: value for name, value in env.items() if value != ""}
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(WEBSTORE), *args], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return Launched(process, Server(f"http://127.0.0.1:{port}", env, process.pid))


def hand_over(launched: Launched, stopping: Stopping | None = None) -> Iterator[Server]:
    """``launched``'s server once it answers; stopped (or, with ``stopping``, told to stop)
    when the caller is done with it."""
    try:
        yield launched.ready()
    finally:
        if stopping is None:
            stop_now(launched.process)
        else:
            stopping.stop(launched.process)


@pytest.fixture
def sqlite_server(sqlite_url: str, tmp_path: Path, stopping: Stopping) -> Iterator[Server]:
    yield from serve(sqlite_url, tmp_path / "server.log", stopping=stopping)


@pytest.fixture(params=["direct", "nginx"])
def postgres_server(
    request: pytest.FixtureRequest, postgres_url: str, tmp_path: Path, stopping: Stopping
) -> Iterator[Server]:
    """One node, or (``nginx``) the deployment: two nodes behind nginx, reached through it."""
    if request.param == "direct":
        yield from serve(postgres_url, tmp_path / "server.log", stopping=stopping)
    else:
        with running_cluster(postgres_url, tmp_path) as cluster:
            yield Server(cluster.url, cluster.env)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two nodes behind nginx on a schema of their own, shared by the tests of a module."""
    with (
        postgres_schema(require_postgres()) as url,
        running_cluster(url, tmp_path_factory.mktemp("cluster")) as cluster,
    ):
        yield cluster


@contextmanager
def running_cluster(database_url: str, logs: Path) -> Iterator[Cluster]:
    """``make cluster``'s nodes and nginx (deploy/cluster.py), configured for the tests."""
    try:
        find_nginx()
    except ClusterError as missing:  # CI installs nginx: there, its absence is a failure
        if os.environ.get("WEBSTORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    with Cluster(database_url, environ=server_environment(database_url), logs=logs) as cluster:
        yield cluster
