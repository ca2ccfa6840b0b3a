"""Ids, the quantities ordered and the stock of a product."""

from __future__ import annotations

from typing import Any

from webstore.domain.values.fields import integer

ID_MAX = 2**63 - 1
ORDER_QUANTITY_MAX = 10_000
# The most a product can be set to. Cancelled orders return their units on top of the stock
# of the moment, which may then exceed this: storage keeps 64 bits, so returning can never fail.
MAX_STOCK = 2_147_483_647


def is_storable_id(value: int) -> bool:
    """Whether a row could have this id (an id past the 64-bit range cannot be looked up)."""
    return 1 <= value <= ID_MAX


def product_id(raw: Any) -> int:
    return integer(raw, minimum=1, maximum=ID_MAX)


def order_amount(raw: Any) -> int:
    return integer(raw, minimum=1, maximum=ORDER_QUANTITY_MAX)


def stock_amount(raw: Any) -> int:
    return integer(raw, minimum=0, maximum=MAX_STOCK)
