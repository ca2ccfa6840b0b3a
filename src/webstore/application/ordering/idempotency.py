"""Idempotency-Key: however often one user sends one request with one key, one order.

The record of a key is written in the same transaction as the order it answers, so either
both exist or neither does: a request that failed left no record and may be sent again.
The record keeps the order as it was when placed (an opaque payload to the storage), so a
replay answers exactly as the first time did, whatever happened to the order since; how that
answer is rendered, and with which status, is the caller's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from webstore.application.dto import IdempotencyRecord, Principal
from webstore.application.errors import (
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from webstore.application.mail.notices import MailPolicy
from webstore.application.ordering import payloads
from webstore.application.ordering.orders import OrderDraft, place_draft
from webstore.application.ports import Clock, UnitOfWorkFactory
from webstore.application.snapshots import OrderSnapshot

LIFETIME = timedelta(hours=24)
_KEY = re.compile(r"[\x20-\x7e]{1,255}\Z")  # printable ASCII


def idempotency_key(raw: str) -> str:
    """``raw`` if it is 1..255 printable ASCII characters; else ``InvalidIdempotencyKey``."""
    if not isinstance(raw, str) or not _KEY.match(raw):
        raise InvalidIdempotencyKey()
    return raw


@dataclass(frozen=True, slots=True)
class IdempotencyRequest:
    """A request's key and the fingerprint of what it asks (equal fingerprints: same request)."""

    key: str
    fingerprint: str

    def __post_init__(self) -> None:
        idempotency_key(self.key)


@dataclass(frozen=True, slots=True)
class KeyedOrder:
    """The order a keyed request placed now, or (``replayed``) the one it placed before."""

    order: OrderSnapshot
    replayed: bool


def place_order_once(
    actor: Principal,
    address: object,
    phone: object,
    items: object,
    request: IdempotencyRequest,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    mail: MailPolicy,
) -> KeyedOrder:
    """Place an order, unless the user's key was used within 24 hours: then answer as then."""
    draft = OrderDraft.of(address, phone, items)
    try:
        return _place_or_replay(actor, draft, request, uow=uow, clock=clock, mail=mail)
    except IdempotencyConflict:
        # Storage refused our record: a request with this key got in first. Its order, if it
        # is committed by now; otherwise it is still running, and the caller hears so.
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
    mail: MailPolicy,
) -> KeyedOrder:
    with uow() as work:
        # Locked before the stock, so a second request with this key waits here and then
        # finds the first one's record, instead of queueing for the stock behind it.
        stored = work.idempotency.get_for_update(actor.user_id, request.key)
        now = clock.now()
        if stored is not None and now - stored.created_at < LIFETIME:
            return _replay(stored, request)
        if stored is not None:
            work.idempotency.remove(actor.user_id, request.key)  # expired: the key is free
        order = OrderSnapshot.of(place_draft(work, actor, draft, clock, mail))
        record = IdempotencyRecord(
            actor.user_id, request.key, request.fingerprint, payloads.encode(order), now
        )
        work.idempotency.add(record)
        work.idempotency.prune(now - LIFETIME)
        work.commit()
    return KeyedOrder(order, replayed=False)


def _replay(stored: IdempotencyRecord, request: IdempotencyRequest) -> KeyedOrder:
    if stored.fingerprint != request.fingerprint:
        raise IdempotencyKeyReused()
    return KeyedOrder(payloads.decode(stored.payload), replayed=True)
