"""A tiny keep-alive HTTP client for seeding and probing (the load itself comes from wrk)."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any


@dataclass
class Answer:
    status: int
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port = port
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        data = None if body is None else json.dumps(body)
        sent = {"Content-Type": "application/json", **(headers or {})}
        for attempt in range(3):  # sync workers close the connection after each answer
            try:
                self._connection.request(method, path, body=data, headers=sent)
                response = self._connection.getresponse()
                payload = response.read()
                break
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
                self._connection.close()
                if attempt == 2:
                    raise
        cookies = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        return Answer(response.status, payload, {k: m.value for k, m in cookies.items()})

    def close(self) -> None:
        self._connection.close()

    def timed(self, path: str, headers: dict[str, str]) -> float:
        """Seconds for one GET, body read, status checked."""
        started = time.perf_counter()
        answer = self.call("GET", path, headers=headers)
        elapsed = time.perf_counter() - started
        if answer.status != 200:
            raise SystemExit(f"{path}: HTTP {answer.status}")
        return elapsed


def log_in(port: int, username: str, password: str) -> dict[str, str]:
    """Headers of a logged-in client: bearer token, CSRF cookie and header."""
    answer = Client(port).call(
        "POST", "/api/login_view", {"username": username, "password": password}
    )
    if answer.status != 200:
        raise SystemExit(
            f"login of {username} on port {port}: HTTP {answer.status} {answer.body!r}"
        )
    csrf = answer.cookies["csrftoken"]
    return {
        "Authorization": f"Token {answer.json()['access_token']}",
        "Cookie": f"csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }
