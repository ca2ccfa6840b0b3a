"""What an in-memory store keeps between units of work, and a table seen through one."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from webstore.application.dto import IdempotencyRecord
from webstore.application.ports import LoginFailureKind
from webstore.domain.mail import OutboxMessage
from webstore.domain.orders import Order
from webstore.domain.password_resets import PasswordReset
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User

if TYPE_CHECKING:
    from webstore.adapters.memory.pictures import StoredImage

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
    images: dict[tuple[int, int], StoredImage] = field(default_factory=dict)
    outbox: dict[int, OutboxMessage] = field(default_factory=dict)
    password_resets: dict[str, PasswordReset] = field(default_factory=dict)
    # One sequence per table, as databases keep them; like theirs, a rolled-back id is not reused.
    user_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    product_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    order_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    login_failure_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    outbox_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass(frozen=True)
class LoginFailure:
    id: int
    kind: LoginFailureKind
    key: str
    failed_at: datetime


class Table(Generic[K, E]):
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

    def keys_where(self, predicate: Callable[[E], bool]) -> list[K]:
        """The keys of the rows ``predicate`` accepts, looked at without copying them."""
        keys = (set(self._rows) | set(self.seen)) - self.removed
        return [
            key
            for key in keys
            if predicate(self.seen[key] if key in self.seen else self._rows[key])
        ]

    def flush(self) -> None:
        for key in self.removed:
            self._rows.pop(key, None)
        for key, entity in self.seen.items():
            self._rows[key] = copy.deepcopy(entity)


def identity(entity: Any) -> Any:
    return entity.id
