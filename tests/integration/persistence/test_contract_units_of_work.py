"""The unit-of-work contract: commit keeps, everything else forgets. On every storage."""

from __future__ import annotations

import pytest

from tests.integration.persistence.helpers import Backend, add_product, money
from webstore.application.ports import ProductQuery
from webstore.domain.products import Product

ACTIVE = ProductQuery()


class Boom(Exception):
    pass


def _names(backend: Backend) -> list[str]:
    with backend.uow(read_only=True) as work:
        return [p.name for p in work.products.list(ACTIVE)]


def test_nothing_is_kept_without_commit(backend: Backend) -> None:
    with backend.uow() as work:
        work.products.add(Product("RED-CHAIR", money("19.99"), 1))
    assert _names(backend) == []


def test_an_exception_rolls_back_and_propagates(backend: Backend) -> None:
    chair = add_product(backend.uow, stock=5)
    with pytest.raises(Boom), backend.uow() as work:
        [product] = work.products.get_for_update([chair])
        product.reserve(5)
        work.products.add(Product("BLUE-SOFA", money("1299.00"), 1))
        raise Boom()
    with backend.uow(read_only=True) as work:
        stored = work.products.get(chair)
    assert stored is not None and stored.stock == 5
    assert _names(backend) == ["RED-CHAIR"]


def test_only_the_work_before_commit_is_kept(backend: Backend) -> None:
    with backend.uow() as work:
        work.products.add(Product("RED-CHAIR", money("19.99"), 1))
        work.commit()
        work.products.add(Product("BLUE-SOFA", money("1299.00"), 1))
    assert _names(backend) == ["RED-CHAIR"]


def test_changes_after_a_commit_belong_to_the_next_commit(backend: Backend) -> None:
    chair = add_product(backend.uow, stock=10)
    with backend.uow() as work:
        product = work.products.get(chair)
        assert product is not None
        product.reserve(1)
        work.commit()
        product.reserve(2)
        work.commit()
        product.reserve(3)  # never committed
    with backend.uow(read_only=True) as work:
        stored = work.products.get(chair)
    assert stored is not None and stored.stock == 7


def test_an_explicit_rollback_forgets_the_work_so_far(backend: Backend) -> None:
    with backend.uow() as work:
        work.products.add(Product("RED-CHAIR", money("19.99"), 1))
        work.rollback()
        work.products.add(Product("BLUE-SOFA", money("1299.00"), 1))
        work.commit()
    assert _names(backend) == ["BLUE-SOFA"]


def test_a_committed_unit_of_work_reads_its_own_writes(backend: Backend) -> None:
    with backend.uow() as work:
        work.products.add(Product("RED-CHAIR", money("19.99"), 1))
        work.commit()
        assert [p.name for p in work.products.list(ACTIVE)] == ["RED-CHAIR"]
        assert work.products.count(ACTIVE) == 1


def test_ping_answers_in_both_kinds_of_unit_of_work(backend: Backend) -> None:
    for read_only in (False, True):
        with backend.uow(read_only=read_only) as work:
            assert work.ping() is None


def test_readers_run_beside_each_other_and_beside_a_writer(backend: Backend) -> None:
    chair = add_product(backend.uow, stock=5)
    with backend.uow() as writer:
        [product] = writer.products.get_for_update([chair])  # SQLite: holds the write lock
        product.reserve(1)
        writer.products.add(Product("BLUE-SOFA", money("1299.00"), 1))
        with backend.uow(read_only=True) as first, backend.uow(read_only=True) as second:
            # Readers see the last committed state, not the writer's work in progress.
            assert first.products.count(ACTIVE) == second.products.count(ACTIVE) == 1
            seen = first.products.get(chair)
            assert seen is not None and seen.stock == 5
        writer.commit()
    assert _names(backend) == ["RED-CHAIR", "BLUE-SOFA"]
