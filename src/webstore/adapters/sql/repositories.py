"""The repositories over one SQLAlchemy session: 2.0-style statements, one job each."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from webstore.adapters.sql import listings, search
from webstore.adapters.sql.orm import (
    login_sessions,
    order_lines,
    orders,
    products,
    restore_lines,
    users,
)
from webstore.adapters.sql.orm import products as products_table
from webstore.adapters.sql.runtime.direct import DirectRead, DirectWrite, in_session, new_values
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.application.dto import Principal
from webstore.application.ports import ListingState, OrderQuery, ProductQuery, UserQuery
from webstore.domain.errors import UsernameTaken
from webstore.domain.orders import Order
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession, grants_access
from webstore.domain.users import User
from webstore.domain.values import username_key

KEYS_PER_QUERY = 500  # name keys looked up per statement, well under every bound-parameter limit
_USER_COLUMNS = (
    users.c.id, users.c.username, users.c.email, users.c.password_hash, users.c.is_superuser,
    users.c.is_active, users.c.date_joined, users.c.username_key, users.c.username_search_key,
    users.c.email_search_key,
)  # fmt: skip
_USER_BY_KEY = DirectRead(select(*_USER_COLUMNS).where(users.c.username_key == bindparam("key")))


class SqlAlchemyUserRepository:
    """Users; the unique index on ``username_key`` settles who got a name first."""

    def __init__(self, session: Session, direct: ReadTransaction | None = None) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)

    def add(self, user: User) -> None:
        # The unique index decides, also between concurrent requests; the SAVEPOINT keeps the
        # rest of the unit of work usable after a refused insert.
        try:
            with self._session.begin_nested():
                self._session.add(user)
        except IntegrityError as error:
            if "username_key" not in str(error.orig):
                raise
            raise UsernameTaken() from error

    def get(self, user_id: int) -> User | None:
        return self._session.get(User, user_id)

    def find_by_email(self, email: str, limit: int) -> list[User]:
        # No index: addresses are looked up only for password resets, which are throttled.
        statement = (
            select(User)
            .where(func.lower(users.c.email) == email.lower())
            .order_by(users.c.id)
            .limit(limit)
        )
        return list(self._session.scalars(statement))

    def get_by_username(self, username: str) -> User | None:
        key = username_key(username.strip())
        if self._session.identity_map:  # it may hold this user: then it hands out that object
            return self._session.scalars(select(User).where(users.c.username_key == key)).first()
        # Every login reads its user: straight to the driver. A writing unit of work's session
        # then holds the user as if it had loaded it, so that changes to it are saved.
        row = _USER_BY_KEY.first(in_session(self._session, self._direct), key=key)
        if row is None:
            return None
        user = _user(row)
        if self._direct is None:
            make_transient_to_detached(user)
            self._session.add(user)
        return user

    def list(self, query: UserQuery, limit: int | None = None, offset: int = 0) -> list[User]:
        statement = (
            select(*_USER_COLUMNS)
            .where(*_users_matching(query))
            .order_by(users.c.id)
            .limit(limit)
            .offset(offset)
        )
        # Rows, not the ORM: the users listed are snapshots, never changed by the caller.
        return [_user(row) for row in self._session.execute(statement)]

    def count(self, query: UserQuery) -> int:
        statement = select(func.count()).select_from(users).where(*_users_matching(query))
        return self._session.execute(statement).scalar_one()

    def active_superuser_ids(self) -> frozenset[int]:
        # FOR NO KEY UPDATE, as the UPDATE of is_active takes anyway: a second deactivation
        # waits, then reads the rows as committed; logins and orders referencing them do not.
        statement = (
            select(users.c.id)
            .where(users.c.is_superuser, users.c.is_active)
            .order_by(users.c.id)
            .with_for_update(key_share=True)
        )
        return frozenset(self._session.scalars(statement))


def _user(row: Sequence[Any]) -> User:
    """A ``User`` built from a row of ``_USER_COLUMNS``, its stored keys as stored."""
    (user_id, name, email, password_hash, is_superuser, is_active, date_joined, name_key,
     username_search_key, email_search_key) = row  # fmt: skip
    user = User(name, email, password_hash, is_superuser, is_active, user_id, date_joined)
    user.username_key = name_key
    user.username_search_key, user.email_search_key = username_search_key, email_search_key
    return user


def _users_matching(query: UserQuery) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if query.ids is not None:
        criteria.append(users.c.id.in_(sorted(query.ids)))
    if query.search_key_contains is not None:
        key = query.search_key_contains
        criteria.append(
            or_(
                search.contains(users.c.username_search_key, key),
                search.contains(users.c.email_search_key, key),
            )
        )
    return criteria


class SqlAlchemyProductRepository:
    """Products; ``get_for_update`` locks rows until the unit of work ends."""

    def __init__(self, session: Session, direct: ReadTransaction | None = None) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)
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

    def get_for_update(self, product_ids: Collection[int]) -> list[Product]:
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
        # of the session (``write_changes`` saves what changes in them).
        rows = _locking_read(len(wanted)).rows(
            in_session(self._session, None), **{f"id_{n}": pid for n, pid in enumerate(wanted)}
        )
        locked = []
        for pid, name_key, name, description, price, stock, is_active in rows:
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
        """Save what changed in the products ``get_for_update`` handed out (the unit of work
        calls this before it commits)."""
        changed = [p for pid, p in self._locked.items() if _stored(p) != self._saved[pid]]
        if not changed:
            return
        _UPDATE_PRODUCT.many(
            in_session(self._session, None),
            [
                {"product_id": p.id, "new_name": p.name, "new_name_key": p.name_key,
                 "new_description": p.description, "new_price": p.price,
                 "new_amount": p.stock, "new_is_active": p.is_active}
                for p in changed
            ],
        )  # fmt: skip
        for product in changed:
            self._saved[product.product_id] = _stored(product)

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


_LOCKING_READS: dict[int, DirectRead] = {}


def _locking_read(count: int) -> DirectRead:
    """The products with ``count`` given ids, locked, in id order (one statement per count)."""
    read = _LOCKING_READS.get(count)
    if read is None:
        c = products.c
        read = _LOCKING_READS.setdefault(
            count,
            DirectRead(
                select(c.id, c.name_key, c.name, c.description, c.price, c.amount, c.is_active)
                .where(c.id.in_([bindparam(f"id_{n}") for n in range(count)]))
                .order_by(c.id)
                .with_for_update(key_share=True)
            ),
        )
    return read


_UPDATE_PRODUCT = DirectWrite(
    update(products)
    .where(products.c.id == bindparam("product_id"))
    .values(new_values("name", "name_key", "description", "price", "amount", "is_active"))
)
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

    def __init__(self, session: Session, direct: ReadTransaction | None = None) -> None:
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


# Built once: constructing the statement would cost more than running it on SQLite.
# The rule itself is the domain's (``grants_access``), applied to the row in Python. It stands
# alone: a request's authentication needs no snapshot shared with what the request reads.
_PRINCIPAL = DirectRead(
    select(
        users.c.id,
        users.c.username,
        users.c.email,
        users.c.is_superuser,
        users.c.is_active,
        login_sessions.c.revoked_at,
        login_sessions.c.expires_at,
    )
    .join_from(login_sessions, users, users.c.id == login_sessions.c.user_id)
    .where(
        login_sessions.c.id == bindparam("session_id"),
        login_sessions.c.user_id == bindparam("user_id"),
    ),
    alone=True,
)


_LOGIN_SESSION_COLUMNS = tuple(column.name for column in login_sessions.columns)
_INSERT_LOGIN_SESSION = DirectWrite(
    insert(login_sessions).values(new_values(*_LOGIN_SESSION_COLUMNS))
)


class SqlAlchemyLoginSessionRepository:
    """Login sessions; updates check the generation they were loaded with."""

    def __init__(self, session: Session, direct: ReadTransaction | None = None) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)

    def add(self, session: LoginSession) -> None:
        # Every login adds one: straight to the driver, as orders are (the ORM's flush would
        # cost a login more than everything else it does but the password check). The
        # session then holds it as if loaded, so that later changes to it are saved.
        _INSERT_LOGIN_SESSION.one(
            in_session(self._session, None),
            **{f"new_{column}": getattr(session, column) for column in _LOGIN_SESSION_COLUMNS},
        )
        make_transient_to_detached(session)
        self._session.add(session)

    def get(self, session_id: str) -> LoginSession | None:
        return self._session.get(LoginSession, session_id)

    def principal(self, session_id: str, user_id: int, now: datetime) -> Principal | None:
        # Runs on every authenticated request: one primary-key lookup joined to its user.
        access = in_session(self._session, self._direct)
        row = _PRINCIPAL.first(access, session_id=session_id, user_id=user_id)
        if row is None:
            return None
        user_id, username, email, is_superuser, is_active, revoked_at, expires_at = row
        if not grants_access(
            revoked_at=revoked_at, expires_at=expires_at, user_is_active=is_active, now=now
        ):
            return None
        return Principal(user_id, username, email, is_superuser, session_id)

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        criteria = [login_sessions.c.user_id == user_id, login_sessions.c.revoked_at.is_(None)]
        if keep is not None:
            criteria.append(login_sessions.c.id != keep)
        statement = update(LoginSession).where(*criteria).values(revoked_at=now)
        self._session.execute(statement)
