"""Sockets that connect and say nothing delay nobody, and the server closes them after 2 s.

With 2000 of them, or 150 new ones a second, ``/api/health`` on a new connection is answered
within a second: an idle socket is accepted at once, like any other, and holds only itself.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.integration.e2e.running import Running, running, wait_for
from tests.integration.faults.hostile_clients import allow_open_files, health_took, port_of

pytestmark = pytest.mark.slow

IDLE = 2000
OPENED_A_SECOND = 150
STREAM_SECONDS = 8
ANSWER_WITHIN = 1.0  # seconds; before, 20 s for 2000 sockets, and growing without bound
CLOSED_WITHIN = 10.0  # seconds: the 2 s keep-alive timeout, and room for a loaded machine


def test_two_thousand_idle_sockets_delay_no_one(sqlite_url: str, tmp_path: Path) -> None:
    allow_open_files(IDLE + 1000)
    with running(sqlite_url, tmp_path / "server.log") as shop:
        idle = [connect(shop) for _ in range(IDLE)]
        try:
            waits = []
            for _ in range(5):
                waits.append(health_took(shop))
                time.sleep(0.2)
            wait_for(lambda: all(closed_by_server(s) for s in idle), CLOSED_WITHIN)
        finally:
            for sock in idle:
                sock.close()

    assert max(waits) < ANSWER_WITHIN, waits


def test_a_steady_stream_of_new_idle_sockets_delays_no_one(sqlite_url: str, tmp_path: Path) -> None:
    allow_open_files(OPENED_A_SECOND * STREAM_SECONDS + 1000)
    with running(sqlite_url, tmp_path / "server.log") as shop:
        idle: list[socket.socket] = []
        stop = threading.Event()
        opener = threading.Thread(target=keep_opening, args=(shop, idle, stop))
        opener.start()
        try:
            waits = []
            deadline = time.monotonic() + STREAM_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.5)
                waits.append(health_took(shop))
        finally:
            stop.set()
            opener.join()
            for sock in idle:
                sock.close()

    assert len(idle) >= OPENED_A_SECOND * STREAM_SECONDS / 2  # the stream was really there
    assert max(waits) < ANSWER_WITHIN, waits


def connect(shop: Running) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port_of(shop)), timeout=10)


def keep_opening(shop: Running, idle: list[socket.socket], stop: threading.Event) -> None:
    """OPENED_A_SECOND new sockets a second, each saying nothing, until ``stop``."""
    started, opened = time.monotonic(), 0
    while not stop.is_set():
        due = int((time.monotonic() - started) * OPENED_A_SECOND)
        for _ in range(due - opened):
            idle.append(connect(shop))
        opened = max(opened, due)
        time.sleep(0.005)


def closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
