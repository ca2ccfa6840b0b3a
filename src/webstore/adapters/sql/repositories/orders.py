"""Orders with their lines, over one session; placing one goes straight to the driver."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, bindparam, func, insert, select, text
from sqlalchemy.orm import make_transient_to_detached

from webstore.adapters.sql import listings, order_pages
from webstore.adapters.sql.orm import restore_lines
from webstore.adapters.sql.runtime.direct import DirectWrite, DriverAccess, in_session, new_values
from webstore.adapters.sql.runtime.last_writes import LastWrites
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import order_lines, orders
from webstore.application.ports import OrderListing, OrderQuery
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


# On PostgreSQL the order and its lines in one statement (a data-modifying WITH): one round
# trip less while the products are locked. The lines come as one array per column, so that the
# statement is the same whatever their number.
_INSERT_ORDER_AND_LINES = DirectWrite(
    text(
        "WITH placed AS ("
        "INSERT INTO orders (user_id, address, phone, status, created_at) "
        "VALUES (:new_user_id, :new_address, :new_phone, :new_status, :new_created_at) "
        "RETURNING id), "
        "lines AS ("
        "INSERT INTO order_lines (order_id, position, product_id, product_name, amount, price) "
        "SELECT placed.id, line.position - 1, line.product_id, line.product_name, line.amount, "
        "line.price FROM placed, unnest("
        "CAST(:product_ids AS BIGINT[]), CAST(:product_names AS VARCHAR[]), "
        "CAST(:amounts AS INTEGER[]), CAST(:prices AS NUMERIC[])"
        ") WITH ORDINALITY AS line (product_id, product_name, amount, price, position)) "
        "SELECT id FROM placed"
    )
    .bindparams(
        *(bindparam(f"new_{c.name}", type_=c.type) for c in orders.columns if c.name != "id")
    )
    .columns(orders.c.id)
)


# The same, for an order whose id was drawn beforehand (``OrderNumbers``): no answer is needed,
# so it goes with the unit of work's last writes, in their round trip.
_INSERT_NUMBERED_ORDER_AND_LINES = DirectWrite(
    text(
        "WITH placed AS ("
        "INSERT INTO orders (id, user_id, address, phone, status, created_at) "
        "VALUES (:new_id, :new_user_id, :new_address, :new_phone, :new_status, :new_created_at) "
        "RETURNING id) "
        "INSERT INTO order_lines (order_id, position, product_id, product_name, amount, price) "
        "SELECT placed.id, line.position - 1, line.product_id, line.product_name, line.amount, "
        "line.price FROM placed, unnest("
        "CAST(:product_ids AS BIGINT[]), CAST(:product_names AS VARCHAR[]), "
        "CAST(:amounts AS INTEGER[]), CAST(:prices AS NUMERIC[])"
        ") WITH ORDINALITY AS line (product_id, product_name, amount, price, position)"
    ).bindparams(*(bindparam(f"new_{c.name}", type_=c.type) for c in orders.columns))
)


@dataclass
class OrderNumbers:
    """The id of the order a unit of work is about to place, drawn from the orders' sequence
    with the lock of its products (PostgreSQL): the statement that must be answered anyway
    numbers the order, so that the order needs no answer of its own (``last_writes.py``)."""

    drawn: int | None = None

    def take(self) -> int | None:
        drawn, self.drawn = self.drawn, None
        return drawn


class SqlAlchemyOrderRepository:
    """Orders with their lines, which are stored and loaded with them."""

    def __init__(
        self,
        session: SqlSession,
        direct: ReadTransaction | None = None,
        numbers: OrderNumbers | None = None,
        last: LastWrites | None = None,
    ) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)
        # A PostgreSQL writer's: an order numbered beforehand is inserted with its last writes.
        self._numbers = numbers
        self._last = last

    def add(self, order: Order) -> None:
        # Straight to the driver: on PostgreSQL one statement, elsewhere the order (its id
        # comes back) and its lines in one executemany. The ORM's flush would spend several
        # times as long deciding the same inserts, on the path of every checkout. An order
        # numbered with its products' lock is only queued: it is sent with the unit of work's
        # last writes, or before anything reads orders. The order then joins the session as
        # if it had been loaded (a change to it is saved as the unit of work commits; before
        # the insert is sent, that would find no row and refuse as a concurrent update).
        writing = in_session(self._session, None)
        placed = {
            "new_user_id": order.user_id,
            "new_address": order.address,
            "new_phone": order.phone,
            "new_status": order.status,
            "new_created_at": order.created_at,
        }
        if writing.dialect.name == "postgresql":
            lines = {
                "product_ids": [line.product_id for line in order.lines],
                "product_names": [line.product_name for line in order.lines],
                "amounts": [line.quantity for line in order.lines],
                "prices": [line.price.amount for line in order.lines],
            }
            drawn = self._numbers.take() if self._numbers is not None else None
            if drawn is not None and self._last is not None:
                order.id = drawn
                self._last.add(
                    _INSERT_NUMBERED_ORDER_AND_LINES, [{"new_id": drawn, **placed, **lines}]
                )
            else:
                inserted = _INSERT_ORDER_AND_LINES.one(writing, **placed, **lines)
                assert inserted is not None
                order.id = inserted[0]
        else:
            self._add_in_two(writing, order, placed)
        make_transient_to_detached(order)
        self._session.add(order)

    @staticmethod
    def _add_in_two(writing: DriverAccess, order: Order, placed: dict[str, object]) -> None:
        inserted = _INSERT_ORDER.one(writing, **placed)
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

    def get(self, order_id: int) -> Order | None:
        return self._one(order_id, lock=False)

    def get_for_update(self, order_id: int) -> Order | None:
        return self._one(order_id, lock=True)

    def list(self, query: OrderQuery, limit: int | None = None, offset: int = 0) -> list[Order]:
        self._write_queued()
        return listings.orders_with_lines(self._session, query, limit, offset, self._direct)

    def listing_version(self, query: OrderQuery, *, alone: bool = False) -> int | None:
        # Every customer's orders have no version: a row that followed them would be written
        # by every checkout (see migration 0030). Such listings are read from the rows.
        if query.user_id is None:
            return None
        self._write_queued()
        return listings.order_listing_version(
            self._session, query.user_id, self._direct, alone=alone
        )

    def count(self, query: OrderQuery) -> int:
        self._write_queued()
        statement = select(func.count()).select_from(orders).where(*_matching(query))
        return self._session.execute(statement).scalar_one()

    def listing(
        self, query: OrderQuery, limit: int | None = None, offset: int = 0, *, versioned: bool
    ) -> OrderListing:
        reading = self._direct
        if (
            reading is not None
            and reading.dialect.name == "postgresql"
            and query.user_id is not None
            and query.status is None
        ):  # a user's orders, in one statement (``order_pages.py``)
            self._write_queued()
            listed = order_pages.own_orders(reading, query.user_id, limit, offset)
            return listed if versioned else replace(listed, version=None)
        # The version first begins the snapshot that the rows are read in.
        version = self.listing_version(query) if versioned else None
        items = self.list(query, limit, offset)
        total = len(items) if limit is None and offset == 0 else self.count(query)
        return OrderListing(version, items, total)

    def _write_queued(self) -> None:
        """An order this unit of work queued is in the tables before orders are read."""
        if self._last:
            self._last.send(in_session(self._session, None))

    def _one(self, order_id: int, *, lock: bool) -> Order | None:
        self._write_queued()
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
