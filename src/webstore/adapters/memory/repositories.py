"""The in-memory repositories: each reads and writes one table through its unit of work."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime

from webstore.adapters.memory.tables import LoginFailure, Table
from webstore.application.dto import IdempotencyRecord, Principal
from webstore.application.errors import IdempotencyConflict
from webstore.application.ports import (
    ListingState,
    LoginFailureKind,
    OrderListing,
    OrderQuery,
    ProductQuery,
    UserQuery,
)
from webstore.application.versioned import PageStock
from webstore.domain.errors import UsernameTaken
from webstore.domain.orders import Order
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User
from webstore.domain.values import username_key


class InMemoryUserRepository:
    def __init__(self, table: Table[int, User], ids: Iterator[int]) -> None:
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

    def find_by_email(self, email: str, limit: int) -> list[User]:
        wanted = email.lower()
        keys = sorted(self._table.keys_where(lambda user: user.email.lower() == wanted))
        return [user for key in keys[:limit] if (user := self._table.get(key)) is not None]

    def _matching(self, query: UserQuery) -> list[int]:
        """The ids of matching users, in order; only the page asked for gets copied."""
        key = query.search_key_contains
        return sorted(
            self._table.keys_where(
                lambda user: (
                    (query.ids is None or user.id in query.ids)
                    and (
                        key is None
                        or key in user.username_search_key
                        or key in user.email_search_key
                    )
                )
            )
        )

    def list(self, query: UserQuery, limit: int | None = None, offset: int = 0) -> list[User]:
        page = self._matching(query)[offset : None if limit is None else offset + limit]
        return [user for key in page if (user := self._table.get(key)) is not None]

    def count(self, query: UserQuery) -> int:
        return len(self._matching(query))

    def active_superuser_ids(self) -> frozenset[int]:
        # The unit of work holds the store's lock: nobody else changes them meanwhile.
        return frozenset(self._table.keys_where(lambda user: user.is_superuser and user.is_active))


class InMemoryProductRepository:
    def __init__(self, table: Table[int, Product], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def add(self, product: Product) -> None:
        product.id = next(self._ids)
        self._table.put(product)

    def add_all(self, products: Sequence[Product]) -> None:
        for product in products:
            self.add(product)

    def get(self, product_id: int) -> Product | None:
        return self._table.get(product_id)

    def get_for_update(
        self, product_ids: Collection[int], *, for_order: bool = False
    ) -> list[Product]:
        found = (self._table.get(pid) for pid in sorted(set(product_ids)))
        return [product for product in found if product is not None]

    def ids_by_name_key(self, name_keys: Collection[str]) -> dict[str, list[int]]:
        wanted = set(name_keys)
        found: dict[str, list[int]] = {}
        for product_id in sorted(self._table.keys_where(lambda p: p.name_key in wanted)):
            product = self._table.get(product_id)
            if product is not None:
                found.setdefault(product.name_key, []).append(product_id)
        return found

    def _matching(self, query: ProductQuery) -> list[int]:
        """The ids of matching products, in order; only the page asked for gets copied."""
        key = query.name_key_contains
        return sorted(
            self._table.keys_where(
                lambda product: (
                    (query.include_inactive or product.is_active)
                    and (key is None or key in product.name_key)
                )
            )
        )

    def list(self, query: ProductQuery, limit: int | None = None, offset: int = 0) -> list[Product]:
        page = self._matching(query)[offset : None if limit is None else offset + limit]
        return [product for key in page if (product := self._table.get(key)) is not None]

    def count(self, query: ProductQuery) -> int:
        return len(self._matching(query))

    def catalogue_version(self) -> int | None:
        return None  # one process, no encoded listings kept: nothing to validate

    def listing_state(
        self, query: ProductQuery, limit: int | None = None, offset: int = 0
    ) -> ListingState:
        page = self.list(query, limit, offset)
        return ListingState(None, PageStock.of((p.product_id, p.stock) for p in page))


class InMemoryOrderRepository:
    def __init__(self, table: Table[int, Order], ids: Iterator[int]) -> None:
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

    def listing_version(self, query: OrderQuery, *, alone: bool = False) -> int | None:
        return None  # one process, no encoded listings kept: nothing to validate

    def count(self, query: OrderQuery) -> int:
        return len(self._matching(query))

    def listing(
        self, query: OrderQuery, limit: int | None = None, offset: int = 0, *, versioned: bool
    ) -> OrderListing:
        return OrderListing(None, self.list(query, limit, offset), self.count(query))


class InMemoryLoginSessionRepository:
    def __init__(self, table: Table[str, LoginSession], users: Table[int, User]) -> None:
        self._table = table
        self._users = users

    def add(self, session: LoginSession) -> None:
        self._table.put(session)

    def get(self, session_id: str) -> LoginSession | None:
        return self._table.get(session_id)

    def prefetch(self, session_id: str, user_id: int) -> None:
        return None  # reading costs no round trip here

    def principal(self, session_id: str, user_id: int, now: datetime) -> Principal | None:
        session = self._table.get(session_id)
        user = self._users.get(user_id)
        if session is None or user is None or not session.grants_access(user, now):
            return None
        return Principal.of(user, session_id)

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        for session in self._table.all():
            if session.user_id == user_id and session.id != keep:
                session.revoke(now)


class InMemoryLoginAttemptRepository:
    def __init__(self, table: Table[int, LoginFailure], ids: Iterator[int]) -> None:
        self._table = table
        self._ids = ids

    def lock(self, kind: LoginFailureKind, key: str) -> None:
        return None  # the unit of work holds the store's lock already

    def add_failure(self, kind: LoginFailureKind, key: str, at: datetime) -> int:
        failure_id = next(self._ids)
        self._table.put(LoginFailure(failure_id, kind, key, at))
        return failure_id

    def remove(self, failure_id: int) -> None:
        self._table.remove(failure_id)

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
    def __init__(self, table: Table[tuple[int, str], IdempotencyRecord]) -> None:
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


def user_and_key(record: IdempotencyRecord) -> tuple[int, str]:
    return record.user_id, record.key
