"""Products, over one session; the locking reads of checkouts go straight to the driver."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from sqlalchemy import ColumnElement, bindparam, func, insert, select, text, update
from sqlalchemy.orm.util import identity_key

from webstore.adapters.sql import listings, search
from webstore.adapters.sql.repositories.orders import OrderNumbers
from webstore.adapters.sql.runtime.direct import DirectRead, DirectWrite, in_session, new_values
from webstore.adapters.sql.runtime.last_writes import LastWrites
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import products
from webstore.adapters.sql.tables import products as products_table
from webstore.application.ports import ListingState, ProductQuery
from webstore.domain.products import Product

KEYS_PER_QUERY = 500  # name keys looked up per statement, well under every bound-parameter limit
_UPDATE_PRODUCT = DirectWrite(
    update(products)
    .where(products.c.id == bindparam("product_id"))
    .values(new_values("name", "name_key", "description", "price", "amount", "is_active"))
)

# Elsewhere the stock alone, one row per line (executemany): a checkout's UPDATE that named
# every column converted and bound six values a line, and made SQLite write them all.
_UPDATE_AMOUNT = DirectWrite(
    update(products).where(products.c.id == bindparam("product_id")).values(new_values("amount"))
)


# On PostgreSQL the stock of every line of an order in one statement, whatever their number.
_UPDATE_STOCK = DirectWrite(
    text(
        "UPDATE products SET amount = line.amount FROM unnest("
        "CAST(:product_ids AS BIGINT[]), CAST(:amounts AS BIGINT[])"
        ") AS line (id, amount) WHERE products.id = line.id"
    )
)


class SqlAlchemyProductRepository:
    """Products; ``get_for_update`` locks rows until the unit of work ends."""

    def __init__(
        self,
        session: SqlSession,
        direct: ReadTransaction | None = None,
        numbers: OrderNumbers | None = None,
    ) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)
        self._numbers = numbers  # a PostgreSQL writer's: where an order's id drawn ahead goes
        self._locked: dict[int, Product] = {}  # by get_for_update, outside the session
        self._saved: dict[int, tuple[object, ...]] = {}  # what their rows hold

    def add(self, product: Product) -> None:
        self._session.add(product)
        self._session.flush()

    def add_all(self, products: Sequence[Product]) -> None:
        # Core, not the ORM's flush: multi-row INSERT ... RETURNING batches, several times
        # faster for a large import. The objects stay outside the session, as listings' do.
        if not products:
            return
        c = products_table.c
        rows = [
            {"name": p.name, "name_key": p.name_key, "description": p.description,
             "price": p.price, "amount": p.stock, "is_active": p.is_active}
            for p in products
        ]  # fmt: skip
        statement = insert(products_table).returning(c.id, sort_by_parameter_order=True)
        for product, product_id in zip(
            products, self._session.scalars(statement, rows), strict=True
        ):
            product.id = product_id

    def get(self, product_id: int) -> Product | None:
        return self._session.get(Product, product_id)

    def get_for_update(
        self, product_ids: Collection[int], *, for_order: bool = False
    ) -> list[Product]:
        # Locking in id order means two orders for {A, B} and {B, A} queue instead of
        # deadlocking. FOR NO KEY UPDATE is the lock the UPDATE takes anyway, and it lets other
        # transactions insert order lines that reference these rows. SQLite ignores the clause:
        # its IMMEDIATE transactions already run one writer at a time.
        wanted = sorted(set(product_ids))
        if not wanted:
            return []
        self.write_changes()  # what this unit of work changed is what the rows now hold
        if self._session_holds(wanted):
            statement = (
                select(Product)
                .where(products.c.id.in_(wanted))
                .order_by(products.c.id)
                .with_for_update(key_share=True)
                .execution_options(populate_existing=True)
            )
            return list(self._session.scalars(statement))
        # Every checkout locks its products: straight to the driver, and the products stay out
        # of the session (``write_changes`` saves what changes in them). On PostgreSQL the
        # statement also draws the id of the order being placed (``OrderNumbers``).
        writing = in_session(self._session, None)
        numbering = for_order and self._numbers is not None  # a PostgreSQL writer's
        rows = _locking_read(len(wanted), numbering).rows(
            writing, **{f"id_{n}": pid for n, pid in enumerate(wanted)}
        )
        if numbering and rows:
            assert self._numbers is not None
            self._numbers.drawn = rows[0][-1]
        locked = []
        for pid, name_key, name, description, price, stock, is_active, *_ in rows:
            product = self._locked.get(pid)
            if product is None:
                product = self._locked[pid] = Product(name, price, stock, description, id=pid)
            product.name, product.description, product.price = name, description, price
            product.stock, product.is_active, product.name_key = stock, is_active, name_key
            self._saved[pid] = _stored(product)
            locked.append(product)
        return locked

    def ids_by_name_key(self, name_keys: Collection[str]) -> dict[str, list[int]]:
        keys = sorted(set(name_keys))
        found: dict[str, list[int]] = {}
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            statement = (
                select(products.c.name_key, products.c.id)
                .where(products.c.name_key.in_(chunk))
                .order_by(products.c.id)
            )
            for name_key, product_id in self._session.execute(statement):
                found.setdefault(name_key, []).append(product_id)
        return found

    def write_changes(self) -> None:
        """Save what changed in the products ``get_for_update`` handed out."""
        changes = LastWrites()
        self.queue_changes(changes)
        if changes:
            changes.send(in_session(self._session, None))

    def queue_changes(self, last: LastWrites) -> None:
        """Queue what changed in the products ``get_for_update`` handed out (the unit of work
        sends it as it commits)."""
        changed = [p for pid, p in self._locked.items() if _stored(p) != self._saved[pid]]
        # An order changes only its products' stock: that column alone is written. On
        # PostgreSQL (whose writers number their orders) one UPDATE for all of its lines.
        # Asked of the session, the dialect would cost an SQLite writer an ORM session and
        # its savepoint.
        stock = [
            p for p in changed if _but_stock(_stored(p)) == _but_stock(self._saved[p.product_id])
        ]
        if stock:
            changed = [p for p in changed if p not in stock]
            if self._numbers is not None:
                arrays = {"product_ids": [p.id for p in stock], "amounts": [p.stock for p in stock]}
                last.add(_UPDATE_STOCK, [arrays], _saved_now(self._saved, stock))
            else:
                amounts: list[Mapping[str, object]] = [
                    {"product_id": p.id, "new_amount": p.stock} for p in stock
                ]
                last.add(_UPDATE_AMOUNT, amounts, _saved_now(self._saved, stock))
        rows: list[Mapping[str, object]] = [
            {"product_id": p.id, "new_name": p.name, "new_name_key": p.name_key,
             "new_description": p.description, "new_price": p.price,
             "new_amount": p.stock, "new_is_active": p.is_active}
            for p in changed
        ]  # fmt: skip
        last.add(_UPDATE_PRODUCT, rows, _saved_now(self._saved, changed))

    def _session_holds(self, product_ids: list[int]) -> bool:
        """Whether the session already has one of these products (added, or loaded by a
        query): then the session's own locking read refreshes that very object."""
        if not self._session.identity_map:
            return False
        return any(
            self._session.identity_map.get(identity_key(Product, pid)) is not None
            for pid in product_ids
        )

    def list(self, query: ProductQuery, limit: int | None = None, offset: int = 0) -> list[Product]:
        return listings.products_by_id(self._session, _products_matching(query), limit, offset)

    def catalogue_version(self) -> int | None:
        return listings.catalogue_version(self._session, self._direct)

    def listing_state(
        self, query: ProductQuery, limit: int | None = None, offset: int = 0
    ) -> ListingState:
        return listings.catalogue_page_state(
            self._session, query.include_inactive, query.name_key_contains, limit, offset,
            self._direct,
        )  # fmt: skip

    def count(self, query: ProductQuery) -> int:
        criteria = _products_matching(query)
        statement = select(func.count()).select_from(products).where(*criteria)
        return self._session.execute(statement).scalar_one()


