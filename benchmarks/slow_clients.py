"""Slow clients: connections that trickle their headers or body, while a probe keeps asking.

A server that gives each connection a thread (or a process) until its request is complete can be
stalled by a few dozen such clients; one that reads requests cooperatively keeps answering.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from dataclasses import dataclass

from benchmarks.http import Client


@dataclass(frozen=True)
class Probes:
    answered: int
    asked: int
    median_ms: float
    worst_ms: float


HEADER_START = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
BODY_START = (
    b"POST /api/login_view HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
)


def _trickle(slow: list[tuple[socket.socket, bytes]], stop: threading.Event, every: float) -> None:
    """Each header trickler sends one more header line, each body trickler one more byte."""
    while not stop.wait(every):
        for sock, chunk in slow:
            with contextlib.suppress(OSError):
                sock.send(chunk)


def open_slow(port: int, headers: int, bodies: int) -> list[tuple[socket.socket, bytes]]:
    opened = []
    for n in range(headers + bodies):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        start, chunk = (HEADER_START, b"X-Slow: 1\r\n") if n < headers else (BODY_START, b" ")
        sock.sendall(start)
        opened.append((sock, chunk))
    return opened


def probe_while_stalled(
    port: int,
    paths: dict[str, dict[str, str]],
    *,
    headers: int = 50,
    bodies: int = 20,
    seconds: float = 5.0,
    interval: float = 1.0,
) -> Probes:
    """Ask each path again and again on fresh connections while the slow clients trickle."""
    slow = open_slow(port, headers, bodies)
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(slow, stop, interval), daemon=True)
    trickler.start()
    times: list[float] = []
    asked = 0
    try:
        time.sleep(interval)  # the slow clients are in, and have trickled once
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for path, sent in paths.items():
                asked += 1
                started = time.perf_counter()
                client = Client(port, timeout=3)
                try:
                    status = client.call("GET", path, headers=sent).status
                except OSError:
                    continue
                finally:
                    client.close()
                if status == 200:
                    times.append(time.perf_counter() - started)
            time.sleep(0.1)
    finally:
        stop.set()
        trickler.join()
        for sock, _ in slow:
            sock.close()
    return Probes(
        answered=len(times),
        asked=asked,
        median_ms=statistics.median(times) * 1000 if times else float("inf"),
        worst_ms=max(times) * 1000 if times else float("inf"),
    )
