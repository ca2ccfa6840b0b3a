"""Orders on two nodes at once: one stock, one order per Idempotency-Key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from deploy.cluster import Cluster
from tests.integration.e2e.shoppers import (
    Customer,
    customers,
    order,
    stock_of,
    stock_product,
    store_of,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def all_at_once(
    sends: list[tuple[str, Customer, dict[str, str]]], product_id: int
) -> list[requests.Response]:
    """Each (node URL, customer, headers) in a thread of its own, released together."""
    start = threading.Barrier(len(sends))

    def send(base_url: str, customer: Customer, headers: dict[str, str]) -> requests.Response:
        start.wait()
        return order(base_url, customer, product_id, **headers)

    with ThreadPoolExecutor(max_workers=len(sends)) as pool:
        return list(pool.map(lambda args: send(*args), sends))


def test_a_hundred_buyers_on_both_nodes_buy_exactly_the_thirty_in_stock(cluster: Cluster) -> None:
    with store_of(cluster) as store:
        _, lamp = stock_product(store, "Desk lamp", 30)
        buyers = customers(store, "buyer", 100)
    nodes = [node.url for node in cluster.nodes]

    answers = all_at_once([(nodes[n % 2], buyer, {}) for n, buyer in enumerate(buyers)], lamp)

    statuses = [answer.status_code for answer in answers]
    assert statuses.count(201) == 30, [a.text for a in answers if a.status_code not in (201, 400)]
    assert statuses.count(400) == 70
    sold_out = f"not enough stock for product {lamp}: requested 1, available 0"
    assert {a.json()["error"] for a in answers if a.status_code == 400} == {sold_out}
    assert stock_of(cluster.url, buyers[0], lamp) == 0
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 30


def test_one_idempotency_key_sent_to_both_nodes_at_once_makes_one_order(cluster: Cluster) -> None:
    with store_of(cluster) as store:
        _, mug = stock_product(store, "Coffee mug", 100)
        (alice,) = customers(store, "alice", 1)
    a, b = cluster.nodes

    for attempt in range(5):
        key = {"Idempotency-Key": f"checkout-{attempt}"}
        answers = all_at_once([(a.url, alice, key), (b.url, alice, key)], mug)

        assert {answer.status_code for answer in answers} <= {201, 409}
        placed = {answer.json()["id"] for answer in answers if answer.status_code == 201}
        assert len(placed) == 1
        replay = order(cluster.url, alice, mug, **key)
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json()["id"] in placed

    mine = requests.get(f"{cluster.url}/api/get_order", headers=alice.headers).json()
    assert len(mine) == 5
    assert stock_of(cluster.url, alice, mug) == 95
