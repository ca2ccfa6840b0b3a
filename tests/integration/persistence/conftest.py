"""Fixtures of the persistence tests: one contract over every storage, and migrated databases."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.pool import Pool

import pytest

from tests.integration.persistence.helpers import POSTGRES, Backend
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory


@pytest.fixture(params=["sqlite", POSTGRES])
def sql_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database, migrated to head."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    return url


@pytest.fixture
def sql_uow(sql_url: str) -> Iterator[SqlAlchemyUnitOfWorkFactory]:
    factory = SqlAlchemyUnitOfWorkFactory.from_url(sql_url)
    yield factory
    factory.dispose()


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "memory":
        yield Backend("memory", InMemoryUnitOfWorkFactory())
        return
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(url)
    yield Backend(request.param, factory)
    factory.dispose()


@pytest.fixture(scope="session")
def workers_pool() -> Iterator[Pool]:
    """Ten spawned processes, started once: each one pays for its imports only once."""
    with multiprocessing.get_context("spawn").Pool(10) as pool:
        yield pool
