"""A store in memory with a clock that stands still, and the people and things in it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher, FakeRandom
from webstore import LoginResult, Principal, ProductSnapshot, Webstore, bootstrap
from webstore.domain.users import User

ALICE_PASSWORD = "down the rabbit hole"
BOB_PASSWORD = "can we fix it? yes!"
ROOT_PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


@pytest.fixture
def store(clock: FakeClock, hasher: FakePasswordHasher) -> Webstore:
    return bootstrap(fast_settings(), clock=clock, hasher=hasher, random=FakeRandom())


@pytest.fixture
def admin(store: Webstore) -> Principal:
    store.create_superuser("root", "root@example.com", ROOT_PASSWORD)
    return store.authenticate(store.log_in("root", ROOT_PASSWORD).access_token)


@pytest.fixture
def alice_login(store: Webstore) -> LoginResult:
    store.register_user("Alice", "alice@example.com", ALICE_PASSWORD)
    return store.log_in("alice", ALICE_PASSWORD)


@pytest.fixture
def alice(store: Webstore, alice_login: LoginResult) -> Principal:
    return store.authenticate(alice_login.access_token)


@pytest.fixture
def bob(store: Webstore) -> Principal:
    store.register_user("bob", "bob@example.com", BOB_PASSWORD)
    return store.authenticate(store.log_in("bob", BOB_PASSWORD).access_token)


def new_product(store: Webstore, admin: Principal, **fields: Any) -> ProductSnapshot:
    data = {"name": "Red chair", "description": "Oak, painted red", "price": "19.99"}
    return store.add_product(admin, {"amount": 5, **data, **fields})


@pytest.fixture
def red_chair(store: Webstore, admin: Principal) -> ProductSnapshot:
    return new_product(store, admin)


@pytest.fixture
def blue_lamp(store: Webstore, admin: Principal) -> ProductSnapshot:
    return new_product(store, admin, name="Blue lamp", price="7.50", amount=2)


def stored_user(store: Webstore, username: str) -> User:
    with store.uow(read_only=True) as work:
        user = work.users.get_by_username(username)
    assert user is not None
    return user


def stock_of(store: Webstore, product_id: int) -> int:
    with store.uow(read_only=True) as work:
        product = work.products.get(product_id)
    assert product is not None
    return product.stock
