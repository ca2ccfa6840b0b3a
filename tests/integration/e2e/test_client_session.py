"""A whole front-end session against a real server process, as a browser would run it."""

from __future__ import annotations

import pytest
import requests

from tests.integration.e2e.conftest import Server

pytestmark = pytest.mark.slow


def run_shop_session(server: Server) -> None:
    api = f"{server.base_url}/api"
    created = server.cli(
        "create-superuser", "--username", "root", "--email", "root@example.com",
        "--password-stdin", stdin="root password 1\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr

    admin = requests.Session()
    login = admin.post(
        f"{api}/login_view", json={"username": "root", "password": "root password 1"}
    )
    assert login.status_code == 200, login.text
    admin_auth = {
        "Authorization": f"Token {login.json()['access_token']}",
        "X-CSRFTOKEN": admin.cookies["csrftoken"],
    }
    chair = admin.post(
        f"{api}/products",
        json={"name": "Red chair", "description": "Beech", "price": "19.99", "amount": 5},
        headers=admin_auth,
    )
    assert chair.status_code == 201, chair.text
    chair_id = chair.json()["id"]

    browser = requests.Session()
    signed = browser.post(
        f"{api}/sign_in/",
        json={"username": "Alice", "password": "alice's secret", "email": "alice@example.com"},
    )
    assert signed.json() == {"massage": "success", "message": "success"}
    login = browser.post(
        f"{api}/login_view/", json={"username": "alice", "password": "alice's secret"}
    )
    assert login.status_code == 200, login.text
    assert login.json()["user"]["username"] == "Alice"
    first_refresh_cookie = browser.cookies["refreshtoken"]

    refreshed = browser.post(
        f"{api}/refresh_token/", headers={"X-CSRFTOKEN": browser.cookies["csrftoken"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert browser.cookies["refreshtoken"] != first_refresh_cookie
    auth = {
        "Authorization": f"Token {refreshed.json()['access_token']}",
        "X-CSRFTOKEN": browser.cookies["csrftoken"],
    }

    products = browser.get(f"{api}/get_all_products/", headers=auth)
    assert products.status_code == 200
    assert products.json() == [
        {"id": chair_id, "name": "Red chair", "description": "Beech", "price": "19.99", "amount": 5}
    ]

    order = browser.post(
        f"{api}/post_order/",
        json={
            "address": "1 Main St",
            "phone": "+1 555 0100",
            "items": [{"product_id": chair_id, "amount": 2}],
        },
        headers=auth,
    )
    assert order.status_code == 201, order.text
    assert order.json()["total_price"] == "39.98"

    orders = browser.get(f"{api}/get_order/", headers=auth)
    assert [o["id"] for o in orders.json()] == [order.json()["id"]]
    assert browser.get(f"{api}/get_all_products", headers=auth).json()[0]["amount"] == 3

    run_guards(api, browser, auth, chair_id)


def run_guards(api: str, browser: requests.Session, auth: dict[str, str], chair_id: int) -> None:
    """Idempotency-Key and login throttling, stored in the database the workers share."""
    keyed = {**auth, "Idempotency-Key": "e2e-checkout-1"}
    basket = {
        "address": "1 Main St",
        "phone": "+1 555 0100",
        "items": [{"product_id": chair_id, "amount": 1}],
    }
    sent = [browser.post(f"{api}/post_order", json=basket, headers=keyed) for _ in range(3)]
    assert [r.status_code for r in sent] == [201, 201, 201]
    assert [r.headers.get("Idempotent-Replayed") for r in sent] == [None, "true", "true"]
    assert len({r.content for r in sent}) == 1
    assert browser.get(f"{api}/get_all_products", headers=auth).json()[0]["amount"] == 2

    for _ in range(5):  # fresh connections: gunicorn hands them to either worker
        wrong = requests.post(f"{api}/login_view", json={"username": "alice", "password": "no"})
        assert wrong.status_code == 403
    throttled = requests.post(
        f"{api}/login_view", json={"username": "ALICE", "password": "alice's secret"}
    )
    assert throttled.status_code == 429
    seconds = throttled.headers["Retry-After"]
    assert throttled.json() == {
        "detail": f"Request was throttled. Expected available in {seconds} seconds."
    }
    assert 890 <= int(seconds) <= 900


def test_a_browser_session_works_end_to_end_on_sqlite(sqlite_server: Server) -> None:
    run_shop_session(sqlite_server)


@pytest.mark.postgres
def test_a_browser_session_works_end_to_end_on_postgresql(postgres_server: Server) -> None:
    run_shop_session(postgres_server)
