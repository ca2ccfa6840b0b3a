"""``webstore serve`` mails what it commits: through its own sender, to a folder by default or
to a real SMTP server that may be down for a while; and a server killed with SIGKILL right
after an order leaves its mail to the next sender."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.integration.e2e.conftest import (
    WEBSTORE,
    Server,
    free_port,
    serve,
    server_environment,
    wait_until_healthy,
)
from tests.integration.e2e.shop import Admin, log_in_admin
from tests.integration.persistence.helpers import POSTGRES
from tests.smtp import smtp_server

pytestmark = pytest.mark.slow
ORDER = {"address": "1 Rabbit Hole", "phone": "+44 20 7946 0000"}


def place_order(admin: Admin, product_id: int) -> int:
    placed = admin.post(
        "/post_order", json={**ORDER, "items": [{"product_id": product_id, "amount": 2}]}
    )
    assert placed.status_code == 201, placed.text
    order_id: int = placed.json()["id"]
    return order_id


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def wait_for(check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


def test_by_default_mail_is_written_to_a_private_folder_beside_the_database(
    sqlite_url: str, tmp_path: Path
) -> None:
    folder = Path(sqlite_url.removeprefix("sqlite:///") + ".mail")
    for server in serve(sqlite_url, tmp_path / "server.log"):
        order_id = place_order(admin := log_in_admin(server), admin.add_product())
        wait_for(lambda: len(list(folder.glob("*.eml"))) == 1)
        [sender] = [pid for pid in children(server.pid) if b"send-pending" in cmdline(pid)]
        # Mail gives way to the workers' requests when the cores are busy.
        assert os.getpriority(os.PRIO_PROCESS, sender) == os.getpriority(os.PRIO_PROCESS, 0) + 10

    [written] = folder.glob("*.eml")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    text = written.read_text()
    assert f"Subject: Your order #{order_id}" in text and "To: root@example.com" in text
    assert "Total: 39.98" in text
    assert not [p for p in folder.iterdir() if p.suffix != ".eml"]  # no draft left behind


@pytest.fixture(params=["sqlite", POSTGRES])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_mail_waits_for_an_smtp_server_that_is_down_and_goes_once_when_it_comes_back(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    settings = {"mail_url": f"smtp://127.0.0.1:{port}", "staff_email": "orders@example.com"}
    log = tmp_path / "server.log"
    refused = "(order_confirmation) not sent: ConnectionRefusedError"
    for server in serve(database_url, log, **settings):
        admin = log_in_admin(server)
        order_id = place_order(admin, admin.add_product())
        reset = requests.post(
            f"{server.base_url}/api/password_reset", json={"username_or_email": "root"}
        )
        assert reset.status_code == 200
        wait_for(lambda: refused in log.read_text())  # the sender tries, and fails, meanwhile
        with smtp_server(port=port) as (handler, _):
            received = handler.wait_for(3, timeout=30)
            time.sleep(2)  # nothing more comes: each message went once
            subjects = sorted(each.message["Subject"] for each in handler.received)
    text = log.read_text()

    assert len(received) == 3
    assert subjects == sorted(
        [f"Your order #{order_id}", f"New order #{order_id} from root", "Reset your password"]
    )
    assert refused in text
    assert "(order_confirmation) sent" in text


@contextmanager
def server_in_its_own_group(sqlite_url: str, log: Path, **settings: str) -> Iterator[Server]:
    """``webstore serve`` in a process group of its own, so that one signal reaches the master,
    its workers and its sender alike."""
    port = free_port()
    env = server_environment(sqlite_url)
    env.update({f"WEBSTORE_{name.upper()}": value for name, value in settings.items()})
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(WEBSTORE), *args], env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base_url, process)
            yield Server(base_url, env, process.pid)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_server_killed_right_after_an_order_leaves_its_mail_to_the_next_sender(
    sqlite_url: str, tmp_path: Path
) -> None:
    port = free_port()
    mail_url = f"smtp://127.0.0.1:{port}"
    with server_in_its_own_group(sqlite_url, tmp_path / "server.log", mail_url=mail_url) as server:
        admin = log_in_admin(server)
        order_id = place_order(admin, admin.add_product())  # answered: committed
        os.killpg(server.pid, signal.SIGKILL)  # master, workers and sender, at once

    with smtp_server(port=port) as (handler, _):
        sent = server.cli("mail", "send-pending")
        again = server.cli("mail", "send-pending")

    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.startswith("sent 1, to be retried 0, given up 0 (SMTP server 127.0.0.1:")
    assert again.stdout.startswith("sent 0, to be retried 0, given up 0")
    assert [r.message["Subject"] for r in handler.received] == [f"Your order #{order_id}"]
