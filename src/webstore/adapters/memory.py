"""In-memory storage: the zero-setup mode of the library, and the fake the tests lean on.

A unit of work holds the store's lock for its whole block (transactions run one at a time),
hands out copies of stored objects, and writes them back only on commit.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from webstore.application.dto import IdempotencyRecord, Principal
from webstore.application.errors import IdempotencyConflict
from webstore.application.ports import LoginFailureKind, OrderQuery
from webstore.domain.errors import UsernameTaken
from webstore.domain.orders import Order
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User
from webstore.domain.values import username_key

K = TypeVar("K")
E = TypeVar("E")


@dataclass
class InMemoryDatabase:
    """What survives between units of work."""

    users: dict[int, User] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    sessions: dict[str, LoginSession] = field(default_factory=dict)
    login_failures: dict[int, LoginFailure] = field(default_factory=dict)
    idempotency: dict[tuple[int, str], IdempotencyRecord] = field(default_factory=dict)
    # One sequence per table, as databases keep them; like theirs, a rolled-back id is not reused.
    user_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    product_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    order_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    login_failure_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass(frozen=True)
class LoginFailure:
    id: int
    kind: LoginFailureKind
    key: str
    failed_at: datetime


class _Table(Generic[K, E]):
    """One table seen through a unit of work: reads copy, writes and deletes wait for commit."""

    def __init__(self, rows: dict[K, E], key: Callable[[E], K]) -> None:
        self._rows = rows
        self._key = key
        self.seen: dict[K, E] = {}
        self.removed: set[K] = set()

    def get(self, key: K) -> E | None:
        if key in self.removed:
            return None
        if key not in self.seen:
            if key not in self._rows:
                return None
            self.seen[key] = copy.deepcopy(self._rows[key])
        return self.seen[key]

    def put(self, entity: E) -> None:
        key = self._key(entity)
        self.removed.discard(key)
        self.seen[key] = entity

    def remove(self, key: K) -> None:
        self.seen.pop(key, None)
        self.removed.add(key)

    def all(self) -> list[E]:
        keys = set(self._rows) | set(self.seen)
        return [entity for key in keys if (entity := self.get(key)) is not None]

    def flush(self) -> None:
        for key in self.removed:
            self._rows.pop(key, None)
        for key, entity in self.seen.items():
            self._rows[key] = copy.deepcopy(entity)


def _identity(entity: Any) -> Any:
    return entity.id


class InMemoryUserRepository:
    def __init__(self, table: _Table[int, User], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def add(self, user: User) -> None:
        if self.get_by_username(user.username) is not None:
            raise UsernameTaken()
        user.id = next(self._ids)
        self._table.put(user)

    def get(self, user_id: int) -> User | None:
        return self._table.get(user_id)

    def get_by_username(self, username: str) -> User | None:
        key = username_key(username.strip())
        return next((u for u in self._table.all() if u.username_key == key), None)


class InMemoryProductRepository:
    def __init__(self, table: _Table[int, Product], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def add(self, product: Product) -> None:
        product.id = next(self._ids)
        self._table.put(product)

    def get(self, product_id: int) -> Product | None:
        return self._table.get(product_id)

    def get_for_update(self, product_ids: Collection[int]) -> list[Product]:
        found = (self._table.get(pid) for pid in sorted(set(product_ids)))
        return [product for product in found if product is not None]

    def list_active(self, limit: int | None = None, offset: int = 0) -> list[Product]:
        active = sorted((p for p in self._table.all() if p.is_active), key=_identity)
        return active[offset : None if limit is None else offset + limit]

    def count_active(self) -> int:
        return sum(1 for p in self._table.all() if p.is_active)


class InMemoryOrderRepository:
    def __init__(self, table: _Table[int, Order], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def add(self, order: Order) -> None:
        order.id = next(self._ids)
        self._table.put(order)

    def get(self, order_id: int) -> Order | None:
        return self._table.get(order_id)

    get_for_update = get  # the store's lock already serialises units of work

    def _matching(self, query: OrderQuery) -> list[Order]:
        return [
            order
            for order in self._table.all()
            if (query.user_id is None or order.user_id == query.user_id)
            and (query.status is None or order.status is query.status)
        ]

    def list(self, query: OrderQuery, limit: int | None = None, offset: int = 0) -> list[Order]:
        newest_first = sorted(
            self._matching(query), key=lambda o: (o.created_at, o.id), reverse=True
        )
        return newest_first[offset : None if limit is None else offset + limit]

    def count(self, query: OrderQuery) -> int:
        return len(self._matching(query))


class InMemoryLoginSessionRepository:
    def __init__(self, table: _Table[str, LoginSession], users: _Table[int, User]) -> None:
        self._table = table
        self._users = users

    def add(self, session: LoginSession) -> None:
        self._table.put(session)

    def get(self, session_id: str) -> LoginSession | None:
        return self._table.get(session_id)

    def principal(self, session_id: str, user_id: int, now: datetime) -> Principal | None:
        session = self._table.get(session_id)
        if session is None or session.user_id != user_id or not session.is_live(now):
            return None
        user = self._users.get(user_id)
        if user is None or not user.is_active:
            return None
        return Principal.of(user, session_id)

    def revoke_all_for_user(self, user_id: int, now: datetime) -> None:
        for session in self._table.all():
            if session.user_id == user_id:
                session.revoke(now)


class InMemoryLoginAttemptRepository:
    def __init__(self, table: _Table[int, LoginFailure], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def add_failure(self, kind: LoginFailureKind, key: str, at: datetime) -> None:
        self._table.put(LoginFailure(next(self._ids), kind, key, at))

    def nth_latest_failure(
        self, kind: LoginFailureKind, key: str, n: int, since: datetime
    ) -> datetime | None:
        times = sorted(
            (f.failed_at for f in self._of(kind, key) if f.failed_at > since), reverse=True
        )
        return times[n - 1] if len(times) >= n else None

    def clear(self, kind: LoginFailureKind, key: str) -> None:
        for failure in self._of(kind, key):
            self._table.remove(failure.id)

    def prune(self, before: datetime) -> None:
        for failure in self._table.all():
            if failure.failed_at < before:
                self._table.remove(failure.id)

    def _of(self, kind: LoginFailureKind, key: str) -> list[LoginFailure]:
        return [f for f in self._table.all() if (f.kind, f.key) == (kind, key)]


class InMemoryIdempotencyRepository:
    def __init__(self, table: _Table[tuple[int, str], IdempotencyRecord]) -> None:
        self._table = table

    def get(self, user_id: int, key: str) -> IdempotencyRecord | None:
        return self._table.get((user_id, key))

    get_for_update = get  # the store's lock already serialises units of work

    def add(self, record: IdempotencyRecord) -> None:
        if self.get(record.user_id, record.key) is not None:
            raise IdempotencyConflict()
        self._table.put(record)

    def remove(self, user_id: int, key: str) -> None:
        self._table.remove((user_id, key))

    def prune(self, before: datetime) -> None:
        for record in self._table.all():
            if record.created_at < before:
                self._table.remove((record.user_id, record.key))


def _user_and_key(record: IdempotencyRecord) -> tuple[int, str]:
    return record.user_id, record.key


class InMemoryUnitOfWork:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    def __enter__(self) -> Self:
        self._db.lock.acquire()
        self._begin()
        return self

    def _begin(self) -> None:
        db = self._db
        self._tables: list[_Table[Any, Any]] = [
            users := _Table(db.users, _identity),
            products := _Table(db.products, _identity),
            orders := _Table(db.orders, _identity),
            sessions := _Table(db.sessions, _identity),
            failures := _Table(db.login_failures, _identity),
            keys := _Table(db.idempotency, _user_and_key),
        ]
        self.users = InMemoryUserRepository(users, db.user_ids)
        self.products = InMemoryProductRepository(products, db.product_ids)
        self.orders = InMemoryOrderRepository(orders, db.order_ids)
        self.sessions = InMemoryLoginSessionRepository(sessions, users)
        self.login_attempts = InMemoryLoginAttemptRepository(failures, db.login_failure_ids)
        self.idempotency = InMemoryIdempotencyRepository(keys)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._db.lock.release()

    def commit(self) -> None:
        # The unit of work keeps the objects it handed out, as an SQLAlchemy session does:
        # changes made to them after this commit belong to the next one.
        for table in self._tables:
            table.flush()

    def rollback(self) -> None:
        self._begin()

    def ping(self) -> None:
        return None


class InMemoryUnitOfWorkFactory:
    """Hands out units of work over one shared ``InMemoryDatabase``."""

    def __init__(self, database: InMemoryDatabase | None = None) -> None:
        self.database = database or InMemoryDatabase()

    def __call__(self, *, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.database)
