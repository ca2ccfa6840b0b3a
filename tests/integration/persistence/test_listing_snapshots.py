"""A listing is one consistent snapshot, however many orders are placed while it is read."""

from __future__ import annotations

from multiprocessing.pool import Pool

import pytest

from tests.integration.persistence import workers
from tests.integration.persistence.helpers import add_product, add_user
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory

SECONDS = 4.0
TIMEOUT = 60


@pytest.mark.slow
@pytest.mark.alone
def test_pages_of_orders_read_while_orders_are_placed_always_have_their_lines(
    sql_url: str, sql_uow: SqlAlchemyUnitOfWorkFactory, workers_pool: Pool
) -> None:
    buyer, chair = add_user(sql_uow, "buyer"), add_product(sql_uow, stock=2_000_000)
    placing = [
        workers_pool.apply_async(workers.place_orders_for, (sql_url, buyer, chair, SECONDS))
        for _ in range(4)
    ]
    listing = [
        workers_pool.apply_async(workers.list_pages_for, (sql_url, SECONDS)) for _ in range(4)
    ]

    placed = sum(result.get(TIMEOUT) for result in placing)
    seen, empty = map(sum, zip(*(result.get(TIMEOUT) for result in listing), strict=True))

    assert placed > 50 and seen > 100, (placed, seen)  # the load really overlapped
    assert empty == 0, f"{empty} of {seen} listed orders had no lines"
