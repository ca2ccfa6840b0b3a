"""The concurrency mode the entrypoint names reaches the adapters; nothing guesses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fast_settings
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.concurrency import Concurrency
from webstore.entrypoints.web.app import create_app


def connections_held_after_a_read(factory: SqlAlchemyUnitOfWorkFactory) -> int:
    """Pooled connections still out once two read-only units of work have ended."""
    for _ in range(2):
        with factory(read_only=True) as work:
            work.ping()
    held: int = factory.engine.pool.checkedout()  # type: ignore[attr-defined]
    return held


@pytest.mark.parametrize(
    ("concurrency", "held"),
    [(Concurrency.COOPERATIVE, 1), (Concurrency.THREADS, 0)],
)
def test_a_cooperative_factory_keeps_its_sqlite_reader_and_a_threaded_one_does_not(
    tmp_path: Path, concurrency: Concurrency, held: int
) -> None:
    factory = SqlAlchemyUnitOfWorkFactory.from_url(
        f"sqlite:///{tmp_path / 'shop.db'}", concurrency=concurrency
    )
    try:
        assert connections_held_after_a_read(factory) == held
    finally:
        factory.dispose()


def test_threads_are_the_default_for_python_callers(tmp_path: Path) -> None:
    factory = SqlAlchemyUnitOfWorkFactory.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    try:
        assert connections_held_after_a_read(factory) == 0
    finally:
        factory.dispose()


@pytest.mark.parametrize(
    ("concurrency", "held"),
    [(Concurrency.COOPERATIVE, 1), ("cooperative", 1), (Concurrency.THREADS, 0), (None, 0)],
)
def test_create_app_passes_the_mode_through_bootstrap_to_the_units_of_work(
    tmp_path: Path, concurrency: Concurrency | str | None, held: int
) -> None:
    settings = fast_settings(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(settings.database_url)
    app = (
        create_app(settings)
        if concurrency is None
        else create_app(settings, concurrency=concurrency)
    )
    factory = app.extensions["webstore"].uow
    assert isinstance(factory, SqlAlchemyUnitOfWorkFactory)
    try:
        assert connections_held_after_a_read(factory) == held
    finally:
        factory.dispose()
