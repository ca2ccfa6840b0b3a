"""``make cluster`` (``python -m deploy.cluster``): up on loopback, down on Ctrl-C or SIGTERM."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from deploy.processes import free_port
from tests.conftest import fast_settings, require_postgres
from tests.integration.e2e.conftest import running_cluster, server_environment
from tests.integration.e2e.shoppers import PASSWORD
from webstore import bootstrap

REPOSITORY = Path(__file__).parents[3]


class Running:
    """The command as a child process, its output read line by line as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        command = [sys.executable, "-m", "deploy.cluster", "--port", str(free_port()), *args]
        self.process = subprocess.Popen(
            command, cwd=REPOSITORY, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str) -> re.Match[str]:
        while True:
            line = self.lines.get(timeout=120)
            self.output.append(line)
            if found := re.search(pattern, line):
                return found

    def stop(self, how: signal.Signals) -> int:
        self.process.send_signal(how)
        try:
            return self.process.wait(timeout=60)
        finally:
            self._reader.join(timeout=10)
            assert self.process.stdout is not None
            self.process.stdout.close()


@pytest.fixture
def command_environment() -> Iterator[dict[str, str]]:
    env = server_environment("unused")
    del env["WEBSTORE_DATABASE_URL"], env["WEBSTORE_SECRET_KEY"]
    yield env


def refused(url: str) -> bool:
    try:
        requests.get(f"{url}/api/health", timeout=5)
    except requests.ConnectionError:
        return True
    return False


@pytest.mark.slow
@pytest.mark.postgres
def test_it_serves_a_given_database_and_keeps_its_data(
    postgres_url: str, command_environment: dict[str, str], tmp_path: Path
) -> None:
    existing = bootstrap(fast_settings(postgres_url), migrate=True)
    existing.register_user("alice", "alice@example.com", PASSWORD)
    existing.uow.dispose()  # type: ignore[attr-defined]
    env = {**command_environment, "WEBSTORE_DATABASE_URL": postgres_url}
    cluster = Running(env, "--logs", str(tmp_path))
    try:
        nodes = cluster.wait_for(r"nodes (\S+), (\S+) on")
        url = cluster.wait_for(r"serving on (\S+)/ ")[1]
        login = requests.post(
            f"{url}/api/login_view", json={"username": "alice", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
    finally:
        status = cluster.stop(signal.SIGTERM)

    assert status == 0, cluster.output
    assert all(refused(address) for address in (url, nodes[1], nodes[2]))
    again = bootstrap(fast_settings(postgres_url))
    assert again.log_in("alice", PASSWORD).user.username == "alice"
    again.uow.dispose()  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.postgres
def test_without_a_database_it_makes_a_fresh_one_and_drops_it_on_ctrl_c(
    command_environment: dict[str, str], tmp_path: Path
) -> None:
    server = require_postgres()
    cluster = Running(command_environment, "--postgres", server, "--logs", str(tmp_path))
    try:
        database = cluster.wait_for(r"a fresh database, (\w+),")[1]
        export = cluster.wait_for(r"export (WEBSTORE_DATABASE_URL=\S+)")[1]
        create = cluster.wait_for(r"a superuser for the back office: (.+)$")[1]
        url = cluster.wait_for(r"serving on (\S+)/ ")[1]
        signed = requests.post(
            f"{url}/api/sign_in",
            json={"username": "bob", "password": PASSWORD, "email": "bob@example.com"},
        )
        assert signed.status_code == 200, signed.text
        # The printed lines, run as printed in a shell: a superuser who can log in.
        made = subprocess.run(
            f"export {export} && {create} --password-stdin", shell=True, env=command_environment,
            input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        login = requests.post(
            f"{url}/api/login_view", json={"username": "admin", "password": PASSWORD}
        )
        assert login.status_code == 200 and login.json()["user"]["username"] == "admin"
    finally:
        status = cluster.stop(signal.SIGINT)

    assert status == 0, cluster.output
    assert refused(url)
    admin = sa.create_engine(server)
    with admin.connect() as connection:
        names = connection.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
    admin.dispose()
    assert database not in names


@pytest.mark.parametrize(
    ("required", "outcome"), [("1", pytest.fail.Exception), ("0", pytest.skip.Exception)]
)
def test_without_nginx_the_cluster_tests_fail_in_ci_and_skip_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, required: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("NGINX", str(tmp_path / "no-nginx-here"))
    monkeypatch.setenv("WEBSTORE_REQUIRE_POSTGRES", required)

    with (
        pytest.raises(outcome, match="no-nginx-here"),
        running_cluster("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path),
    ):
        pass
