"""Idempotency-Key: however often one user sends one request with one key, one order.

The record of a key is written in the same transaction as the order it answers, so either
both exist or neither does: a request that failed left no record and may be sent again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from webstore.application.dto import IdempotencyRecord, KeyedResponse, Principal
from webstore.application.errors import (
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from webstore.application.orders import OrderDraft, take_stock
from webstore.application.ports import Clock, UnitOfWorkFactory
from webstore.domain.orders import Order

LIFETIME = timedelta(hours=24)
CREATED = 201
_KEY = re.compile(r"[\x20-\x7e]{1,255}\Z")  # printable ASCII


def idempotency_key(raw: str) -> str:
    """``raw`` if it is 1..255 printable ASCII characters; else ``InvalidIdempotencyKey``."""
    if not _KEY.match(raw):
        raise InvalidIdempotencyKey()
    return raw


@dataclass(frozen=True, slots=True)
class IdempotencyRequest:
    """A request's key, the fingerprint of what it asks, and how a new order is answered."""

    key: str
    fingerprint: str
    render: Callable[[Order], str]  # the body of the 201 response for the new order

    def __post_init__(self) -> None:
        idempotency_key(self.key)


def place_order_once(
    actor: Principal,
    address: object,
    phone: object,
    items: object,
    request: IdempotencyRequest,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> KeyedResponse:
    """Place an order, unless the user's key was used within 24 hours: then answer as then."""
    draft = OrderDraft.of(address, phone, items)
    try:
        return _place_or_replay(actor, draft, request, uow=uow, clock=clock)
    except IdempotencyConflict:
        # Storage refused our record: a request with this key got in first. Its response, if
        # it is committed by now; otherwise it is still running, and the caller hears so.
        with uow(read_only=True) as work:
            stored = work.idempotency.get(actor.user_id, request.key)
        if stored is None:
            raise
        return _replay(stored, request)


def _place_or_replay(
    actor: Principal,
    draft: OrderDraft,
    request: IdempotencyRequest,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> KeyedResponse:
    with uow() as work:
        # Locked before the stock, so a second request with this key waits here and then
        # finds the first one's record, instead of queueing for the stock behind it.
        stored = work.idempotency.get_for_update(actor.user_id, request.key)
        now = clock.now()
        if stored is not None and now - stored.created_at < LIFETIME:
            return _replay(stored, request)
        if stored is not None:
            work.idempotency.remove(actor.user_id, request.key)  # expired: the key is free
        body = request.render(take_stock(work, actor, draft, clock))
        record = IdempotencyRecord(
            actor.user_id, request.key, request.fingerprint, CREATED, body, now
        )
        work.idempotency.add(record)
        work.idempotency.prune(now - LIFETIME)
        work.commit()
    return KeyedResponse(CREATED, body, replayed=False)


def _replay(stored: IdempotencyRecord, request: IdempotencyRequest) -> KeyedResponse:
    if stored.fingerprint != request.fingerprint:
        raise IdempotencyKeyReused()
    return KeyedResponse(stored.status_code, stored.response_body, replayed=True)
