"""``Webstore``: every use case bound to one set of adapters, for Flask, the CLI and Python code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self, cast

from webstore.application.accounts import identity as auth
from webstore.application.accounts import passwords, users
from webstore.application.accounts.actors import OPERATOR, live_superuser
from webstore.application.accounts.identity import SessionPolicy, TokenKit
from webstore.application.accounts.permissions import require_superuser
from webstore.application.accounts.throttling import ThrottlePolicy
from webstore.application.catalogue import imports, pictures
from webstore.application.catalogue import products as catalog
from webstore.application.catalogue.imports import ImportReport, Progress
from webstore.application.catalogue.product_files import ProductFile
from webstore.application.dto import LoginResult, Page, Principal, RefreshResult
from webstore.application.errors import ConfigurationError
from webstore.application.mail import delivery
from webstore.application.mail.delivery import DeliveryPolicy, DeliveryReport
from webstore.application.mail.notices import MailPolicy
from webstore.application.ordering import idempotency, orders
from webstore.application.ordering.idempotency import IdempotencyRequest, KeyedOrder
from webstore.application.ordering.orders import OrderCategory, OrderItem
from webstore.application.ports import (
    Clock,
    Mailer,
    PasswordHasher,
    PictureProcessor,
    RandomSource,
    UnitOfWorkFactory,
)
from webstore.application.snapshots import OrderSnapshot, ProductSnapshot, UserSnapshot
from webstore.application.versioned import Known, Versioned
from webstore.domain.pictures import LARGE, ImageVariant

# What a caller may pass where the HTTP API passes query-string text.
Number = int | str | None
# One order line: an ``OrderItem(product_id=3, quantity=2)``, or the HTTP API's mapping
# ``{"product_id": 3, "amount": 2}`` (``amount`` is the quantity ordered).
Item = OrderItem | Mapping[str, object]


@dataclass(frozen=True)
class Webstore:
    """The store: one method per use case, made by ``webstore.bootstrap``.

    Every failure is a ``webstore.WebstoreError`` (all of them in ``webstore.errors``).
    Methods that act for someone take that someone first, as a ``Principal``: from
    ``authenticate``, ``log_in(...).user``, ``register_user`` or ``create_superuser``, or
    ``store.operator`` for whoever holds the store itself. The principal is rechecked each
    time: a user deleted, deactivated or logged out since gets ``PrincipalRevoked``.
    Products, orders and users come back as frozen snapshots (``ProductSnapshot``,
    ``OrderSnapshot``, ``UserSnapshot``).
    """

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: TokenKit
    clock: Clock
    random: RandomSource
    policy: SessionPolicy
    throttle: ThrottlePolicy
    picture_processor: PictureProcessor
    mail: MailPolicy = field(default_factory=MailPolicy)
    # None: this store stores mail in its outbox but cannot send it (no WEBSTORE_MAIL_URL).
    mailer: Mailer | None = None
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)

    @property
    def operator(self) -> Principal:
        """The actor for whoever holds the store itself (the command line, a script).

        A superuser without an account: it may administer, but it has no orders of its own.
        """
        return OPERATOR

    # --- identity ------------------------------------------------------------------------------
    def register_user(self, username: str, email: str, password: str) -> Principal:
        """Sign up a customer; usernames are unique case-insensitively.

        Raises ``InvalidInput`` (see ``docs/api.md`` for the rules) or ``UsernameTaken``.
        """
        return auth.register_user(
            username, email, password, uow=self.uow, hasher=self.hasher, clock=self.clock
        )

    def create_superuser(self, username: str, email: str, password: str) -> Principal:
        """Create a superuser (what ``webstore create-superuser`` does); same rules as sign-up."""
        return auth.register_user(
            username, email, password, uow=self.uow, hasher=self.hasher, clock=self.clock,
            is_superuser=True,
        )  # fmt: skip

    def log_in(
        self, username: str, password: str, client_address: str | None = None
    ) -> LoginResult:
        """Check the password and open a login session: access, refresh and CSRF tokens.

        Raises ``InvalidCredentials`` for an unknown user, a wrong password or an inactive
        user alike, and ``Throttled`` after too many failures (``client_address`` counts too).
        Each attempt counts as a failure before its password is verified, in one step with the
        check, so the limit holds under concurrency; a success takes its own count back.
        """
        return auth.log_in(
            username, password, client_address, uow=self.uow, hasher=self.hasher,
            tokens=self.tokens, clock=self.clock, random=self.random, policy=self.policy,
            throttle=self.throttle,
        )  # fmt: skip

    def refresh(self, refresh_token: str, csrf_token: str) -> RefreshResult:
        """Trade a refresh token (and the login's CSRF token) for new tokens.

        Refresh tokens rotate on every use; an older one shown again ends the whole login
        session (``RefreshRejected``). A rotation also brings a new CSRF token
        (``RefreshResult.csrf_token``): CSRF tokens expire after the refresh lifetime. Raises
        ``CsrfFailed`` for a CSRF token not signed for the session's user, or expired.
        """
        return auth.refresh_session(
            refresh_token, csrf_token, uow=self.uow, tokens=self.tokens, clock=self.clock,
            policy=self.policy,
        )  # fmt: skip

    def log_out(self, refresh_token: str, csrf_token: str) -> None:
        """End the login session of ``refresh_token``; its access tokens stop working at once.

        Raises ``NotAuthenticated`` without a refresh token and ``CsrfFailed`` without a CSRF
        token or with one signed for somebody else.
        """
        auth.log_out(refresh_token, csrf_token, uow=self.uow, tokens=self.tokens, clock=self.clock)

    def authenticate(self, access_token: str) -> Principal:
        """The principal behind an access token of a live session of an active user.

        Raises ``TokenExpired`` or ``InvalidToken``.
        """
        return auth.authenticate(access_token, uow=self.uow, tokens=self.tokens, clock=self.clock)

    def check_csrf(self, header: str | None, cookie: str | None, principal: Principal) -> None:
        """Double submit: ``header`` equals ``cookie`` and is signed for ``principal``.

        Raises ``CsrfFailed`` ("missing" when either is empty or ``None``, else "incorrect",
        also for a token older than the refresh lifetime).
        """
        auth.check_csrf(header, cookie, principal, tokens=self.tokens)

    def require_superuser(self, actor: Principal) -> Principal:
        """``actor`` as stored now, if a live superuser; else ``PermissionDenied``."""
        require_superuser(actor)
        with self.uow(read_only=True) as work:
            return live_superuser(work, actor, self.clock.now())

    def list_users(
        self,
        actor: Principal,
        search: str | None = None,
        ids: str | Iterable[int] | None = None,
        limit: Number = None,
        offset: Number = None,
    ) -> Page[UserSnapshot]:
        """User accounts by id (superusers only); ``total`` counts every match.

        ``search`` keeps those whose username or email contains it, ignoring case and accents
        (blank: no filter); ``ids`` (integers, or text such as ``"1,2,3"``; at most 1000) keeps
        those with these ids. ``limit``/``offset`` as in ``list_products``. Raises
        ``PermissionDenied`` (before any other check) or ``InvalidInput``.
        """
        return users.list_users(actor, search, ids, limit, offset, uow=self.uow, clock=self.clock)

    def set_user_active(self, actor: Principal, user: str | int, active: bool) -> UserSnapshot:
        """Activate or deactivate a user named by username (``str``) or id (``int``);
        superusers only. Deactivating ends every session of that user at once.

        Raises ``PermissionDenied``, ``UserNotFound``, or ``LastSuperuser`` when a superuser
        would deactivate the last active superuser (``store.operator`` may).
        """
        return users.set_user_active(actor, user, active, uow=self.uow, clock=self.clock)

    def change_password(self, actor: Principal, username: str, new_password: str) -> None:
        """Set a user's password (superusers only) and end that user's sessions.

        Raises ``PermissionDenied``, ``InvalidInput`` or ``UserNotFound``.
        """
        auth.change_password(
            actor, username, new_password, uow=self.uow, hasher=self.hasher, clock=self.clock
        )

    def change_own_password(
        self,
        actor: Principal,
        old_password: str,
        new_password: str,
        client_address: str | None = None,
    ) -> None:
        """Change one's own password: every other login session of the user ends, ``actor``'s
        stays; pending password-reset links stop working.

        Raises ``WrongPassword`` (an ``InvalidInput`` on ``old_password``) when the current
        password is not ``old_password``; that counts as a failed login, and ``Throttled``
        follows as for ``log_in``. ``InvalidInput`` when the new password breaks sign-up's
        rules; ``PermissionDenied`` for the operator, who has no password.
        """
        passwords.change_own_password(
            actor, old_password, new_password, client_address, uow=self.uow,
            hasher=self.hasher, clock=self.clock, throttle=self.throttle,
        )  # fmt: skip

    def request_password_reset(
        self, username_or_email: str, client_address: str | None = None
    ) -> None:
        """Mail a single-use reset link (``<public URL>/#reset=<token>``, valid
        ``WEBSTORE_PASSWORD_RESET_TTL`` seconds) to each active account with this username
        or address.

        Returns nothing, and takes about as long, whether or not such an account exists.
        Requests are counted per username or address and per ``client_address`` as failed
        logins are (``Throttled``); an account with three live links gets no fourth. The link
        is stored hashed, and the mail goes through the outbox.
        """
        passwords.request_password_reset(
            username_or_email, client_address, uow=self.uow, clock=self.clock,
            random=self.random, throttle=self.throttle, policy=self.mail,
        )  # fmt: skip

    def reset_password(self, token: str, new_password: str) -> None:
        """Set a new password with the token of a reset link; the link is spent, every login
        session of the user ends, and the user's failed logins are forgotten.

        Raises ``InvalidResetToken`` (an ``InvalidInput`` on ``token``) for a token that is
        unknown, used or expired, or whose user is inactive; ``InvalidInput`` for a new
        password that breaks sign-up's rules.
        """
        passwords.reset_password(
            token, new_password, uow=self.uow, hasher=self.hasher, clock=self.clock,
            throttle=self.throttle,
        )  # fmt: skip

    # --- mail ----------------------------------------------------------------------------------
    def send_pending_mail(self, batches: int | None = None) -> DeliveryReport:
        """Send every outbox message that is due now (what ``webstore mail send-pending`` does),
        or only so many batches of them (``DeliveryReport.more_due`` then says if more are).

        Safe to run in several processes at once: each message is claimed by one. A message
        the mail server does not take is retried later with back-off (``DeliveryReport`` says
        what became of each). Raises ``ConfigurationError`` when no mail URL is configured.
        """
        if self.mailer is None:
            raise ConfigurationError(
                "WEBSTORE_MAIL_URL is not set: this store cannot send the mail it stores."
            )
        return delivery.send_pending(
            uow=self.uow, mailer=self.mailer, clock=self.clock, policy=self.delivery,
            batches=batches,
        )  # fmt: skip

    # --- catalogue -----------------------------------------------------------------------------
    def list_products(
        self,
        limit: Number = None,
        offset: Number = None,
        search: str | None = None,
        *,
        actor: Principal | None = None,
        include_inactive: bool = False,
        with_images: bool = True,
    ) -> Page[ProductSnapshot]:
        """Active products by id, ``limit`` (1..1000) from ``offset`` (>= 0); ``total`` counts all.

        ``search`` keeps the products whose name contains it, whatever the case (``"e"``
        finds ``"Éclair"``); blank means no filter. ``include_inactive=True`` lists withdrawn
        products too, for a superuser ``actor`` (``PermissionDenied`` otherwise, before any
        other check). ``with_images=False`` leaves every ``image`` ``None`` (one read less).
        Raises ``InvalidInput`` for a bad limit, offset or search.
        """
        return catalog.list_products(
            limit, offset, search, actor=actor, include_inactive=include_inactive,
            with_images=with_images, uow=self.uow, clock=self.clock,
        )  # fmt: skip

    def list_products_versioned(
        self,
        known: Known,
        limit: Number = None,
        offset: Number = None,
        search: str | None = None,
        *,
        actor: Principal | None = None,
        include_inactive: bool = False,
        with_images: bool = True,
    ) -> Versioned[ProductSnapshot]:
        """``list_products`` for a caller that keeps listings: with the catalogue's version,
        read in the same snapshot, and no page when ``known(key, version)`` says it keeps it."""
        return catalog.list_products_versioned(
            limit, offset, search, actor=actor, include_inactive=include_inactive,
            with_images=with_images, uow=self.uow, clock=self.clock, known=known,
        )  # fmt: skip

    def get_product(
        self, actor: Principal | None, product_id: int, *, with_image: bool = True
    ) -> ProductSnapshot:
        """One active product (for anybody: ``actor`` ``None``, as the public catalogue); a
        superuser also gets withdrawn ones. Else ``ProductNotFound``. ``with_image=False``
        leaves ``image`` ``None`` (one read less)."""
        return catalog.get_product(
            actor, product_id, with_image=with_image, uow=self.uow, clock=self.clock
        )

    def add_product(self, actor: Principal, data: Mapping[str, object]) -> ProductSnapshot:
        """Create a product (superusers only) from ``name``, ``price``, the stock and an
        optional ``description``; ``price`` as a ``Decimal``, an int or a decimal string.

        The stock is ``stock`` (as ``ProductSnapshot`` has it) or ``amount`` (as the HTTP API
        has it), not both. Raises ``PermissionDenied`` or ``InvalidInput``.
        """
        return catalog.add_product(actor, data, uow=self.uow, clock=self.clock)

    def update_product(
        self, actor: Principal, product_id: int, changes: Mapping[str, object]
    ) -> ProductSnapshot:
        """Change some of ``name``, ``description``, ``price``, ``stock`` (or ``amount``, its
        name over HTTP; not both), ``is_active``; other keys are ignored.

        Superusers only. Raises ``PermissionDenied``, ``ProductNotFound`` or ``InvalidInput``.
        """
        return catalog.update_product(actor, product_id, changes, uow=self.uow, clock=self.clock)

    def deactivate_product(self, actor: Principal, product_id: int) -> None:
        """Withdraw a product from sale (superusers only); orders keep it. Twice is fine.

        Raises ``PermissionDenied`` or ``ProductNotFound``.
        """
        catalog.deactivate_product(actor, product_id, uow=self.uow, clock=self.clock)

    def set_product_image(self, actor: Principal, product_id: int, data: bytes) -> ProductSnapshot:
        """Make the picture in ``data`` (a JPEG, PNG or WebP file's bytes) the product's
        (superusers only; withdrawn products too), in place of any it had.

        What is kept is never ``data``: each of ``pictures.SIZES`` re-encoded as WebP from the
        pixels alone (upright, in sRGB, without EXIF, XMP or comments; never enlarged). The
        product comes back with its new ``image``. Raises ``PermissionDenied``,
        ``ProductNotFound``, or ``InvalidImage`` (empty, over 5 MiB, another format, corrupted,
        or over 10000 pixels a side or 40 megapixels, judged from the header before decoding).
        """
        return pictures.set_product_image(
            actor,
            product_id,
            data,
            uow=self.uow,
            clock=self.clock,
            processor=self.picture_processor,
        )

    def remove_product_image(self, actor: Principal, product_id: int) -> None:
        """Forget the product's picture (superusers only); twice is fine.

        Raises ``PermissionDenied`` or ``ProductNotFound``.
        """
        pictures.remove_product_image(actor, product_id, uow=self.uow, clock=self.clock)

    def get_product_image(
        self, product_id: int, size: int = LARGE, digest: str | None = None
    ) -> ImageVariant:
        """A stored copy of the product's picture, its bytes and type, for anybody.

        ``size`` is one of ``pictures.SIZES`` (400 or 1200); ``digest``, if given, must be the
        copy's (or its first 16 hexadecimal digits, as its URL gives them). Raises
        ``ImageNotFound``.
        """
        return pictures.get_product_image(product_id, size, digest, uow=self.uow)

    def import_products(
        self, actor: Principal, rows: Iterable[Mapping[str, object]]
    ) -> list[ProductSnapshot]:
        """Add every row as a product (superusers only): all of them, or none.

        Each row is what ``add_product`` takes. Raises ``PermissionDenied``, or ``InvalidInput``
        whose ``errors["rows"]`` maps each bad row's index (from 0) to its problems.
        """
        return catalog.import_products(actor, rows, uow=self.uow, clock=self.clock)

    def import_product_file(
        self,
        actor: Principal,
        source: ProductFile | Callable[[], ProductFile],
        *,
        update: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Add every product of a CSV or JSON-lines file (superusers only): all, or none.

        A line whose name is a product's already (ignoring case and accents) is refused,
        unless ``update``: then it changes that product's price, stock and, if the line gives
        one, description. ``source`` is the file, or a function giving it, called only once
        ``actor`` has been found to claim to be a superuser. ``progress(checked, total)``
        hears how far the check has got. Returns how many products were added and updated.
        Raises ``PermissionDenied``, or ``InvalidImport`` naming the bad lines (``problems``
        has one sentence per line).
        """
        return imports.import_product_file(
            actor, source, uow=self.uow, clock=self.clock, progress=progress, update=update
        )

    # --- orders --------------------------------------------------------------------------------
    def place_order(
        self, actor: Principal, address: str, phone: str, items: Sequence[Item]
    ) -> OrderSnapshot:
        """Reserve the stock of every line and record a pending order, or change nothing.

        Each line is an ``OrderItem(product_id, quantity)`` or a mapping as over HTTP,
        ``{"product_id": 3, "amount": 2}``. The same transaction stores the customer's
        confirmation and the staff's notices in the outbox (``send_pending_mail`` sends them).
        Lines naming one product are merged. Raises
        ``InvalidInput``, ``UnknownProduct`` (no such product on sale) or
        ``InsufficientStock``; ``PermissionDenied`` for the operator.
        """
        return orders.place_order(
            actor, address, phone, items, uow=self.uow, clock=self.clock, mail=self.mail
        )

    def place_order_once(
        self,
        actor: Principal,
        address: str,
        phone: str,
        items: Sequence[Item],
        request: IdempotencyRequest,
    ) -> KeyedOrder:
        """``place_order`` at most once per key and user within 24 hours.

        Sent again with the same key and fingerprint: the first order, ``replayed=True``.
        Raises ``IdempotencyKeyReused`` for the same key with another fingerprint and
        ``IdempotencyConflict`` while the first request with the key is still running.
        """
        return idempotency.place_order_once(
            actor, address, phone, items, request, uow=self.uow, clock=self.clock, mail=self.mail
        )

    def list_orders(
        self,
        actor: Principal,
        category: OrderCategory | str | None = None,
        user_id: Number = None,
        limit: Number = None,
        offset: Number = None,
        *,
        ignore_unused_filters: bool = False,
    ) -> Page[OrderSnapshot]:
        """Orders newest first: a user's own; a superuser's filtered by ``category``.

        ``category`` is an ``OrderCategory`` (``"user"`` needs ``user_id``); none lists every
        order. A filter that would be ignored (a regular user's, or ``user_id`` without
        ``category="user"``) raises ``InvalidInput``, unless ``ignore_unused_filters`` (what
        the HTTP API does). ``limit``/``offset`` as in ``list_products``.
        """
        return orders.list_orders(
            actor, category, user_id, limit, offset, lenient=ignore_unused_filters,
            uow=self.uow, clock=self.clock,
        )  # fmt: skip

    def list_orders_versioned(
        self,
        known: Known,
        actor: Principal,
        category: OrderCategory | str | None = None,
        user_id: Number = None,
        limit: Number = None,
        offset: Number = None,
        *,
        ignore_unused_filters: bool = False,
    ) -> Versioned[OrderSnapshot]:
        """``list_orders`` for a caller that keeps listings: with the version of the orders it
        matches, read in the same snapshot, and no page when ``known(key, version)`` says so."""
        return orders.list_orders_versioned(
            actor, category, user_id, limit, offset, lenient=ignore_unused_filters,
            uow=self.uow, clock=self.clock, known=known,
        )  # fmt: skip

    def get_order(self, actor: Principal, order_id: int) -> OrderSnapshot:
        """One order with its lines: the actor's own, or any for a superuser.

        Raises ``OrderNotFound`` (also for another user's order, as if it did not exist).
        """
        return orders.get_order(actor, order_id, uow=self.uow, clock=self.clock)

    def complete_order(self, actor: Principal, order_id: int) -> OrderSnapshot:
        """Pending -> completed (superusers only).

        Raises ``PermissionDenied``, ``OrderNotFound`` or ``IllegalTransition``.
        """
        return orders.complete_order(actor, order_id, uow=self.uow, clock=self.clock)

    def cancel_order(self, actor: Principal, order_id: int) -> OrderSnapshot:
        """Pending -> cancelled, its stock returned (a superuser, or the order's owner); the
        owner is mailed a cancellation notice.

        Raises ``OrderNotFound`` (also for another user's order) or ``IllegalTransition``.
        """
        return orders.cancel_order(actor, order_id, uow=self.uow, clock=self.clock)

    def reading_together(self) -> AbstractContextManager[object]:
        """Within the block, this thread's reading use cases share one transaction.

        One snapshot and one connection for, say, authenticating a request and listing what it
        asks for. A use case that writes ends it, so that what reads after it sees its work.
        Storage that cannot share (the in-memory one) gives a block that changes nothing.
        """
        shared = getattr(self.uow, "shared_reads", None)
        return nullcontext() if shared is None else cast(AbstractContextManager[object], shared())

    def close(self) -> None:
        """Close the database connections this store holds (a new call opens new ones).

        ``with bootstrap(settings) as store:`` closes them at the end of the block.
        """
        dispose = getattr(self.uow, "dispose", None)  # storage without connections has none
        if dispose is not None:
            dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def is_healthy(self) -> bool:
        """Whether the storage answers."""
        try:
            with self.uow(read_only=True) as work:
                work.ping()
        except Exception:  # any failure to reach storage means "unhealthy", by definition
            return False
        return True
