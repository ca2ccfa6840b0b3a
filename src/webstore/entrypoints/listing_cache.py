"""Encoded listings kept by each worker, each valid for exactly one version of what it shows.

Every change to a product raises the catalogue version, and every change to an order raises the
version of all orders and of its owner's orders, in the writing transaction itself (database
triggers). A listing request reads the committed version first and, in the same snapshot, the rows
only if this worker keeps no bytes encoded for that version (``webstore.application.versioned``).
A kept listing is therefore exactly its version's: once a write has committed, no worker of any
process serves what was listed before it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeAlias, TypeVar

from flask import Flask, current_app

from webstore.application.versioned import Known, Versioned
from webstore.entrypoints.http import JsonResponse, dumps

T = TypeVar("T")

# A listing as a view asks for it: what kind it is, how to fetch it, how to encode an item.
Listing: TypeAlias = tuple[Hashable, Callable[[Known], Versioned[T]], Callable[[T], object]]
BUDGET = 32 * 1024 * 1024  # bytes of encoded listings a worker keeps, the least recent go first


class ListingCache:
    def __init__(self, budget: int = BUDGET) -> None:
        self._entries: OrderedDict[Hashable, tuple[int, bytes, str]] = OrderedDict()
        self._size = 0
        self._budget = budget
        self._lock = threading.Lock()

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
        held: list[tuple[bytes, str]] = []

        def known(key: Hashable, version: int) -> bool:
            hit = self._get((kind, key), version)
            if hit is not None:
                held.append(hit)  # kept here: another thread may evict it from the cache
            return hit is not None

        listing = fetch(known)
        if listing.page is None:
            return held[-1]
        page = listing.page
        hit = (dumps([encode(item) for item in page.items]).encode(), str(page.total))
        if listing.version is not None:
            self._put((kind, listing.key), listing.version, hit)
        return hit

    def _get(self, key: Hashable, version: int | None) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or version is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def _put(self, key: Hashable, version: int, hit: tuple[bytes, str]) -> None:
        with self._lock:
            old = self._entries.get(key)
            if old is not None:
                self._size -= len(old[1])
                del self._entries[key]
            if len(hit[0]) > self._budget:
                return
            self._entries[key] = (version, *hit)
            self._size += len(hit[0])
            while self._size > self._budget:
                _, (_, body, _) = self._entries.popitem(last=False)
                self._size -= len(body)


def init_app(app: Flask) -> None:
    app.extensions["webstore.listing_cache"] = ListingCache()


def listing_cache() -> ListingCache:
    cache: ListingCache = current_app.extensions["webstore.listing_cache"]
    return cache
