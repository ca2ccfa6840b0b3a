"""Within ``shared_reads``, readers share one transaction until a writer or a failure ends it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.integration.persistence.helpers import NOW, add_product, add_session, add_user
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.ports import ProductQuery


@pytest.fixture
def checkouts(sql_uow: SqlAlchemyUnitOfWorkFactory) -> Iterator[list[object]]:
    """Every connection taken from the pool."""
    seen: list[object] = []

    def record(*args: object) -> None:
        seen.append(args[0])

    sa.event.listen(sql_uow.engine.pool, "checkout", record)
    yield seen
    sa.event.remove(sql_uow.engine.pool, "checkout", record)


def set_stock(uow: SqlAlchemyUnitOfWorkFactory, product_id: int, stock: int) -> None:
    with uow() as work:
        [product] = work.products.get_for_update([product_id])
        product.stock = stock
        work.commit()


def test_readers_in_a_block_take_one_connection_and_see_one_snapshot(
    sql_uow: SqlAlchemyUnitOfWorkFactory, checkouts: list[object]
) -> None:
    user = add_user(sql_uow)
    add_session(sql_uow, user)
    product = add_product(sql_uow, stock=10)
    other = SqlAlchemyUnitOfWorkFactory(sql_uow.engine)  # another process, as far as it knows
    checkouts.clear()
    with sql_uow.shared_reads():
        with sql_uow(read_only=True) as work:
            assert work.sessions.principal("s-alice", user, NOW) is not None
            version = work.products.catalogue_version()
        set_stock(other, product, 3)  # committed elsewhere between the two readers
        with sql_uow(read_only=True) as work:
            assert work.products.catalogue_version() == version
            [seen] = work.products.list(ProductQuery())
            assert seen.stock == 10
        taken_inside = len(checkouts) - 1  # the other factory's writer took one
    assert taken_inside == 1
    assert sql_uow.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with sql_uow(read_only=True) as work:
        assert [p.stock for p in work.products.list(ProductQuery())] == [3]


def test_a_writer_in_the_block_ends_the_shared_snapshot(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    product = add_product(sql_uow, stock=10)
    with sql_uow.shared_reads():
        with sql_uow(read_only=True) as work:
            assert work.products.listing_state(ProductQuery()).stock == (str(product), "10")
        set_stock(sql_uow, product, 4)
        with sql_uow(read_only=True) as work:  # reads what the writer wrote
            assert work.products.listing_state(ProductQuery()).stock == (str(product), "4")
            assert [p.stock for p in work.products.list(ProductQuery())] == [4]
    assert sql_uow.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_reader_that_fails_leaves_the_next_one_a_fresh_transaction(
    sql_uow: SqlAlchemyUnitOfWorkFactory, checkouts: list[object]
) -> None:
    add_product(sql_uow, stock=10)
    checkouts.clear()
    with sql_uow.shared_reads():
        with pytest.raises(sa.exc.DBAPIError), sql_uow(read_only=True) as work:
            work.session.execute(sa.text("SELECT * FROM no_such_table"))
        with sql_uow(read_only=True) as work:  # on PostgreSQL the failed one is aborted
            assert [p.stock for p in work.products.list(ProductQuery())] == [10]
    assert len(checkouts) == 2
    assert sql_uow.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_blocks_nest_into_one_and_other_threads_read_on_their_own(
    sql_uow: SqlAlchemyUnitOfWorkFactory, checkouts: list[object]
) -> None:
    add_product(sql_uow)

    def read_elsewhere() -> None:
        with sql_uow(read_only=True) as work:
            work.products.catalogue_version()

    checkouts.clear()
    with sql_uow.shared_reads(), sql_uow.shared_reads():
        with sql_uow(read_only=True) as work:
            work.products.catalogue_version()
        thread = threading.Thread(target=read_elsewhere)
        thread.start()
        thread.join(5)
        with sql_uow(read_only=True) as work:
            work.products.catalogue_version()
    assert len(checkouts) == 2  # the block's one, and the other thread's own
    assert sql_uow.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
