"""Two ``webstore serve`` on two ports sharing one PostgreSQL, loaded together.

First both take orders of an ample product (throughput, no errors allowed); then both race for
the last units of a scarce product (no oversell: every unit sold once, stock never below zero).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import systems, wrk
from benchmarks.http import Client, log_in
from benchmarks.scenarios import ADDRESS, PASSWORD, PHONE
from benchmarks.systems import ADMIN_PASSWORD

SCARCE_STOCK = 300


def _order(product_id: int) -> str:
    import json

    return json.dumps(
        {"address": ADDRESS, "phone": PHONE, "items": [{"product_id": product_id, "amount": 1}]}
    )


def _together(
    ports: list[int], headers: dict[str, str], body: str, seconds: float
) -> list[wrk.Load]:
    with ThreadPoolExecutor(len(ports)) as pool:
        runs = [
            pool.submit(
                wrk.run,
                f"http://127.0.0.1:{port}/api/post_order",
                seconds=seconds,
                connections=8,
                method="POST",
                body=body,
                headers={**headers, "Content-Type": "application/json"},
            )
            for port in ports
        ]
        return [run.result() for run in runs]


def run(url: str, workdir: Path, args: argparse.Namespace, sessions: Any) -> dict[str, Any]:
    nodes = [systems.start_project(url, workdir, args.workers, name=f"node{n}") for n in (1, 2)]
    try:
        ports = [node.port for node in nodes]
        buyer = log_in(ports[0], "buyer", PASSWORD)
        admin = log_in(ports[0], "admin", ADMIN_PASSWORD)
        ample = _together(ports, buyer, _order(2), args.seconds)
        created = Client(ports[1]).call(
            "POST",
            "/api/products",
            {"name": "Scarce", "price": "1.00", "amount": SCARCE_STOCK},
            admin,
        )
        scarce_id = created.json()["id"]
        before = _count_sold(ports[1], admin, scarce_id)
        race = _together(ports, buyer, _order(scarce_id), max(args.seconds, 2))
        left = Client(ports[0]).call("GET", f"/api/products/{scarce_id}", headers=admin).json()
        sold = _count_sold(ports[0], admin, scarce_id) - before
        answered = sum(r.requests for r in race)
        refused = sum(r.bad_status for r in race)
    finally:
        for node in nodes:
            node.stop()
    ok = (
        sold == SCARCE_STOCK - left["amount"] and left["amount"] >= 0 and refused == answered - sold
    )
    if sum(r.socket_errors + r.bad_status for r in ample) or not ok:
        raise SystemExit(f"scale-out failed: ample={ample} sold={sold} left={left} race={race}")
    return {
        "post_order req/s, both nodes together": f"{sum(r.rate for r in ample):.0f} "
        f"({' + '.join(f'{r.rate:.0f}' for r in ample)}), 0 errors",
        "p99 ms per node": ", ".join(f"{r.p99_ms:.1f}" for r in ample),
        "race for a product with stock 300": f"{sold} sold, {left['amount']} left, "
        f"{refused} refused as out of stock, no oversell",
    }


def _count_sold(port: int, admin: dict[str, str], product_id: int) -> int:
    orders = Client(port).call("GET", "/api/get_order", headers=admin).json()
    return sum(
        line["amount"]
        for order in orders
        for line in order["items"]
        if line["product_id"] == product_id
    )
