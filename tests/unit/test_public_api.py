from __future__ import annotations

import pytest

import webstore
import webstore.errors
from tests.conftest import fast_settings
from tests.fakes import FakePasswordHasher
from webstore import Webstore, bootstrap


class UnreachableStorage:
    """A unit-of-work factory for a database that is down."""

    def __call__(self, *, read_only: bool = False) -> object:
        raise ConnectionError("could not connect to server: Connection refused")


def test_a_store_whose_storage_answers_is_healthy(store: Webstore) -> None:
    assert store.is_healthy()


def test_a_store_whose_storage_is_down_is_unhealthy_rather_than_failing() -> None:
    down = bootstrap(fast_settings(), uow=UnreachableStorage(), hasher=FakePasswordHasher())  # type: ignore[arg-type]
    assert not down.is_healthy()


@pytest.mark.parametrize("name", webstore.errors.__all__)
def test_every_error_of_the_store_is_a_webstore_error(name: str) -> None:
    error = getattr(webstore.errors, name)
    assert issubclass(error, webstore.WebstoreError)


def test_the_package_exports_the_composition_root_and_its_results() -> None:
    assert {"bootstrap", "Settings", "Webstore", "WebstoreError"} <= set(webstore.__all__)
    for name in webstore.__all__:
        assert getattr(webstore, name) is not None
