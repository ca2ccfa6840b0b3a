"""Many customers, each signed up and logged in with a token of their own, on each system.

Logging in costs an Argon2 hash, so customers sign up and log in a few at a time (the servers
have two workers each); their access tokens are renewed through ``refresh_token`` (no hash)
before the peers' five-minute tokens run out.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from benchmarks.http import Client
from benchmarks.scenarios import PASSWORD
from benchmarks.systems import System

RENEW_AFTER = 200  # seconds; the peers' access tokens live five minutes
AT_ONCE = 4  # sign-ups and logins in flight per system


@dataclass
class Customer:
    name: str
    access: str
    csrf: str
    refresh: str

    def headers(self) -> dict[str, str]:
        """What each of this customer's requests carries: token, CSRF cookie and header."""
        return {
            "Authorization": f"Token {self.access}",
            "Cookie": f"csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }


class Crowd:
    """The customers of one system, renewed when their tokens grow old."""

    def __init__(self, system: System, customers: list[Customer]) -> None:
        self.system = system
        self.customers = customers
        self._renewed = time.monotonic()

    def fresh(self) -> list[Customer]:
        if time.monotonic() - self._renewed > RENEW_AFTER:
            with ThreadPoolExecutor(AT_ONCE) as pool:
                list(pool.map(lambda c: _refresh(self.system, c), self.customers))
            self._renewed = time.monotonic()
        return self.customers


def gather(system: System, count: int) -> Crowd:
    """``count`` customers signed up and logged in on ``system``."""
    names = [f"customer{n:04d}" for n in range(count)]
    with ThreadPoolExecutor(AT_ONCE) as pool:
        customers = list(pool.map(lambda name: _join(system, name), names))
    return Crowd(system, customers)


def _join(system: System, name: str) -> Customer:
    client = Client(system.port)
    try:
        signed = client.call(
            "POST",
            "/api/sign_in",
            {"username": name, "password": PASSWORD, "email": f"{name}@example.com"},
        )
        if signed.status != 200:
            raise SystemExit(f"{system.name}: sign_in {name}: {signed.status} {signed.body!r}")
        answer = client.call("POST", "/api/login_view", {"username": name, "password": PASSWORD})
        if answer.status != 200:
            raise SystemExit(f"{system.name}: login {name}: {answer.status} {answer.body!r}")
    finally:
        client.close()
    return Customer(
        name,
        answer.json()["access_token"],
        answer.cookies["csrftoken"],
        answer.cookies["refreshtoken"],
    )


def _refresh(system: System, customer: Customer) -> None:
    client = Client(system.port)
    try:
        answer = client.call(
            "POST",
            "/api/refresh_token",
            headers={
                "Cookie": f"csrftoken={customer.csrf}; refreshtoken={customer.refresh}",
                "X-CSRFToken": customer.csrf,
            },
        )
    finally:
        client.close()
    if answer.status != 200:
        raise SystemExit(f"{system.name}: refresh {customer.name}: {answer.status}")
    customer.access = answer.json()["access_token"]
    customer.refresh = answer.cookies.get("refreshtoken", customer.refresh)
    customer.csrf = answer.cookies.get("csrftoken", customer.csrf)
