"""The unit of work: one transaction, and every repository working inside it."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from webstore.application.ports.accounts import (
    LoginAttemptRepository,
    LoginSessionRepository,
    PasswordResetRepository,
    UserRepository,
)
from webstore.application.ports.catalogue import ProductImageRepository, ProductRepository
from webstore.application.ports.mail import OutboxRepository
from webstore.application.ports.ordering import IdempotencyRepository, OrderRepository


class UnitOfWork(Protocol):
    """One transaction: rolls back on leaving the block unless ``commit`` was called.

    Repositories hand out live aggregates, to be changed inside the unit of work only. What
    the use cases return to their callers are frozen snapshots (``application.snapshots``),
    taken before the unit of work ends, whatever the storage.
    """

    # Read-only properties, so that an adapter may declare its own repository classes.
    @property
    def users(self) -> UserRepository: ...
    @property
    def products(self) -> ProductRepository: ...
    @property
    def orders(self) -> OrderRepository: ...
    @property
    def sessions(self) -> LoginSessionRepository: ...
    @property
    def login_attempts(self) -> LoginAttemptRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...
    @property
    def images(self) -> ProductImageRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def password_resets(self) -> PasswordResetRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make the work durable; raise ``ConcurrentUpdate`` if a versioned row changed."""

    def rollback(self) -> None:
        """Forget the work."""

    def ping(self) -> None:
        """Raise if the storage cannot be reached."""


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A fresh unit of work; ``read_only`` lets a database run readers side by side."""
