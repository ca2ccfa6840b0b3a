"""Ports of ordering: orders, and the answers kept for Idempotency-Keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from webstore.application.dto import IdempotencyRecord
from webstore.domain.orders import Order, OrderStatus


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """Which orders a listing wants: ``None`` means no filter on that attribute."""

    user_id: int | None = None
    status: OrderStatus | None = None


@dataclass(frozen=True, slots=True)
class OrderListing:
    """A page of orders as ``OrderRepository.listing`` reads it: their listing's version
    (``listing_version``'s), the orders, and how many match in all, of one snapshot."""

    version: int | None
    orders: list[Order]
    total: int


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

    def listing(
        self, query: OrderQuery, limit: int | None = None, offset: int = 0, *, versioned: bool
    ) -> OrderListing:
        """``list``, with how many match in all and (``versioned``; else ``None``)
        ``listing_version``, all read in one snapshot."""


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
