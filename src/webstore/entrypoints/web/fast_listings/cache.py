"""Encoded listings kept by each worker, each valid for exactly one version of what it shows.

Every change to which products are listed, or to anything shown of them but their stock,
draws a new catalogue version, and every change to an order or its lines a new version of its
owners' orders, in the writing transaction itself (database triggers;
``adapters/sql/operator/listing_triggers.py`` says why a version never comes back for other rows,
TRUNCATE and restores included). A listing request reads the committed version first and, in
the same snapshot, the rows only if this worker keeps no bytes encoded for that version
(``webstore.application.versioned``); a product listing then reads its page's stock, and the
kept bytes get it spliced in (``stock_free.py``). A kept listing is therefore exactly its
version's, with the stock of its own snapshot: once a write has committed, no worker of any
process serves what was listed before it. Listings of every customer's orders are never kept
(no row follows them; see migration 0030). What is kept is bounded: every entry counts its
key, its value and its place in the cache.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeAlias, TypeVar, cast

from flask import Flask, current_app

from webstore.application.versioned import Known, Versioned
from webstore.entrypoints.web.fast_listings.stock_free import StockFree
from webstore.entrypoints.web.json_codec import JsonResponse, dumps

T = TypeVar("T")

# A listing as a view asks for it: what kind it is, how to fetch it, how to encode an item.
Listing: TypeAlias = tuple[Hashable, Callable[[Known], Versioned[T]], Callable[[T], object]]
BUDGET = 32 * 1024 * 1024  # bytes a worker's kept listings take, the least recent go first
# What holding one more entry costs besides its key and value: its slots in the dict's tables
# and the ordered dict's link (measured: about 150 bytes on CPython 3.11; counted generously).
ENTRY_OVERHEAD = 256
# A kept body: whole bytes, or a product listing's bytes without their stock.
Kept: TypeAlias = bytes | StockFree


def _nothing_known(key: Hashable, version: int) -> bool:
    return False


class ListingCache:
    """Encoded listings under their keys, at most ``budget`` bytes of them, keys included."""

    def __init__(self, budget: int = BUDGET) -> None:
        # key -> (version, body, X-Total-Count, the bytes the entry is counted for)
        self._entries: OrderedDict[Hashable, tuple[int, Kept, str, int]] = OrderedDict()
        self._size = 0
        self._budget = budget
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """The bytes every kept entry is counted for (its key, its value, its place)."""
        return self._size

    def response(
        self,
        kind: Hashable,
        fetch: Callable[[Known], Versioned[T]],
        encode: Callable[[T], object],
    ) -> JsonResponse:
        """The listing ``fetch`` finds: the bytes kept for its key and version, or its page,
        encoded (and kept). ``kind`` tells apart listings that encode the same rows otherwise."""
        body, total = self.encoded(kind, fetch, encode)
        return JsonResponse(body, 200, headers={"X-Total-Count": total})

    def encoded(
        self,
        kind: Hashable,
        fetch: Callable[[Known], Versioned[T]],
        encode: Callable[[T], object],
    ) -> tuple[bytes, str]:
        """``response``'s body and ``X-Total-Count``."""
        held: list[tuple[Kept, str]] = []

        def known(key: Hashable, version: int) -> bool:
            hit = self._get((kind, key), version)
            if hit is not None:
                held.append(hit)  # kept here: another thread may evict it from the cache
            return hit is not None

        listing = fetch(known)
        if listing.page is None:
            kept, total = held[-1]
            if isinstance(kept, bytes):
                return kept, total
            assert listing.stock is not None  # product listings always carry their stock
            body = kept.with_stock(listing.stock)
            if body is not None:
                return body, total
            # Not the products kept for that version (which the triggers rule out): read all.
            listing = fetch(_nothing_known)
        page = listing.page
        assert page is not None  # nothing was known
        items = [encode(item) for item in page.items]
        body, total = dumps(items).encode(), str(page.total)
        if listing.version is not None:
            stock = listing.stock
            kept = body if stock is None else StockFree.of(cast(list[Any], items), body, stock)
            self._put((kind, listing.key), listing.version, (kept, total))
        return body, total

    def _get(self, key: Hashable, version: int | None) -> tuple[Kept, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or version is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def _put(self, key: Hashable, version: int, hit: tuple[Kept, str]) -> None:
        kept = hit[0]
        weight = kept.size if isinstance(kept, StockFree) else 0
        cost = ENTRY_OVERHEAD + footprint(key) + footprint((version, *hit, 0)) + weight
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[3]
            if cost > self._budget:
                return
            self._entries[key] = (version, *hit, cost)
            self._size += cost
            while self._size > self._budget:
                _, evicted = self._entries.popitem(last=False)
                self._size -= evicted[3]


def footprint(value: object) -> int:
    """The bytes ``value`` holds, with what it contains (tuples, frozen dataclasses, text).

    Members of an enumeration are shared and cost nothing more; small ints are counted as if
    they were not shared, which only errs on the generous side.
    """
    if isinstance(value, enum.Enum):
        return 0
    size = sys.getsizeof(value)
    if isinstance(value, tuple | frozenset):
        return size + sum(footprint(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        size += sys.getsizeof(vars(value)) if hasattr(value, "__dict__") else 0
        return size + sum(footprint(getattr(value, f.name)) for f in dataclasses.fields(value))
    return size


def init_app(app: Flask) -> None:
    app.extensions["webstore.listing_cache"] = ListingCache()


def listing_cache() -> ListingCache:
    cache: ListingCache = current_app.extensions["webstore.listing_cache"]
    return cache
