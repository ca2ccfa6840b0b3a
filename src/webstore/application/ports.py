"""The ports: what the use cases need from the outside world, and nothing more."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import NamedTuple, Protocol, Self

from webstore.application.dto import (
    AccessClaims,
    IdempotencyRecord,
    IssuedRefreshToken,
    PresentedRefreshToken,
    Principal,
)
from webstore.application.versioned import PageStock
from webstore.domain.mail import OutboxMessage
from webstore.domain.orders import Order, OrderStatus
from webstore.domain.password_resets import PasswordReset
from webstore.domain.pictures import ImageVariant, ProductImage
from webstore.domain.products import Product
from webstore.domain.sessions import LoginSession
from webstore.domain.users import User


@dataclass(frozen=True, slots=True)
class UserQuery:
    """Which users a listing wants: ``None`` means no filter on that attribute."""

    ids: frozenset[int] | None = None
    # A ``values.search_key`` that the username's or the email's key must contain.
    search_key_contains: str | None = None


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user; raise ``UsernameTaken`` if its username key exists."""

    def get(self, user_id: int) -> User | None:
        """The user with this id."""

    def get_by_username(self, username: str) -> User | None:
        """The user whose normalized username key equals that of ``username``."""

    def find_by_email(self, email: str, limit: int) -> list[User]:
        """Up to ``limit`` users whose address equals ``email``, ignoring case, by id."""

    def list(self, query: UserQuery, limit: int | None = None, offset: int = 0) -> list[User]:
        """Matching users ordered by id, sliced by ``limit``/``offset``."""

    def count(self, query: UserQuery) -> int:
        """How many users match."""

    def active_superuser_ids(self) -> frozenset[int]:
        """The ids of the active superusers, their rows locked until the unit of work ends
        (so that two superusers cannot each deactivate the other at once)."""


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """Which products a listing wants."""

    include_inactive: bool = False
    # A ``values.search_key`` that the name's key must contain; ``None``: any name.
    name_key_contains: str | None = None


class ListingState(NamedTuple):
    """A product listing as a worker that keeps it needs to know it: the catalogue's version
    (``None``: not kept, or not to be trusted) and the listed products' ids and stock."""

    version: int | None
    stock: PageStock


class ProductRepository(Protocol):
    def add(self, product: Product) -> None:
        """Store a new product (it gets its id by the end of the call)."""

    def add_all(self, products: Sequence[Product]) -> None:
        """Store new products, in batches where the storage can (ids given by the end)."""

    def get(self, product_id: int) -> Product | None:
        """The product with this id, active or not."""

    def get_for_update(self, product_ids: Collection[int]) -> list[Product]:
        """The existing products among ``product_ids``, locked until commit, in id order."""

    def ids_by_name_key(self, name_keys: Collection[str]) -> dict[str, list[int]]:
        """The ids of the products (withdrawn ones too) whose name key is one of
        ``name_keys``, by key, in id order; keys that no product has are left out."""

    def list(self, query: ProductQuery, limit: int | None = None, offset: int = 0) -> list[Product]:
        """Matching products ordered by id, sliced by ``limit``/``offset``."""

    def count(self, query: ProductQuery) -> int:
        """How many products match."""

    def catalogue_version(self) -> int | None:
        """A number drawn afresh by every committed change to which products a listing shows
        and to anything it shows of them but their stock, never repeated; ``None`` if it is
        not kept or not to be trusted."""

    def listing_state(
        self, query: ProductQuery, limit: int | None = None, offset: int = 0
    ) -> ListingState:
        """The catalogue's version and the id and stock of each product ``list`` would give,
        in one statement: a snapshot of their own, whether or not the unit of work has one."""


class ProductImageRepository(Protocol):
    """Products' pictures: the stored copies of each, one per size."""

    def replace(self, product_id: int, variants: Sequence[ImageVariant]) -> None:
        """Store ``variants`` as the product's picture, in place of any it had."""

    def remove(self, product_id: int) -> None:
        """Forget the product's picture, if it has one."""

    def refs(self, product_ids: Collection[int]) -> dict[int, ProductImage]:
        """The pictures of those of these products that have one, without their bytes."""

    def variant(self, product_id: int, size: int) -> ImageVariant | None:
        """The product's picture at this size, with its bytes."""


class PictureProcessor(Protocol):
    def variants(self, data: bytes) -> list[ImageVariant]:
        """The picture in ``data`` re-encoded at each of ``pictures.SIZES`` (never larger than
        it is), from its pixels alone; ``InvalidImage`` for anything but an accepted picture."""


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """Which orders a listing wants: ``None`` means no filter on that attribute."""

    user_id: int | None = None
    status: OrderStatus | None = None


class OrderRepository(Protocol):
    def add(self, order: Order) -> None:
        """Store a new order with its lines (it gets its id by the end of the call)."""

    def get(self, order_id: int) -> Order | None:
        """The order with this id and its lines."""

    def get_for_update(self, order_id: int) -> Order | None:
        """The order with this id, locked until commit."""

    def list(self, query: OrderQuery, limit: int | None = None, offset: int = 0) -> list[Order]:
        """Matching orders with their lines, newest first, in a constant number of queries."""

    def listing_version(self, query: OrderQuery, *, alone: bool = False) -> int | None:
        """A number drawn afresh by every committed change to the orders of the user ``query``
        names (``None``: not kept, or not to be trusted; always for a query naming no user).
        ``alone``: read in a snapshot of its own, not the unit of work's."""

    def count(self, query: OrderQuery) -> int:
        """How many orders match."""


