from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webstore.application.snapshots import ProductSnapshot
from webstore.application.versioned import PageStock
from webstore.domain.values import Money
from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.fast_listings.stock_free import StockFree
from webstore.entrypoints.web.json_codec import dumps

ENCODERS: list[Callable[[ProductSnapshot], dict[str, Any]]] = [
    serializers.product,
    serializers.product_detail,
    serializers.catalogue_product,
]
# Text a product may hold, including what looks like the JSON around a stock.
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=6) | st.sampled_from(
    ['"amount":1', '},{"id":2', "\\", "amount", "\u2028"]
)


@st.composite
def listings(draw: st.DrawFn) -> list[ProductSnapshot]:
    ids = sorted(draw(st.sets(st.integers(1, 10**12), max_size=4)))
    return [
        ProductSnapshot(
            id=pid,
            name=draw(TEXT),
            description=draw(TEXT),
            price=Money(Decimal(draw(st.integers(1, 10**8))) / 100),
            stock=draw(st.integers(0, 10**12)),
            is_active=draw(st.booleans()),
        )
        for pid in ids
    ]


def encoded(items: list[ProductSnapshot], encode: Callable[[ProductSnapshot], Any]) -> bytes:
    return dumps([encode(item) for item in items]).encode()


def with_stock(items: list[ProductSnapshot], stock: list[int]) -> list[ProductSnapshot]:
    return [
        ProductSnapshot(p.id, p.name, p.description, p.price, s, p.is_active)
        for p, s in zip(items, stock, strict=True)
    ]


@settings(suppress_health_check=[HealthCheck.too_slow])  # two busy cores draw text slowly
@given(listings(), st.data(), st.sampled_from(ENCODERS))
def test_kept_bytes_with_any_stock_spliced_in_are_the_listing_encoded_at_that_stock(
    items: list[ProductSnapshot], data: st.DataObject, encode: Callable[[ProductSnapshot], Any]
) -> None:
    kept = StockFree.of(
        [encode(item) for item in items],
        encoded(items, encode),
        PageStock.of((p.id, p.stock) for p in items),
    )
    for _ in range(3):
        stock = data.draw(
            st.lists(st.integers(0, 10**12), min_size=len(items), max_size=len(items))
        )
        now = with_stock(items, stock)

        assert kept.with_stock(PageStock.of((p.id, p.stock) for p in now)) == encoded(now, encode)


@given(listings())
def test_stock_of_other_products_than_those_kept_gives_nothing(
    items: list[ProductSnapshot],
) -> None:
    kept = StockFree.of(
        [serializers.product(item) for item in items],
        encoded(items, serializers.product),
        PageStock.of((p.id, p.stock) for p in items),
    )
    levels = [(p.id, p.stock) for p in items]

    assert kept.with_stock(PageStock.of(levels[1:])) is None if items else True
    assert kept.with_stock(PageStock.of([*levels, (10**13, 1)])) is None
    if items:
        assert kept.with_stock(PageStock.of([(levels[0][0] + 10**13, 1), *levels[1:]])) is None
        # Ids as kept but the stock of one product fewer (a page read in another order).
        assert kept.with_stock(PageStock(PageStock.of(levels).ids, "1" * len(items[1:]))) is None
