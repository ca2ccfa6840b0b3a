"""The same data in every system under test, put in through each one's own front door."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from benchmarks import systems
from benchmarks.http import Client, log_in
from benchmarks.scenarios import ADDRESS, PASSWORD, PHONE, order_lines
from benchmarks.systems import System

USERS = ("shopper", "bulk", "buyer")


def top_up_products(system: System, have: int, want: int) -> None:
    """Bring the catalogue to ``want`` products: "Product i", 9.99, a million in stock."""
    if want <= have:
        return
    if system.peer is not None:
        systems.peer_load_products(system, want - have)
        return
    rows = "".join(f"Product {i},,9.99,1000000\n" for i in range(have + 1, want + 1))
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as csv:
        csv.write("name,description,price,amount\n" + rows)
    subprocess.run(
        [str(systems.BIN / "webstore"), "products", "import", csv.name],
        env=system.env,
        check=True,
        capture_output=True,
    )
    Path(csv.name).unlink()


def sign_up(system: System) -> None:
    client = Client(system.port)
    for name in USERS:
        answer = client.call(
            "POST",
            "/api/sign_in",
            {"username": name, "password": PASSWORD, "email": f"{name}@example.com"},
        )
        if answer.status != 200:
            raise SystemExit(f"{system.name}: sign_in {name}: {answer.status} {answer.body!r}")


def place_orders(system: System, *, user_orders: int, bulk_orders: int) -> dict[str, int]:
    """Place the orders; return the ids of their users by name."""
    client = Client(system.port)
    ids = {}
    for name, count in (("shopper", user_orders), ("bulk", bulk_orders)):
        headers = log_in(system.port, name, PASSWORD)
        for n in range(count):
            body = {"address": ADDRESS, "phone": PHONE, "items": order_lines(n, 100)}
            answer = client.call("POST", "/api/post_order", body, headers)
            if answer.status != 201:
                raise SystemExit(f"{system.name}: post_order: {answer.status} {answer.body!r}")
            ids[name] = answer.json()["user"]
    return ids