def _products_matching(query: ProductQuery) -> list[ColumnElement[bool]]:
    # A substring can use no B-tree index: the filter scans the rows in SQL, next to the data
    # (a few milliseconds for 10 000 products), never in Python.
    criteria: list[ColumnElement[bool]] = []
    if not query.include_inactive:
        criteria.append(products.c.is_active)
    if query.name_key_contains is not None:
        criteria.append(search.contains(products.c.name_key, query.name_key_contains))
    return criteria


def _stored(product: Product) -> tuple[object, ...]:
    return (product.name, product.name_key, product.description, product.price,
            product.stock, product.is_active)  # fmt: skip


def _but_stock(stored: tuple[object, ...]) -> tuple[object, ...]:
    return stored[:4] + stored[5:]


def _saved_now(
    saved: dict[int, tuple[object, ...]], products: list[Product]
) -> Callable[[object], None]:
    """What tells ``saved`` that ``products`` are stored as they are now, once they are."""

    def now_saved(_: object) -> None:
        for product in products:
            saved[product.product_id] = _stored(product)

    return now_saved


_LOCKING_READS: dict[tuple[int, bool], DirectRead] = {}
# The next id of the orders' sequence, drawn once per statement (an uncorrelated subquery).
_ORDER_ID = select(func.nextval(func.pg_get_serial_sequence("orders", "id"))).scalar_subquery()


def _locking_read(count: int, numbering: bool = False) -> DirectRead:
    """The products with ``count`` given ids, locked, in id order (one statement per count);
    ``numbering``: each row also holds a new order's id (PostgreSQL; the same in every row)."""
    read = _LOCKING_READS.get((count, numbering))
    if read is None:
        c = products.c
        columns = [c.id, c.name_key, c.name, c.description, c.price, c.amount, c.is_active]
        read = _LOCKING_READS.setdefault(
            (count, numbering),
            DirectRead(
                select(*columns, *([_ORDER_ID.label("order_id")] if numbering else []))
                .where(c.id.in_([bindparam(f"id_{n}") for n in range(count)]))
                .order_by(c.id)
                .with_for_update(key_share=True)
            ),
        )
    return read
