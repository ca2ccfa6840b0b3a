"""Clients that trickle their bodies or say nothing at all, and a probe timing the answers."""

from __future__ import annotations

import contextlib
import json
import resource
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.integration.e2e.running import Customer, Running


def allow_open_files(count: int) -> None:
    """Raise this process's open-files limit to ``count`` (the server inherits it), or skip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        if hard != resource.RLIM_INFINITY and hard < count:
            pytest.skip(f"needs {count} open files; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))


def port_of(shop: Running) -> int:
    return int(shop.server.base_url.rsplit(":", 1)[1])


def order_bytes(product_id: int, address: str) -> bytes:
    items = [{"product_id": product_id, "amount": 1}]
    return json.dumps({"address": address, "phone": "+1 555 0100", "items": items}).encode()


def raw_headers(buyer: Customer | None) -> dict[str, str]:
    """What a browser of ``buyer`` sends with an unsafe request (nothing for an anonymous one)."""
    if buyer is None:
        return {}
    csrf = buyer.headers["X-CSRFTOKEN"]
    return {**buyer.headers, "Cookie": f"csrftoken={csrf}"}


@dataclass
class Trickler:
    """A ``POST`` whose head went out at once and whose body goes out a piece at a time."""

    sock: socket.socket
    body: bytes
    sent: int = 0

    @classmethod
    def start(cls, shop: Running, path: str, body: bytes, headers: dict[str, str]) -> Trickler:
        sock = socket.create_connection(("127.0.0.1", port_of(shop)), timeout=60)
        lines = [
            f"POST {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return cls(sock, body)

    def send(self, size: int = 1) -> None:
        """The next ``size`` bytes of the body (a client gone quiet is left alone)."""
        piece = self.body[self.sent : self.sent + size]
        with contextlib.suppress(OSError):
            self.sock.sendall(piece)
        self.sent += len(piece)

    @property
    def done(self) -> bool:
        return self.sent >= len(self.body)

    def answer(self, timeout: float) -> tuple[int, dict[str, str], Any]:
        """The status, lower-cased headers and JSON body of the answer (fails without one)."""
        self.sock.settimeout(timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            assert chunk, f"connection closed without an answer: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
        while len(body) < int(headers.get("content-length", "0")):
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed mid-answer"
            body += chunk
        return int(status_line.split()[1]), headers, json.loads(body)

    def closed_by_server(self, timeout: float) -> bool:
        """Whether the server closes the connection within ``timeout`` (after any answer)."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
        except TimeoutError:
            return False
        except OSError:
            return True
        return True

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def tricklers(
    shop: Running, count: int, path: str, body_of: Any, headers: dict[str, str]
) -> Iterator[list[Trickler]]:
    opened = [Trickler.start(shop, path, body_of(n), headers) for n in range(count)]
    for trickler in opened:
        trickler.send()  # the body has begun: the server is waiting on it
    try:
        yield opened
    finally:
        for trickler in opened:
            trickler.close()


def timed(call: Any) -> tuple[float, Any]:
    """How long ``call()`` took, and what it returned (or the exception it raised)."""
    started = time.monotonic()
    try:
        result = call()
    except requests.RequestException as error:
        result = error
    return time.monotonic() - started, result


def health_took(shop: Running, timeout: float = 10) -> float:
    """Seconds until ``/api/health`` answered 200 on a new connection (fails otherwise)."""
    took, answer = timed(lambda: requests.get(f"{shop.api}/health", timeout=timeout))
    assert isinstance(answer, requests.Response), f"no answer after {took:.1f} s: {answer}"
    assert answer.status_code == 200, answer.text
    return took