class LoginSessionRepository(Protocol):
    def add(self, session: LoginSession) -> None:
        """Store a new login session."""

    def get(self, session_id: str) -> LoginSession | None:
        """The session with this id, live or not."""

    def principal(self, session_id: str, user_id: int, now: datetime) -> Principal | None:
        """The user behind a live session of an active user, in one indexed query."""

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        """End every live session of this user, but the one named ``keep`` (if any)."""


class LoginFailureKind(StrEnum):
    """What a failed login is counted against."""

    USERNAME = "username"
    ADDRESS = "address"


class LoginAttemptRepository(Protocol):
    """Failed logins, counted per key (a username's or a client address's digest)."""

    def lock(self, kind: LoginFailureKind, key: str) -> None:
        """Make every other unit of work that locks this key wait until this one ends."""

    def add_failure(self, kind: LoginFailureKind, key: str, at: datetime) -> int:
        """Record one failed login for this key; the record's id."""

    def remove(self, failure_id: int) -> None:
        """Forget one recorded failure (an attempt counted up front that succeeded)."""

    def nth_latest_failure(
        self, kind: LoginFailureKind, key: str, n: int, since: datetime
    ) -> datetime | None:
        """When the ``n``-th (n >= 1) latest failure after ``since`` was; ``None`` if fewer."""

    def clear(self, kind: LoginFailureKind, key: str) -> None:
        """Forget every failure of this key."""

    def prune(self, before: datetime) -> None:
        """Forget failures from before ``before``, a bounded batch at a time (housekeeping)."""


class IdempotencyRepository(Protocol):
    """The responses given to requests with an Idempotency-Key, one per user and key."""

    def get(self, user_id: int, key: str) -> IdempotencyRecord | None:
        """The record of this user's key, expired or not."""

    def get_for_update(self, user_id: int, key: str) -> IdempotencyRecord | None:
        """As ``get``; and another unit of work asking for the same key waits until this one ends.

        It waits even while the key has no record yet, so that two requests with one key
        run one after the other.
        """

    def add(self, record: IdempotencyRecord) -> None:
        """Store a new record; raise ``IdempotencyConflict`` if the user's key has one."""

    def remove(self, user_id: int, key: str) -> None:
        """Delete the record of this user's key, if any."""

    def prune(self, before: datetime) -> None:
        """Delete records created before ``before``, a bounded batch at a time (housekeeping)."""


class OutboxRepository(Protocol):
    """Mail stored with the changes it reports, until a sender has settled it."""

    def add(self, message: OutboxMessage) -> None:
        """Store a new message (written by the unit of work's commit, with everything else)."""

    def get(self, message_id: int) -> OutboxMessage | None:
        """The message with this id, pending or settled."""

    def next_due(self) -> datetime | None:
        """When the earliest pending message is due (``None``: nothing pending)."""

    def claim(self, now: datetime, until: datetime, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` pending messages due at ``now``, oldest first, each claimed until
        ``until``; messages another unit of work is claiming are skipped, not waited for."""

    def save(self, message: OutboxMessage) -> None:
        """Write back the delivery state of a message this unit of work claimed or read."""

    def prune(self, before: datetime) -> None:
        """Forget messages settled before ``before``, a bounded batch at a time."""


class PasswordResetRepository(Protocol):
    """Password-reset links, by the hash of their token."""

    def add(self, reset: PasswordReset) -> None:
        """Store a new link."""

    def get(self, token_hash: str) -> PasswordReset | None:
        """The link with this token hash."""

    def get_for_update(self, token_hash: str) -> PasswordReset | None:
        """The link with this token hash, locked until the unit of work ends."""

    def count_live(self, user_id: int, now: datetime) -> int:
        """How many of the user's links are neither used nor expired."""

    def revoke_all_for_user(self, user_id: int, now: datetime) -> None:
        """Spend every live link of this user (a password was set some other way)."""

    def prune(self, before: datetime) -> None:
        """Forget links that expired before ``before``, a bounded batch at a time."""


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


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A salted one-way hash of ``password``."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; never raises for a wrong password."""

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the configured ones."""

    def burn(self, password: str) -> None:
        """Spend the time of one verification, for users that do not exist."""


class AccessTokenService(Protocol):
    def issue(self, user_id: int, session_id: str) -> str:
        """A signed, short-lived access token for this user and login session."""

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raise ``TokenExpired`` or ``InvalidToken``."""


class RefreshTokenService(Protocol):
    def issue(self, session_id: str, generation: int) -> IssuedRefreshToken:
        """A new random refresh token of this session and generation, and its hash."""

    def read(self, token: str) -> PresentedRefreshToken | None:
        """What an authentic token names, or ``None`` for a malformed or forged one."""


class CsrfTokenService(Protocol):
    def issue(self, user_id: int) -> str:
        """A random CSRF token signed for this user."""

    def is_valid(self, token: str, user_id: int) -> bool:
        """Whether the token was signed by this server for this user."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class RandomSource(Protocol):
    def token(self, nbytes: int) -> str:
        """A URL-safe text of ``nbytes`` unpredictable bytes."""


class Mailer(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Hand one message to the mail server; its id names it (Message-ID) on every attempt.

        Raises ``MailServerUnavailable`` when no message can go now, ``MailRejected`` when
        this one never will, ``MailNotSent`` when this one may later.
        """
