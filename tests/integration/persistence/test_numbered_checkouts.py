"""A PostgreSQL checkout numbers its order with its products' lock and sends the order, its
lines, its mail, its stock and its COMMIT in one round trip: all of it or none of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import pq

from tests.fakes import FakeClock
from tests.integration.persistence.helpers import (
    NOW,
    POSTGRES,
    add_order,
    add_product,
    add_user,
    connection,
    money,
    query,
)
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.dto import Principal
from webstore.application.errors import StorageUnavailable
from webstore.application.mail.notices import MailPolicy
from webstore.application.ordering.orders import OrderDraft, place_draft, place_order
from webstore.application.ports import OrderQuery
from webstore.application.snapshots import OrderSnapshot

# The conftest's migrated database and units of work, on PostgreSQL only.
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("sql_url", [POSTGRES], indirect=True)]


def _checkout(
    uow: SqlAlchemyUnitOfWorkFactory, buyer: Principal, wanted: dict[int, int]
) -> OrderSnapshot:
    items = [{"product_id": pid, "amount": amount} for pid, amount in wanted.items()]
    return place_order(
        buyer,
        "1 Main Street",
        "+1 555 0100",
        items,
        uow=uow,
        clock=FakeClock(NOW),
        mail=MailPolicy(),
    )


def _stock(url: str) -> list[int]:
    return [row[0] for row in query(url, "SELECT amount FROM products ORDER BY id")]


def _counts(url: str) -> tuple[int, int, int]:
    [(placed, lines, mail)] = query(
        url,
        "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines), "
        "(SELECT count(*) FROM outbox)",
    )
    return placed, lines, mail


def test_checkouts_store_the_ids_they_answer_with_their_lines_mail_and_stock(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    buyer = Principal(add_user(sql_uow), "alice", "alice@example.com")
    products = [add_product(sql_uow, f"ITEM-{n}", stock=10) for n in range(3)]
    first = _checkout(sql_uow, buyer, {pid: n + 1 for n, pid in enumerate(products)})
    second = _checkout(sql_uow, buyer, {products[1]: 4})
    assert second.id > first.id
    stored = query(
        sql_url, "SELECT order_id, product_id, amount FROM order_lines ORDER BY order_id, position"
    )
    assert [tuple(row) for row in stored] == [
        (first.id, products[0], 1),
        (first.id, products[1], 2),
        (first.id, products[2], 3),
        (second.id, products[1], 4),
    ]
    assert _stock(sql_url) == [9, 4, 7]
    subjects = [row[0] for row in query(sql_url, "SELECT subject FROM outbox ORDER BY id")]
    assert subjects == [f"Your order #{first.id}", f"Your order #{second.id}"]


# Where a rule of the database refuses the checkout: the outbox's insert (after the order's,
# before the stock's), the stock's update (the last write before the COMMIT), the COMMIT
# itself (a deferred trigger). All of them are sent in one pipeline with the COMMIT.
_REFUSALS = {  # the table of the trigger that refuses, and the trigger
    "the mail": ("outbox", "TRIGGER refuse BEFORE INSERT ON outbox"),
    "the stock": ("products", "TRIGGER refuse BEFORE UPDATE ON products"),
    "the commit": (
        "orders",
        "CONSTRAINT TRIGGER refuse AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED",
    ),
}


@pytest.mark.parametrize("refused", list(_REFUSALS))
def test_a_write_refused_in_the_commits_pipeline_leaves_no_order_no_mail_and_the_stock(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str, refused: str
) -> None:
    table, trigger = _REFUSALS[refused]
    buyer = Principal(add_user(sql_uow), "alice", "alice@example.com")
    products = [add_product(sql_uow, f"ITEM-{n}", stock=10) for n in range(2)]
    with connection(sql_url) as db:
        db.execute(
            sa.text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
        )
        db.execute(sa.text(f"CREATE {trigger} FOR EACH ROW EXECUTE FUNCTION refuse()"))
        db.commit()
    with pytest.raises(sa.exc.DBAPIError, match="refused"):
        _checkout(sql_uow, buyer, {products[0]: 1, products[1]: 2})
    assert _counts(sql_url) == (0, 0, 0)
    assert _stock(sql_url) == [10, 10]
    # The unit of work rolled its transaction back (a failed one, or none left after a
    # refused COMMIT): the connection went back to the pool with no transaction open.
    assert sql_uow.engine.pool.checkedout() == 0
    pooled = sql_uow.engine.raw_connection()
    try:
        assert pooled.driver_connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
    finally:
        pooled.close()
    with connection(sql_url) as db:
        db.execute(sa.text(f"DROP TRIGGER refuse ON {table}"))
        db.commit()
    placed = _checkout(sql_uow, buyer, {products[0]: 1, products[1]: 2})  # the connection is fine
    assert _counts(sql_url) == (1, 2, 1)
    assert _stock(sql_url) == [9, 8]
    assert placed.id is not None


def test_an_order_placed_in_a_unit_of_work_is_read_back_in_it(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    buyer = Principal(add_user(sql_uow), "alice", "alice@example.com", session_id=None)
    chair = add_product(sql_uow, stock=5)
    draft = OrderDraft.of("1 Main Street", "+1 555 0100", [{"product_id": chair, "amount": 2}])
    with sql_uow() as work:
        order = place_draft(work, buyer, draft, FakeClock(NOW), MailPolicy())
        assert order.id is not None
        assert [o.id for o in work.orders.list(OrderQuery(user_id=buyer.user_id))] == [order.id]
        again = work.orders.get(order.id)
        assert again is not None and [line.quantity for line in again.lines] == [2]
        work.commit()
    assert _counts(sql_url) == (1, 1, 1)
    assert _stock(sql_url) == [3]


def test_only_a_lock_for_an_order_draws_an_order_id(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    user = add_user(sql_uow)
    chair = add_product(sql_uow, stock=5)
    first = add_order(sql_uow, user, chair)
    for _ in range(3):  # changes to a product lock it without placing an order
        with sql_uow() as work:
            [product] = work.products.get_for_update([chair])
            product.revise(price=money("21.00"))
            work.commit()
    with sql_uow() as work:  # an order id drawn and not used is not used by the next order
        work.products.get_for_update([chair], for_order=True)
    placed = _checkout(sql_uow, Principal(user, "alice", "alice@example.com"), {chair: 1})
    assert placed.id == first + 2
    assert _stock(sql_url) == [4]


def test_a_commits_pipeline_that_cannot_end_loses_its_connection_not_the_pool(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # As when its backend is terminated and its error is read before the connection's end:
    # everything was sent, no answer after the error comes, the pipeline cannot be left.
    buyer = Principal(add_user(sql_uow), "alice", "alice@example.com")
    product = add_product(sql_uow, "ITEM-0", stock=10)

    def cut(pipeline: Any) -> Iterator[Any]:
        pipeline._enqueue_sync()
        pipeline.pgconn.flush()
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")
        yield  # a generator, as psycopg waits on it

    with monkeypatch.context() as patched:
        patched.setattr(psycopg.Pipeline, "_exit_gen", cut)
        with pytest.raises(StorageUnavailable) as raised:  # a 503: it may have been stored
            _checkout(sql_uow, buyer, {product: 1})
    lost = raised.value.__cause__
    assert isinstance(lost, sa.exc.OperationalError)
    assert lost.connection_invalidated  # never handed out again, nor reset in pipeline mode
    assert sql_uow.engine.pool.checkedout() == 0
    assert "Exception during reset" not in caplog.text
    assert _checkout(sql_uow, buyer, {product: 1}).id is not None  # the pool's next one works
