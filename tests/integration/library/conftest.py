"""One store per backend a Python user may pick: memory and an SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import fast_settings
from webstore import Principal, ProductSnapshot, Webstore, bootstrap

ROOT_PASSWORD = "correct horse battery"
ALICE_PASSWORD = "alice's long secret"


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> Iterator[Webstore]:
    url = "memory://" if request.param == "memory" else request.getfixturevalue("sqlite_url")
    opened = bootstrap(fast_settings(url), migrate=request.param == "sqlite")
    yield opened
    if hasattr(opened.uow, "dispose"):
        opened.uow.dispose()


@pytest.fixture
def admin(store: Webstore) -> Principal:
    return store.create_superuser("root", "root@example.com", ROOT_PASSWORD)


@pytest.fixture
def alice(store: Webstore) -> Principal:
    return store.register_user("alice", "alice@example.com", ALICE_PASSWORD)


@pytest.fixture
def chair(store: Webstore, admin: Principal) -> ProductSnapshot:
    return store.add_product(admin, {"name": "Red chair", "price": "19.99", "amount": 5})
