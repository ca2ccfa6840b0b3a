"""Encoded product listings kept by each worker, valid for exactly one catalogue version.

Every change to a product raises the catalogue version in its own transaction (database
triggers). A listing request reads the committed version first, then serves the bytes encoded
for that version, or reads the products and encodes them afresh. Reading the version before the
products means a cached listing is never older than its version: once a write has committed, no
worker of any process serves the listing from before it.
"""

from __future__ import annotations

import threading

from flask import current_app

from webstore.application.store import Webstore
from webstore.entrypoints import serializers
from webstore.entrypoints.http import JsonResponse, dumps

MAX_PAGES = 32  # distinct limit/offset pairs kept per version: a bound on what clients can pin


class ListingCache:
    def __init__(self) -> None:
        self._version: int | None = None
        self._pages: dict[tuple[str | None, str | None], tuple[bytes, int]] = {}
        self._lock = threading.Lock()

    def response(self, store: Webstore, limit: str | None, offset: str | None) -> JsonResponse:
        version = store.catalogue_version()
        key = (limit, offset)
        with self._lock:
            hit = self._pages.get(key) if version is not None and version == self._version else None
        if hit is None:
            page = store.list_products(limit, offset)
            hit = (dumps([serializers.product(p) for p in page.items]).encode(), page.total)
            self._keep(version, key, hit)
        body, total = hit
        return JsonResponse(body, 200, headers={"X-Total-Count": str(total)})

    def _keep(
        self, version: int | None, key: tuple[str | None, str | None], hit: tuple[bytes, int]
    ) -> None:
        if version is None:
            return
        with self._lock:
            if version != self._version:
                if self._version is not None and version < self._version:
                    return  # a slower request read an older version: keep the newer pages
                self._version, self._pages = version, {}
            if len(self._pages) < MAX_PAGES:
                self._pages[key] = hit


def listing_cache() -> ListingCache:
    cache: ListingCache = current_app.extensions["webstore.listing_cache"]
    return cache
