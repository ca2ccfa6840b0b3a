"""Orders with their lines, over one session; placing one goes straight to the driver."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import make_transient_to_detached

from webstore.adapters.sql import listings
from webstore.adapters.sql.orm import restore_lines
from webstore.adapters.sql.runtime.direct import DirectWrite, in_session, new_values
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import order_lines, orders
from webstore.application.ports import OrderQuery
from webstore.domain.orders import Order

_INSERT_ORDER = DirectWrite(
    insert(orders)
    .values(new_values("user_id", "address", "phone", "status", "created_at"))
    .returning(orders.c.id)
)
_INSERT_LINE = DirectWrite(
    insert(order_lines).values(
        new_values("order_id", "position", "product_id", "product_name", "amount", "price")
    )
)


class SqlAlchemyOrderRepository:
    """Orders with their lines, which are stored and loaded with them."""

    def __init__(self, session: SqlSession, direct: ReadTransaction | None = None) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)

    def add(self, order: Order) -> None:
        # Two statements, straight to the driver: the order (its id comes back) and its lines
        # in one executemany. The ORM's flush would spend several times as long deciding the
        # same inserts, on the path of every checkout. The order then joins the session as if
        # it had been loaded, so that later changes to it in this unit of work are saved.
        writing = in_session(self._session, None)
        inserted = _INSERT_ORDER.one(
            writing,
            new_user_id=order.user_id,
            new_address=order.address,
            new_phone=order.phone,
            new_status=order.status,
            new_created_at=order.created_at,
        )
        assert inserted is not None
        order.id = inserted[0]
        _INSERT_LINE.many(
            writing,
            [
                {"new_order_id": order.id, "new_position": position,
                 "new_product_id": line.product_id, "new_product_name": line.product_name,
                 "new_amount": line.quantity, "new_price": line.price}
                for position, line in enumerate(order.lines)
            ],
        )  # fmt: skip
        make_transient_to_detached(order)
        self._session.add(order)

    def get(self, order_id: int) -> Order | None:
        return self._one(order_id, lock=False)

    def get_for_update(self, order_id: int) -> Order | None:
        return self._one(order_id, lock=True)

    def list(self, query: OrderQuery, limit: int | None = None, offset: int = 0) -> list[Order]:
        return listings.orders_with_lines(self._session, query, limit, offset, self._direct)

    def listing_version(self, query: OrderQuery, *, alone: bool = False) -> int | None:
        # Every customer's orders have no version: a row that followed them would be written
        # by every checkout (see migration 0030). Such listings are read from the rows.
        if query.user_id is None:
            return None
        return listings.order_listing_version(
            self._session, query.user_id, self._direct, alone=alone
        )

    def count(self, query: OrderQuery) -> int:
        statement = select(func.count()).select_from(orders).where(*_matching(query))
        return self._session.execute(statement).scalar_one()

    def _one(self, order_id: int, *, lock: bool) -> Order | None:
        statement = select(Order).where(orders.c.id == order_id)
        if lock:
            # populate_existing: an order this unit of work already holds is re-read once locked.
            statement = statement.with_for_update(key_share=True).execution_options(
                populate_existing=True
            )
        order = self._session.scalars(statement).first()
        return None if order is None else restore_lines(order)


def _matching(query: OrderQuery) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if query.user_id is not None:
        criteria.append(orders.c.user_id == query.user_id)
    if query.status is not None:
        criteria.append(orders.c.status == query.status)
    return criteria
