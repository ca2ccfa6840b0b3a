"""Flask test-client fixtures over the in-memory store, and shoppers who keep their tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from webstore import Webstore, bootstrap
from webstore.config import Settings
from webstore.domain.products import Product
from webstore.entrypoints.web.app import create_app

PASSWORD = "correct horse battery staple"
OPENING = datetime(2026, 11, 26, 20, 12, 30, tzinfo=UTC)


class SteppingClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime = OPENING) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class Shopper:
    """One browser: its own cookie jar, the access token it got, and the CSRF cookie it reads."""

    client: FlaskClient
    username: str
    password: str = PASSWORD
    email: str = ""
    access_token: str = ""
    user_id: int = 0

    def sign_up(self) -> TestResponse:
        email = self.email or f"{self.username.lower()}@example.com"
        body = {"username": self.username, "email": email, "password": self.password}
        return self.client.post("/api/sign_in", json=body)

    def log_in(self) -> TestResponse:
        body = {"username": self.username, "password": self.password}
        response = self.client.post("/api/login_view", json=body)
        assert response.status_code == 200, response.json
        self.access_token = response.json["access_token"]
        self.user_id = response.json["user"]["id"]
        return response

    @property
    def csrf(self) -> str:
        """The ``csrftoken`` cookie, as the front end's script reads it ("" once cleared)."""
        cookie = self.client.get_cookie("csrftoken")
        return "" if cookie is None else cookie.value

    @property
    def refresh_cookie(self) -> str | None:
        cookie = self.client.get_cookie("refreshtoken", path="/api")
        return None if cookie is None else cookie.value

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Authorization and X-CSRFToken, as the front end sends them, then ``extra``."""
        headers = {"Authorization": f"Token {self.access_token}"}
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        return {**headers, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.get(path, headers=self.headers(headers), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.post(
            path, json=json, headers=self.headers(kw.pop("headers", None)), **kw
        )

    def patch(self, path: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.patch(
            path, json=json, headers=self.headers(kw.pop("headers", None)), **kw
        )

    def delete(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.delete(path, headers=self.headers(headers), **kw)

    def refresh(self, **headers: str) -> TestResponse:
        return self.client.post("/api/refresh_token", headers={"X-CSRFToken": self.csrf, **headers})


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def settings() -> Settings:
    return fast_settings()


@pytest.fixture
def store(settings: Settings, clock: SteppingClock) -> Webstore:
    return bootstrap(settings, clock=clock)


@pytest.fixture
def app(settings: Settings, store: Webstore) -> Flask:
    return create_app(settings, store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_shopper(app: Flask) -> Callable[..., Shopper]:
    """A signed-up, logged-in shopper with a browser of their own."""

    def make(username: str, *, superuser: bool = False, store: Webstore | None = None) -> Shopper:
        shopper = Shopper(app.test_client(), username)
        if superuser:
            assert store is not None
            store.create_superuser(username, f"{username}@example.com", PASSWORD)
        else:
            assert shopper.sign_up().status_code == 200
        shopper.log_in()
        return shopper

    return make


@pytest.fixture
def alice(make_shopper: Callable[..., Shopper]) -> Shopper:
    return make_shopper("alice")


@pytest.fixture
def bob(make_shopper: Callable[..., Shopper]) -> Shopper:
    return make_shopper("bob")


@pytest.fixture
def admin(make_shopper: Callable[..., Shopper], store: Webstore) -> Shopper:
    return make_shopper("margaret", superuser=True, store=store)


CATALOGUE = (
    {"name": "Red Chair", "description": "A sturdy red chair", "price": "19.99", "amount": 10},
    {"name": "Oak Table", "description": "Seats six", "price": "149.50", "amount": 2},
    {"name": "Brass Lamp", "description": "", "price": "35", "amount": 0},
)


@pytest.fixture
def catalogue(store: Webstore) -> dict[str, Product]:
    """Three products, by name: a chair (10 in stock), a table (2) and a lamp (sold out)."""
    return {product.name: product for product in store.import_products(store.operator, CATALOGUE)}


def parse_set_cookies(response: TestResponse) -> dict[str, dict[str, str | bool]]:
    """The raw ``Set-Cookie`` headers: name -> {"value", lower-cased attribute -> value/True}."""
    cookies: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = first.partition("=")
        parsed: dict[str, str | bool] = {"value": value}
        for attribute in attributes:
            key, sep, attribute_value = attribute.partition("=")
            parsed[key.lower()] = attribute_value if sep else True
        cookies[name] = parsed
    return cookies


def answer(response: TestResponse) -> tuple[int, Any]:
    """Status and parsed body, to compare with one ``==``."""
    return response.status_code, response.json
