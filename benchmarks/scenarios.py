"""What is loaded: the contract's hot endpoints, with the users and data each one needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PASSWORD = "benchmark user password"
ADDRESS, PHONE = "1 Bench Street", "+1 555 0100"


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str  # may name {bulk}: the id of the user with the many orders
    user: str | None  # whose token the requests carry
    body: Any = None
    connections: int | None = None  # None: the run's setting
    # Many customers: each request is a draw (``traffic.Mix``) of a customer, and of what
    # they ask for; ``path``, ``user`` and ``body`` are then only what the replayers capture.
    mix: Mix | None = None


@dataclass(frozen=True)
class Mix:
    """Shares of requests in percent: product listings, the customer's own orders, orders of
    one unit of a random product (the rest of 100)."""

    listings: int
    own_orders: int

    @property
    def checkouts(self) -> int:
        return 100 - self.listings - self.own_orders


MIXED = Mix(listings=70, own_orders=20)
CHECKOUTS_ONLY = Mix(listings=0, own_orders=0)


SCENARIOS = (
    Scenario("get_all_products, 100 products", "GET", "/api/get_all_products", "shopper"),
    Scenario("get_order, a user's 20 orders", "GET", "/api/get_order", "shopper"),
    Scenario(
        "get_order, superuser, 1000 orders",
        "GET",
        "/api/get_order?category=user&user_id={bulk}",
        "admin",
    ),
    Scenario(
        "post_order, one line",
        "POST",
        "/api/post_order",
        "buyer",
        {"address": ADDRESS, "phone": PHONE, "items": [{"product_id": 1, "amount": 1}]},
    ),
    Scenario("mixed", "GET", "/api/get_all_products", "shopper", mix=MIXED),
    Scenario(
        "post_order_many",
        "POST",
        "/api/post_order",
        "buyer",
        {"address": ADDRESS, "phone": PHONE, "items": [{"product_id": 1, "amount": 1}]},
        mix=CHECKOUTS_ONLY,
    ),
    Scenario(
        "login_view",
        "POST",
        "/api/login_view",
        None,
        {"username": "buyer", "password": PASSWORD},
        # One login per worker at a time: Argon2 is all CPU, more only queue (and blur the
        # CPU a login costs with the cost of threads fighting for two cores).
        connections=2,
    ),
)


def order_lines(n: int, products: int) -> list[dict[str, int]]:
    return [
        {"product_id": 1 + n % products, "amount": 1},
        {"product_id": 1 + (n + 7) % products, "amount": 2},
    ]
