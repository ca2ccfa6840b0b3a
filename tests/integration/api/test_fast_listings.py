"""Plain listing requests answered in front of Flask get exactly the answers Flask gives."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper
from webstore import Webstore
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app
from webstore.entrypoints.web.fast_listings.answers import FastListings

SHOP = "https://shop.example.com"
CALLERS = [
    "none", "alice", "alice, bearer", "admin", "deactivated", "logged out", "tampered",
    "garbage", "two parts", "scheme only", "basic",
]  # fmt: skip
PATHS = [
    "/api/get_all_products",
    "/api/get_all_products/",
    "/api/get_order",
    "/api/get_order/",
    "/api/get_order?category=completed",
    "/api/get_all_products?limit=1",
    "/api/Get_order",
]


@pytest.fixture(params=[(), (SHOP,)], ids=["without-cors", "with-cors"])
def settings(request: pytest.FixtureRequest) -> Settings:
    return fast_settings(cors_origins=request.param)


class CountingFollower:
    """Counts the requests the fast lane hands on to Flask."""

    def __init__(self, fast: FastListings) -> None:
        self.handed_on = 0
        self._following = fast.following
        fast.following = self

    def __call__(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        self.handed_on += 1
        return self._following(environ, start_response)


def fast_lane(app: Flask) -> FastListings:
    fast = app.wsgi_app.app  # type: ignore[attr-defined]  # inside the request observer
    assert isinstance(fast, FastListings)
    return fast


@pytest.fixture
def flask_only(settings: Settings, store: Webstore) -> Client:
    """The same app over the same store, every request answered by Flask."""
    twin = create_app(settings, store)
    observer = twin.wsgi_app
    observer.app = fast_lane(twin).following  # type: ignore[attr-defined]
    return twin.test_client()


@pytest.fixture
def tokens(
    make_shopper: Callable[..., Shopper], store: Webstore
) -> Iterator[dict[str, str | None]]:
    alice, admin = make_shopper("alice"), make_shopper("root", superuser=True, store=store)
    gone, leaving = make_shopper("gone"), make_shopper("leaving")
    alice.post(
        "/api/post_order", json={"address": "1 Main St", "phone": "+1 555 0100", "items": []}
    )
    assert leaving.post("/api/logout").status_code == 200  # its access token: a revoked session
    store.set_user_active(store.operator, "gone", False)
    yield {
        "none": None,
        "alice": f"Token {alice.access_token}",
        "alice, bearer": f"bearer {alice.access_token}",
        "admin": f"Token {admin.access_token}",
        "deactivated": f"Token {gone.access_token}",
        "logged out": f"Token {leaving.access_token}",
        "tampered": f"Token {alice.access_token[:-2]}xx",
        "garbage": "Token not-a-jwt",
        "two parts": f"Token {alice.access_token} extra",
        "scheme only": "Token",
        "basic": "Basic YWxpY2U6cGFzc3dvcmQ=",
    }


def comparable(response: TestResponse, request_id_given: bool) -> tuple[Any, ...]:
    headers = sorted(
        (name.lower(), value)
        for name, value in response.headers.items()
        if request_id_given or name.lower() != "x-request-id"
    )
    return response.status_code, response.get_data(), headers


@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS"]),
    who=st.sampled_from(CALLERS),
    origin=st.sampled_from([None, SHOP, "https://elsewhere.example"]),
    request_id=st.sampled_from([None, "req-42"]),
    body=st.sampled_from([None, b"", b"{}"]),
)
@hypothesis_settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_request_gets_the_answer_flask_gives(
    app: Flask,
    flask_only: Client,
    tokens: dict[str, str | None],
    path: str,
    method: str,
    who: str,
    origin: str | None,
    request_id: str | None,
    body: bytes | None,
) -> None:
    headers = {
        name: value
        for name, value in {
            "Authorization": tokens[who], "Origin": origin, "X-Request-ID": request_id
        }.items()
        if value is not None
    }  # fmt: skip
    follower = CountingFollower(fast_lane(app))
    fast = app.test_client().open(path, method=method, headers=headers, data=body)
    expected = flask_only.open(path, method=method, headers=headers, data=body)
    assert comparable(fast, request_id is not None) == comparable(expected, request_id is not None)
    plain = method == "GET" and "?" not in path and path.lower() == path and not body
    refused = 400 <= expected.status_code < 500  # by a use case: Flask's checks answer
    answered_before_flask = plain and not refused
    assert follower.handed_on == (0 if answered_before_flask else 1)


def test_a_write_is_seen_at_once_by_the_fast_lane(
    app: Flask, make_shopper: Callable[..., Shopper], store: Webstore
) -> None:
    alice = make_shopper("alice")
    store.add_product(store.operator, {"name": "Lamp", "price": "9.50", "amount": 3})
    follower = CountingFollower(fast_lane(app))
    [lamp] = alice.get("/api/get_all_products").json
    order = {"address": "1 Main St", "phone": "+1 555 0100"}
    placed = alice.post(
        "/api/post_order", json={**order, "items": [{"product_id": lamp["id"], "amount": 2}]}
    )
    assert placed.status_code == 201
    assert alice.get("/api/get_all_products").json[0]["amount"] == 1
    assert [o["id"] for o in alice.get("/api/get_order").json] == [placed.json["id"]]
    assert follower.handed_on == 1  # the order; every listing was answered in front of Flask


def test_a_logged_out_token_is_refused_at_once(
    app: Flask, make_shopper: Callable[..., Shopper]
) -> None:
    alice = make_shopper("alice")
    assert alice.get("/api/get_order").status_code == 200  # kept: the listing and the token
    assert alice.post("/api/logout").status_code == 200
    refused = alice.get("/api/get_order")
    assert refused.status_code == 403
    assert refused.json == {"detail": "Invalid token."}
