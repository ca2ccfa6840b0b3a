"""``Webstore``: every use case bound to one set of adapters, for Flask, the CLI and Python code."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import Self, cast

from webstore.application.accounts.actors import OPERATOR
from webstore.application.dto import Principal
from webstore.application.store.accounts import AccountUseCases
from webstore.application.store.catalogue import CatalogueUseCases
from webstore.application.store.mail import MailUseCases
from webstore.application.store.orders import OrderUseCases


@dataclass(frozen=True)
class Webstore(AccountUseCases, MailUseCases, CatalogueUseCases, OrderUseCases):
    """The store: one method per use case, made by ``webstore.bootstrap``.

    Every failure is a ``webstore.WebstoreError`` (all of them in ``webstore.errors``).
    Methods that act for someone take that someone first, as a ``Principal``: from
    ``authenticate``, ``log_in(...).user``, ``register_user`` or ``create_superuser``, or
    ``store.operator`` for whoever holds the store itself. The principal is rechecked each
    time: a user deleted, deactivated or logged out since gets ``PrincipalRevoked``.
    Products, orders and users come back as frozen snapshots (``ProductSnapshot``,
    ``OrderSnapshot``, ``UserSnapshot``).
    """

    # Its fields, the adapters and policies, are ``StoreWiring``'s: one declaration for the
    # dataclass and for the type checker of every family.

    @property
    def operator(self) -> Principal:
        """The actor for whoever holds the store itself (the command line, a script).

        A superuser without an account: it may administer, but it has no orders of its own.
        """
        return OPERATOR

    # The use cases, written family by family in this package's modules. Naming each here too
    # makes it the store's own, for ``vars()``, ``help()`` and the API reference alike.
    # --- accounts ------------------------------------------------------------------------------
    register_user = AccountUseCases.register_user
    create_superuser = AccountUseCases.create_superuser
    log_in = AccountUseCases.log_in
    refresh = AccountUseCases.refresh
    log_out = AccountUseCases.log_out
    authenticate = AccountUseCases.authenticate
    authenticated_reading = AccountUseCases.authenticated_reading
    claim = AccountUseCases.claim
    check_csrf = AccountUseCases.check_csrf
    require_superuser = AccountUseCases.require_superuser
    list_users = AccountUseCases.list_users
    set_user_active = AccountUseCases.set_user_active
    change_password = AccountUseCases.change_password
    change_own_password = AccountUseCases.change_own_password
    request_password_reset = AccountUseCases.request_password_reset
    reset_password = AccountUseCases.reset_password
    # --- mail ----------------------------------------------------------------------------------
    send_pending_mail = MailUseCases.send_pending_mail
    # --- catalogue -----------------------------------------------------------------------------
    list_products = CatalogueUseCases.list_products
    list_products_versioned = CatalogueUseCases.list_products_versioned
    get_product = CatalogueUseCases.get_product
    add_product = CatalogueUseCases.add_product
    update_product = CatalogueUseCases.update_product
    deactivate_product = CatalogueUseCases.deactivate_product
    set_product_image = CatalogueUseCases.set_product_image
    remove_product_image = CatalogueUseCases.remove_product_image
    get_product_image = CatalogueUseCases.get_product_image
    import_products = CatalogueUseCases.import_products
    import_product_file = CatalogueUseCases.import_product_file
    # --- orders --------------------------------------------------------------------------------
    place_order = OrderUseCases.place_order
    place_order_once = OrderUseCases.place_order_once
    list_orders = OrderUseCases.list_orders
    list_orders_versioned = OrderUseCases.list_orders_versioned
    get_order = OrderUseCases.get_order
    complete_order = OrderUseCases.complete_order
    cancel_order = OrderUseCases.cancel_order

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
