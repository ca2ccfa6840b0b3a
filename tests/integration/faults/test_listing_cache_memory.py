"""A worker's kept listings stay within their budget, keys included, whatever is searched for.

Each distinct search is its own listing: a client asking for thousands of long unicode terms
makes the cache keep thousands of keys, most with a tiny body (nothing matched). The memory
the cache holds is measured as what Python frees when the cache is dropped.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import pytest

from tests.conftest import fast_settings
from webstore import Webstore, bootstrap
from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.fast_listings.cache import ListingCache

SEARCHES = 1000  # each keeps about 2 KiB: the budget is reached well before the end
BUDGET = 256 * 1024


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Webstore]:
    built = bootstrap(fast_settings(sqlite_url), migrate=True)
    built.add_product(built.operator, {"name": "Lamp", "price": "9.50", "amount": 3})
    yield built
    built.uow.dispose()  # type: ignore[attr-defined]


def long_unicode_search(number: int) -> str:
    """200 characters (the longest search), astral ones mostly: 4 bytes each in a str."""
    return f"{number:06d}" + "\U0001f4a1ß\u00e9\U0001d11e" * 48 + "xx"


def fill(cache: ListingCache, store: Webstore, searches: range) -> None:
    for number in searches:
        term = long_unicode_search(number)
        cache.encoded(
            "products",
            lambda known, term=term: store.list_products_versioned(known, None, None, term),
            serializers.product,
        )


def measured(store: Webstore, budget: int, searches: int) -> tuple[int, int]:
    """What a cache filled with ``searches`` distinct searches counts, and what it holds: the
    bytes Python frees when it goes."""
    fill(ListingCache(), store, range(20))  # statements compiled, imports done
    tracemalloc.start()
    try:
        cache = ListingCache(budget)
        fill(cache, store, range(searches))
        counted = cache.size
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        del cache
        gc.collect()
        return counted, before - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def test_distinct_long_searches_keep_the_cache_within_its_budget(store: Webstore) -> None:
    counted, held = measured(store, BUDGET, SEARCHES)

    assert held <= BUDGET, f"{held} bytes held for a budget of {BUDGET}"
    assert counted <= BUDGET
    assert held >= BUDGET // 2  # it did keep many: the budget, not a lack of entries, bounds it


def test_the_cache_counts_at_least_what_its_entries_hold(store: Webstore) -> None:
    counted, held = measured(store, 32 * 1024 * 1024, 400)  # nothing evicted

    assert held <= counted <= 2 * held, (held, counted)
