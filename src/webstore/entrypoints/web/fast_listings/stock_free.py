"""A product listing's encoded bytes without its stock, into which each answer puts the stock.

Stock changes with every checkout, and what else a listing shows (which products, their names,
prices, descriptions) changes when staff edit the catalogue. So a worker keeps the bytes of a
product listing split where each product's ``"amount":`` value goes, and each answer joins
them with the stock read for that request: a few microseconds for a hundred products, against
encoding them all again after every order. The bytes are exactly ``dumps`` of the listing
(a test holds them equal for any products).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

from webstore.application.versioned import PageStock
from webstore.entrypoints.web.json_codec import dumps

STOCK_KEY = "amount"


class StockFree:
    """Encoded products by id, each without its stock; ``with_stock`` completes them."""

    __slots__ = ("_ids", "_last", "_pieces", "size")

    def __init__(self, ids: str, pieces: tuple[bytes, ...]) -> None:
        self._ids = ids  # as ``PageStock.ids`` gives them
        self._pieces = pieces  # one before each product's stock, and the closing one
        self._last: tuple[str, bytes] | None = None  # the latest answer, kept whole
        # What this holds at most: its pieces, its ids, and one whole answer besides (with
        # the stock it was made at, and that stock split, while it is spliced in).
        pieces_size = sum(sys.getsizeof(piece) for piece in pieces) + sys.getsizeof(pieces)
        per_product = 64  # a stock's digits, as text and as bytes, and their places
        self.size = 2 * pieces_size + 2 * sys.getsizeof(ids) + per_product * len(pieces)

    @classmethod
    def of(cls, items: Sequence[Mapping[str, Any]], body: bytes, stock: PageStock) -> StockFree:
        """The products ``items`` (serializer dicts, each with an ``"amount"``), whose whole
        encoding at ``stock`` is ``body``."""
        pieces: list[bytes] = []
        text = "["
        for n, item in enumerate(items):
            keys = list(item)
            at = keys.index(STOCK_KEY)
            before = dumps({key: item[key] for key in keys[:at]})[:-1]  # no closing brace
            text += ("," if n else "") + before + ("," if at else "") + f'"{STOCK_KEY}":'
            pieces.append(text.encode())
            after = dumps({key: item[key] for key in keys[at + 1 :]})
            text = "," + after[1:] if at + 1 < len(keys) else "}"
        pieces.append((text + "]").encode())
        kept = cls(stock.ids, tuple(pieces))
        kept._last = (stock.amounts, body)
        return kept

    def with_stock(self, stock: PageStock) -> bytes | None:
        """The listing at ``stock``; ``None`` when its ids are not those of the products kept
        here (in their order)."""
        if stock.ids != self._ids:
            return None
        last = self._last
        if last is not None and last[0] == stock.amounts:
            return last[1]
        # Joined without a Python step per product: each piece, then its product's stock.
        amounts = stock.amounts.encode().split(b",") if stock.amounts else []
        if len(amounts) + 1 != len(self._pieces):
            return None
        pairs = zip(self._pieces, amounts, strict=False)  # one piece more, the closing one
        body = b"".join(chain(chain.from_iterable(pairs), self._pieces[-1:]))
        self._last = (stock.amounts, body)
        return body
