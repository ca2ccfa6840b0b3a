"""The per-worker product listing is never older than the last committed product change.

The app's store and a second store (as another process would be) share one database; every
write answers before the next listing is asked, which must show it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import fast_settings
from webstore import Webstore, bootstrap
from webstore.application.dto import Principal
from webstore.entrypoints.web.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[Webstore, Webstore]]:
    settings = fast_settings(database_url)
    served = bootstrap(settings, migrate=True)
    other = bootstrap(settings)
    yield served, other
    for store in (served, other):
        store.uow.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(stores: tuple[Webstore, Webstore], database_url: str) -> FlaskClient:
    return create_app(fast_settings(database_url), stores[0]).test_client()


def listing(client: FlaskClient, token: str, path: str = "/api/get_all_products") -> list[Any]:
    response = client.get(path, headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200, response.json
    body: list[dict[str, Any]] = response.json  # type: ignore[assignment]
    return body


def shop(store: Webstore) -> tuple[Principal, Principal, str]:
    store.create_superuser("root", "root@example.com", PASSWORD)
    admin = store.authenticate(store.log_in("root", PASSWORD).access_token)
    store.register_user("alice", "alice@example.com", PASSWORD)
    token = store.log_in("alice", PASSWORD).access_token
    return admin, store.authenticate(token), token


CHAIR = {"name": "Red chair", "description": "Beech", "price": "19.99", "amount": 5}


@pytest.mark.parametrize("writer", ["same store", "other store"])
def test_every_product_change_shows_in_the_next_listing(
    stores: tuple[Webstore, Webstore], client: FlaskClient, writer: str
) -> None:
    served, other = stores
    admin, alice, token = shop(served)
    store = served if writer == "same store" else other
    assert listing(client, token) == []

    chair = store.add_product(admin, CHAIR)
    assert [p["amount"] for p in listing(client, token)] == [5]

    order = store.place_order(
        alice, "1 Oak Road", "+1 555 0100", [{"product_id": chair.id, "amount": 2}]
    )
    assert [p["amount"] for p in listing(client, token)] == [3]

    store.cancel_order(alice, order.id)
    assert [p["amount"] for p in listing(client, token)] == [5]

    store.update_product(admin, chair.id, {"name": "Blue chair", "price": "21.00"})
    assert [(p["name"], p["price"]) for p in listing(client, token)] == [("Blue chair", "21.00")]

    store.import_products(admin, [{"name": "Lamp", "price": "9.99", "amount": 1}])
    assert [p["name"] for p in listing(client, token)] == ["Blue chair", "Lamp"]

    store.deactivate_product(admin, chair.id)
    assert [p["name"] for p in listing(client, token)] == ["Lamp"]


def test_an_order_placed_through_the_api_shows_in_the_next_listing(
    stores: tuple[Webstore, Webstore], client: FlaskClient
) -> None:
    served, _ = stores
    admin, _, token = shop(served)
    chair = served.add_product(admin, CHAIR)
    listing(client, token)
    client.post("/api/login_view", json={"username": "alice", "password": PASSWORD})
    csrf = client.get_cookie("csrftoken")
    assert csrf is not None

    placed = client.post(
        "/api/post_order",
        json={
            "address": "1 Oak Road",
            "phone": "+1 555 0100",
            "items": [{"product_id": chair.id, "amount": 4}],
        },
        headers={"Authorization": f"Token {token}", "X-CSRFToken": csrf.value},
    )

    assert placed.status_code == 201, placed.json
    assert [p["amount"] for p in listing(client, token)] == [1]


def test_paged_listings_follow_the_catalogue_too(
    stores: tuple[Webstore, Webstore], client: FlaskClient
) -> None:
    served, other = stores
    admin, _, token = shop(served)
    chair = served.add_product(admin, CHAIR)
    auth = {"Authorization": f"Token {token}"}
    first = client.get("/api/get_all_products?limit=1", headers=auth)
    assert first.headers["X-Total-Count"] == "1"

    other.add_product(admin, {**CHAIR, "name": "Stool"})
    other.update_product(admin, chair.id, {"amount": 7})
    again = client.get("/api/get_all_products?limit=1", headers=auth)

    assert again.headers["X-Total-Count"] == "2"
    assert [p["amount"] for p in again.json] == [7]  # type: ignore[union-attr]


def orders_seen(client: FlaskClient, token: str, query: str = "") -> list[tuple[int, str]]:
    response = client.get(f"/api/get_order{query}", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    return [(o["id"], o["status"]) for o in response.json]  # type: ignore[union-attr]


@pytest.mark.parametrize("writer", ["same store", "other store"])
def test_every_order_change_shows_in_the_next_order_listings(
    stores: tuple[Webstore, Webstore], client: FlaskClient, writer: str
) -> None:
    served, other = stores
    admin, alice, token = shop(served)
    root_token = served.log_in("root", PASSWORD).access_token
    served.register_user("bob", "bob@example.com", PASSWORD)
    bob = served.authenticate(served.log_in("bob", PASSWORD).access_token)
    store = served if writer == "same store" else other
    chair = store.add_product(admin, CHAIR)
    line = [{"product_id": chair.id, "amount": 1}]
    views = (
        "",
        "?category=uncompleted",
        "?category=completed",
        f"?category=user&user_id={alice.user_id}",
    )
    assert orders_seen(client, token) == []
    assert [orders_seen(client, root_token, view) for view in views] == [[], [], [], []]

    first = store.place_order(alice, "1 Oak Road", "+1 555 0100", line)
    assert orders_seen(client, token) == [(first.id, "pending")]
    assert orders_seen(client, root_token, views[1]) == [(first.id, "pending")]

    store.complete_order(admin, first.id)
    assert orders_seen(client, token) == [(first.id, "completed")]
    assert orders_seen(client, root_token, views[2]) == [(first.id, "completed")]
    assert orders_seen(client, root_token, views[1]) == []

    second = store.place_order(bob, "2 Elm Street", "+1 555 0101", line)
    assert orders_seen(client, root_token) == [(second.id, "pending"), (first.id, "completed")]
    assert orders_seen(client, root_token, views[3]) == [(first.id, "completed")]
    assert orders_seen(client, token) == [(first.id, "completed")]

    store.cancel_order(bob, second.id)
    assert orders_seen(client, root_token) == [(second.id, "cancelled"), (first.id, "completed")]
    assert orders_seen(client, root_token, "?category=cancelled") == [(second.id, "cancelled")]


def test_users_never_see_each_others_cached_listings(
    stores: tuple[Webstore, Webstore], client: FlaskClient
) -> None:
    served, _ = stores
    admin, alice, alice_token = shop(served)
    served.register_user("bob", "bob@example.com", PASSWORD)
    bob_token = served.log_in("bob", PASSWORD).access_token
    chair = served.add_product(admin, CHAIR)
    order = served.place_order(
        alice, "1 Oak Road", "+1 555 0100", [{"product_id": chair.id, "amount": 1}]
    )

    assert orders_seen(client, alice_token) == [(order.id, "pending")]
    assert orders_seen(client, bob_token) == []
    assert orders_seen(client, bob_token, f"?category=user&user_id={alice.user_id}") == []


def names(client: FlaskClient, token: str, path: str = "/api/get_all_products") -> list[str]:
    return [p["name"] for p in listing(client, token, path)]


def test_searches_follow_the_catalogue_and_never_answer_for_each_other(
    stores: tuple[Webstore, Webstore], client: FlaskClient
) -> None:
    served, other = stores
    admin, _, token = shop(served)
    root_token = served.log_in("root", PASSWORD).access_token
    chair = served.add_product(admin, CHAIR)
    served.add_product(admin, {**CHAIR, "name": "Lamp"})
    chairs = "/api/get_all_products?search=chair"
    assert names(client, token, chairs) == ["Red chair"]
    assert names(client, token, "/api/get_all_products?search=LAMP") == ["Lamp"]
    assert names(client, token, "/api/get_all_products?search=chair&limit=1&offset=1") == []
    assert names(client, token) == ["Red chair", "Lamp"]

    other.update_product(admin, chair.id, {"name": "Red stool"})  # a new search key
    assert names(client, token, chairs) == []
    assert names(client, token, "/api/get_all_products?search=stool") == ["Red stool"]

    # Many rows in one statement, through the HTTP import.
    client.post("/api/login_view", json={"username": "root", "password": PASSWORD})
    csrf = client.get_cookie("csrftoken")
    assert csrf is not None
    imported = client.post(
        "/api/products/import",
        data="name,price,amount\nArm Chair,5.00,1\nÉclair chair,2.00,3\nRug,1.00,1\n",
        headers={
            "Authorization": f"Token {root_token}",
            "Content-Type": "text/csv",
            "X-CSRFToken": csrf.value,
        },
    )
    assert imported.status_code == 201, imported.json
    assert names(client, token, chairs) == ["Arm Chair", "Éclair chair"]
    assert names(client, token, "/api/get_all_products?search=chair&limit=1&offset=1") == [
        "Éclair chair"
    ]


def test_the_superuser_catalogue_follows_every_change_and_stays_a_superusers(
    stores: tuple[Webstore, Webstore], client: FlaskClient
) -> None:
    served, other = stores
    admin, _, token = shop(served)
    root_token = served.log_in("root", PASSWORD).access_token
    chair = served.add_product(admin, CHAIR)
    everything = "/api/products"
    assert [p["is_active"] for p in listing(client, root_token, everything)] == [True]
    assert names(client, token) == ["Red chair"]

    other.deactivate_product(admin, chair.id)
    assert [p["is_active"] for p in listing(client, root_token, everything)] == [False]
    assert names(client, root_token, f"{everything}?search=red") == ["Red chair"]
    assert names(client, token) == []

    other.update_product(admin, chair.id, {"is_active": True, "name": "Blue chair"})
    assert names(client, root_token, f"{everything}?include_inactive=1") == ["Blue chair"]
    assert names(client, token) == ["Blue chair"]

    # What a superuser's listing keeps is never served to anybody else.
    refused = client.get(everything, headers={"Authorization": f"Token {token}"})
    assert refused.status_code == 403
    assert b"Blue chair" not in refused.data
    other.set_user_active(other.operator, "root", False)
    gone = client.get(everything, headers={"Authorization": f"Token {root_token}"})
    assert gone.status_code in (401, 403)
    assert b"Blue chair" not in gone.data
