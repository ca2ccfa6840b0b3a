"""``Webstore``: every use case bound to one set of adapters, for Flask, the CLI and Python code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from webstore.application import auth, catalog, idempotency, orders
from webstore.application.auth import SessionPolicy, TokenKit
from webstore.application.dto import KeyedResponse, LoginResult, Page, Principal, RefreshResult
from webstore.application.idempotency import IdempotencyRequest
from webstore.application.ports import (
    Clock,
    OrderQuery,
    PasswordHasher,
    RandomSource,
    UnitOfWorkFactory,
)
from webstore.application.throttling import ThrottlePolicy
from webstore.domain.orders import Order
from webstore.domain.products import Product


@dataclass(frozen=True)
class Webstore:
    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: TokenKit
    clock: Clock
    random: RandomSource
    policy: SessionPolicy
    throttle: ThrottlePolicy

    # --- identity ------------------------------------------------------------------------------
    def register_user(self, username: object, email: object, password: object) -> Principal:
        return auth.register_user(username, email, password, uow=self.uow, hasher=self.hasher)

    def create_superuser(self, username: object, email: object, password: object) -> Principal:
        return auth.register_user(
            username, email, password, uow=self.uow, hasher=self.hasher, is_superuser=True
        )

    def log_in(
        self, username: object, password: object, client_address: str | None = None
    ) -> LoginResult:
        return auth.log_in(
            username, password, client_address, uow=self.uow, hasher=self.hasher,
            tokens=self.tokens, clock=self.clock, random=self.random, policy=self.policy,
            throttle=self.throttle,
        )  # fmt: skip

    def refresh(self, refresh_token: str, csrf_token: str | None = None) -> RefreshResult:
        return auth.refresh_session(
            refresh_token, csrf_token, uow=self.uow, tokens=self.tokens, clock=self.clock,
            policy=self.policy,
        )  # fmt: skip

    def log_out(self, refresh_token: str | None, csrf_token: str | None = None) -> None:
        auth.log_out(refresh_token, csrf_token, uow=self.uow, tokens=self.tokens, clock=self.clock)

    def authenticate(self, access_token: str) -> Principal:
        return auth.authenticate(access_token, uow=self.uow, tokens=self.tokens, clock=self.clock)

    def check_csrf(self, header: str | None, cookie: str | None, principal: Principal) -> None:
        auth.check_csrf(header, cookie, principal, tokens=self.tokens)

    def set_user_active(self, username: str, active: bool) -> Principal:
        return auth.set_user_active(username, active, uow=self.uow, clock=self.clock)

    def change_password(self, username: str, new_password: object) -> None:
        auth.change_password(
            username, new_password, uow=self.uow, hasher=self.hasher, clock=self.clock
        )

    # --- catalogue -----------------------------------------------------------------------------
    def list_products(self, limit: object = None, offset: object = None) -> Page[Product]:
        return catalog.list_products(limit, offset, uow=self.uow)

    def catalogue_version(self) -> int | None:
        return catalog.catalogue_version(uow=self.uow)

    def get_product(self, actor: Principal, product_id: int) -> Product:
        return catalog.get_product(actor, product_id, uow=self.uow)

    def add_product(self, actor: Principal, data: Mapping[str, Any]) -> Product:
        return catalog.add_product(actor, data, uow=self.uow)

    def update_product(
        self, actor: Principal, product_id: int, changes: Mapping[str, Any]
    ) -> Product:
        return catalog.update_product(actor, product_id, changes, uow=self.uow)

    def deactivate_product(self, actor: Principal, product_id: int) -> None:
        catalog.deactivate_product(actor, product_id, uow=self.uow)

    def import_products(self, rows: Iterable[Mapping[str, Any]]) -> list[Product]:
        return catalog.import_products(rows, uow=self.uow)

    # --- orders --------------------------------------------------------------------------------
    def place_order(self, actor: Principal, address: object, phone: object, items: object) -> Order:
        return orders.place_order(actor, address, phone, items, uow=self.uow, clock=self.clock)

    def place_order_once(
        self,
        actor: Principal,
        address: object,
        phone: object,
        items: object,
        request: IdempotencyRequest,
    ) -> KeyedResponse:
        return idempotency.place_order_once(
            actor, address, phone, items, request, uow=self.uow, clock=self.clock
        )

    def list_orders(
        self,
        actor: Principal,
        category: object = None,
        user_id: object = None,
        limit: object = None,
        offset: object = None,
    ) -> Page[Order]:
        return orders.list_orders(actor, category, user_id, limit, offset, uow=self.uow)

    def orders_version(
        self, actor: Principal, category: object = None, user_id: object = None
    ) -> tuple[OrderQuery, int | None]:
        return orders.orders_version(actor, category, user_id, uow=self.uow)

    def complete_order(self, actor: Principal, order_id: int) -> Order:
        return orders.complete_order(actor, order_id, uow=self.uow)

    def cancel_order(self, actor: Principal, order_id: int) -> Order:
        return orders.cancel_order(actor, order_id, uow=self.uow)

    def is_healthy(self) -> bool:
        """Whether the storage answers."""
        try:
            with self.uow(read_only=True) as work:
                work.ping()
        except Exception:  # any failure to reach storage means "unhealthy", by definition
            return False
        return True
