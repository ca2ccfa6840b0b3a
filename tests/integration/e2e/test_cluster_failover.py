"""A node dies or restarts under load: nginx sends the work to the other, nothing is lost."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from deploy.cluster import Cluster
from tests.integration.e2e.shoppers import (
    Customer,
    Load,
    customers,
    order,
    stock_of,
    stock_product,
    store_of,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
STOCK = 100_000
UNAVAILABLE = {"detail": "Service temporarily unavailable."}


@pytest.fixture
def shop(cluster: Cluster) -> Iterator[tuple[Customer, Customer, int]]:
    """(an admin, a customer, a product), and both nodes serving again afterwards."""
    with store_of(cluster) as store:
        admin_principal, product = stock_product(store, f"chair-{time.monotonic_ns()}", STOCK)
        login = store.log_in(admin_principal.username, "a long enough password")
        admin = Customer(login.access_token, login.refresh_token, login.csrf_token)
        (buyer,) = customers(store, f"buyer-{time.monotonic_ns()}", 1)
    yield admin, buyer, product
    for node in cluster.nodes:
        if not node.running:
            node.start()
    cluster.drain()  # a reload also forgets which nodes nginx saw fail


def shopping(cluster: Cluster, buyer: Customer, product: int) -> Load:
    load = Load()
    products = f"{cluster.url}/api/get_all_products"
    load.add("read", lambda: requests.get(products, headers=buyer.headers, timeout=60), threads=3)
    load.add("order", lambda: order(cluster.url, buyer, product), threads=2)
    return load


def orders_in_store(cluster: Cluster, admin: Customer, product: int) -> dict[int, int]:
    """Every order of ``product`` the database holds: id -> units."""
    listing = requests.get(f"{cluster.url}/api/get_order", headers=admin.headers)
    assert listing.status_code == 200, listing.text
    return {
        placed["id"]: line["amount"]
        for placed in listing.json()
        for line in placed["items"]
        if line["product_id"] == product
    }


def test_a_node_killed_under_load_loses_no_read_and_no_acknowledged_order(
    cluster: Cluster, shop: tuple[Customer, Customer, int]
) -> None:
    admin, buyer, product = shop
    with shopping(cluster, buyer, product) as load:
        time.sleep(1.5)
        dying = time.monotonic()
        cluster.nodes[0].kill()  # returns once the node's port refuses connections
        killed = time.monotonic()
        time.sleep(2.5)

    reads, orders = load.outcomes["read"], load.outcomes["order"]
    # Requests that met the node while it died, from SIGKILL until its port closed.
    in_flight = [o for o in reads + orders if o.started < killed and o.finished > dying]
    # nginx retries a read the dying node dropped on the other node. Only one whose answer
    # the node had begun to send (its head, a separate write) can be cut short.
    assert all(o.status == 200 for o in reads if o not in in_flight)
    assert sum(o.status != 200 for o in reads if o in in_flight) <= 1
    assert [o for o in reads if o.started > killed], "no read was sent after the kill"
    after = [outcome for outcome in orders if outcome.started > killed]
    assert after, "no order was sent after the kill"
    assert {outcome.status for outcome in after} == {201}
    # An order that met the dying node may be answered 502: nginx never replays a POST.
    lost = [outcome for outcome in orders if outcome.status != 201]
    assert all(o in in_flight for o in lost)
    assert all((o.status, o.body) == (502, UNAVAILABLE) or o.status == 0 for o in lost)
    acknowledged = {outcome.body["id"] for outcome in orders if outcome.status == 201}
    stored = orders_in_store(cluster, admin, product)
    assert acknowledged <= stored.keys()
    assert len(stored) - len(acknowledged) <= len(lost)
    assert stock_of(cluster.url, buyer, product) == STOCK - sum(stored.values())


def test_a_rolling_restart_of_both_nodes_fails_no_request(
    cluster: Cluster, shop: tuple[Customer, Customer, int]
) -> None:
    admin, buyer, product = shop
    old_workers = {node.name: node.pid for node in cluster.nodes}

    with shopping(cluster, buyer, product) as load:
        time.sleep(0.5)
        cluster.rolling_restart()
        time.sleep(0.5)

    assert all(node.pid != old_workers[node.name] for node in cluster.nodes)
    assert {outcome.status for outcome in load.outcomes["read"]} == {200}
    orders = load.outcomes["order"]
    assert {outcome.status for outcome in orders} == {201}
    stored = orders_in_store(cluster, admin, product)
    assert {outcome.body["id"] for outcome in orders} == stored.keys()
    assert stock_of(cluster.url, buyer, product) == STOCK - len(orders)
